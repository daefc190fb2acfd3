// Named prepared statements on Sequelize's pooled pg connections, for the statements every submission, delivery and
// message runs. Sequelize sends its queries unnamed, so Postgres parses, analyses and plans them on every call; a named
// statement is parsed once per connection and, after a few runs, executed from a cached plan. Measured in bench/ (see the
// README's Performance section): planning was 30–50% of Postgres's time on these statements.
import type { Sequelize, Transaction } from 'sequelize';
import type pg from 'pg';

export interface PreparedStatement {
  /** Unique per statement text: a connection keeps the first text it prepared under a name. */
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name: `closeloop_${name}`, text };
}

interface ConnectionManager {
  getConnection(options: { type: 'read' | 'write' }): Promise<pg.Client>;
  releaseConnection(client: pg.Client): Promise<void>;
}

/**
 * Runs a prepared statement and returns its rows. In a transaction, on the transaction's connection; otherwise on a
 * connection borrowed from the pool for this statement only.
 */
export async function runPrepared<Row>(sequelize: Sequelize, statement: PreparedStatement, values: unknown[], transaction?: Transaction): Promise<Row[]> {
  const query = { name: statement.name, text: statement.text, values };
  const inTransaction = (transaction as unknown as { connection?: pg.Client } | undefined)?.connection;
  if (inTransaction) return (await inTransaction.query(query)).rows as Row[];
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const client = await manager.getConnection({ type: 'write' });
  try {
    return (await client.query(query)).rows as Row[];
  } finally {
    await manager.releaseConnection(client);
  }
}
