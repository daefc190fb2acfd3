// The hub's one lane to Postgres: a pg Pool with parameterised statements, named prepared statements and transactions.
// Repository modules (`*-repo.ts`) hold the SQL; everything else calls them. Sequelize is kept only for what it earns
// here: umzug's migration record (core/db/migrate.ts).
//
// Why pg's Pool directly, not Sequelize's: prepared statements need a connection of our own (pg's documented
// `{ name, text, values }` query), and Sequelize hands its pooled connections out only through a private API.
import pg from 'pg';
import { ClientWithErrorListener } from './safe-pg.ts';
import type { PreparedStatement } from './prepared.ts';
import { Notifier } from './notifier.ts';

/** What runs SQL: the database itself, or one transaction. */
export interface Sql {
  /** The rows of a parameterised statement ($1, $2 …). */
  rows<Row extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** The first row, or undefined when there is none. */
  row<Row extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row | undefined>;
  /** Runs a statement; answers how many rows it changed. */
  run(text: string, values?: readonly unknown[]): Promise<number>;
  /** Runs a named prepared statement (parsed and planned once per connection). */
  prepared<Row extends object = Record<string, unknown>>(statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]>;
  /**
   * Wakes the listeners on `channel` (Postgres NOTIFY) once what was written here is committed: at once on the database
   * (its statements commit as they run), after COMMIT in a transaction (never on rollback). A hint, coalesced and sent
   * outside the writer's commit (notifier.ts says why).
   */
  wake(channel: string, payload: string): void;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface Database extends Sql {
  /** The connection URL (migrations open their own short-lived connection with it). */
  readonly url: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: { isolation?: Isolation }): Promise<T>;
  /** Connections open and idle, and callers waiting for one (for metrics). */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
  /**
   * Commit without waiting for the WAL to reach disk (`synchronous_commit = off`). Only for a role whose every write can
   * be done again after a Postgres crash loses its last fraction of a second: the worker (see core/hub.ts).
   */
  asyncCommit?: boolean;
}

export function connectDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName ?? 'closeloop',
    // The hub's queries are short; Postgres's JIT compiles any whose estimate is high, and an estimate can be high
    // while the work is small (the overview's per-service counts: 17–500 ms compiling, 2 ms counting at 1M cases).
    options: `-c jit=off${options.asyncCommit ? ' -c synchronous_commit=off' : ''}`,
    Client: ClientWithErrorListener,
  });
  // An idle connection that Postgres closes emits 'error' on the pool; the pool drops it and makes a new one on demand.
  pool.on('error', () => {});
  return new PoolDatabase(pool, options.url);
}

type Runner = { query: (config: pg.QueryConfig) => Promise<pg.QueryResult> };

function sqlOn(runner: Runner, wake: Sql['wake']): Sql {
  const query = (text: string, values?: readonly unknown[]) => runner.query({ text, values: values as unknown[] | undefined });
  return {
    wake,
    rows: async <Row extends object>(text: string, values?: readonly unknown[]) => (await query(text, values)).rows as Row[],
    row: async <Row extends object>(text: string, values?: readonly unknown[]) => (await query(text, values)).rows[0] as Row | undefined,
    run: async (text, values) => (await query(text, values)).rowCount ?? 0,
    prepared: async <Row extends object>(statement: PreparedStatement, values: readonly unknown[]) =>
      (await runner.query({ name: statement.name, text: statement.text, values: values as unknown[] })).rows as Row[],
  };
}

class PoolDatabase implements Database {
  private readonly sql: Sql;
  private readonly notifier: Notifier;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly url: string,
  ) {
    this.notifier = new Notifier((config) => pool.query(config));
    this.sql = sqlOn({ query: (config) => pool.query(config) }, (channel, payload) => this.notifier.send(channel, payload));
  }

  wake(channel: string, payload: string) {
    this.notifier.send(channel, payload);
  }

  rows<Row extends object>(text: string, values?: readonly unknown[]) {
    return this.sql.rows<Row>(text, values);
  }
  row<Row extends object>(text: string, values?: readonly unknown[]) {
    return this.sql.row<Row>(text, values);
  }
  run(text: string, values?: readonly unknown[]) {
    return this.sql.run(text, values);
  }
  prepared<Row extends object>(statement: PreparedStatement, values: readonly unknown[]) {
    return this.sql.prepared<Row>(statement, values);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>, options: { isolation?: Isolation } = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(options.isolation ? `begin isolation level ${options.isolation}` : 'begin');
      const wakes = new Map<string, [string, string]>();
      const result = await fn(sqlOn(client, (channel, payload) => wakes.set(`${channel}\u0000${payload}`, [channel, payload])));
      await client.query('commit');
      for (const [channel, payload] of wakes.values()) this.notifier.send(channel, payload);
      return result;
    } catch (err) {
      try {
        await client.query('rollback');
      } catch (rollbackFailed) {
        // The connection is gone (Postgres restarted, the socket closed): the pool must not lend it out again.
        broken = rollbackFailed as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  poolStats() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.notifier.close();
    await this.pool.end();
  }
}
