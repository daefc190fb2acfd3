// Named prepared statements, for the statements every submission, delivery and message runs. An unnamed statement is
// parsed, analysed and planned by Postgres on every call; a named one (pg's documented `{ name, text, values }` query) is
// parsed once per connection and, after a few runs, executed from a cached plan. Measured in bench/ (see the README's
// Performance section): planning was 30–50% of Postgres's time on these statements. Run them with `Sql.prepared`.

export interface PreparedStatement {
  /** Unique per statement text: a connection keeps the first text it prepared under a name. */
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name: `closeloop_${name}`, text };
}
