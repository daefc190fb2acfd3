// A pg Client with an 'error' listener from birth, for the hub's pool and for Sequelize (migrations).
//
// Why: pg-pool (and Sequelize) attach their own 'error' listener to a new connection only after `connect()` has called back. When
// Postgres shuts down while a connection is being made, pg can parse ReadyForQuery and then, in the same chunk of bytes,
// the server's FATAL 57P01 — calling back and emitting 'error' in one go, before that listener exists. An 'error' event
// with no listener kills the process (found by the chaos suite: a worker died during a Postgres restart). The early
// listener only keeps the process alive; the dead connection then fails its first query and the pool replaces it.
import pg from 'pg';

export class ClientWithErrorListener extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => {});
  }
}

/** pg with its Client replaced; everything else (types, Pool, defaults) is pg's own. */
export const safePg: typeof pg = Object.assign(Object.create(pg) as typeof pg, { Client: ClientWithErrorListener });
