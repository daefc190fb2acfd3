// The SQL of generated_secrets: random secrets the hub makes once and every process shares.
import type { Sql } from '../db/database.ts';

/** Stores `fresh` under `name` unless a value is there already; answers the value that is kept (first writer wins). */
export async function insertOrReadSecret(sql: Sql, name: string, fresh: string): Promise<string> {
  const [row] = await sql.rows<{ value: string }>(
    `with ins as (insert into generated_secrets (name, value) values ($1, $2) on conflict (name) do nothing returning value)
     select value from ins union all select value from generated_secrets where name = $1 limit 1`,
    [name, fresh],
  );
  return row!.value;
}
