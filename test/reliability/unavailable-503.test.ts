// Regression found by the chaos suite (test/chaos, fault 3: Postgres restarted during intake): a request whose database
// connection was cut under it (Postgres stopping or crashing) answered 500, because pg's "Connection terminated
// unexpectedly" carries no SQLSTATE; and the hub's log line for it said only "[unable to serialize, circular reference is
// too complex to analyze]". It must be 503 with Retry-After, and the log must say what failed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { pino } from 'pino';
import pg from 'pg';
import { connectDatabase, type Database } from '../../core/db/database.ts';
import { problemMiddleware } from '../../core/http/problem.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** A TCP proxy to Postgres whose connections the test can cut, as a Postgres crash or a network cut would. */
async function startProxy(target: URL): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('a database connection cut under a request', () => {
  let testDb: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let db: Database;
  let server: ReturnType<Koa['listen']>;
  let base: string;
  const logged: Record<string, unknown>[] = [];

  before(async () => {
    testDb = await createTestDatabase();
    const url = new URL(testDb.url);
    proxy = await startProxy(new URL(testDb.url));
    url.host = `127.0.0.1:${proxy.port}`;
    db = connectDatabase({ url: url.toString(), poolMax: 2 });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    const app = new Koa();
    app.use(problemMiddleware(pino({ level: 'error' }, sink)));
    app.use(async (ctx) => {
      await db.run('select pg_sleep(3)');
      ctx.body = { ok: true };
    });
    await db.run('select 1'); // the pool holds an open connection: the cut lands on a running query
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    await db?.close().catch(() => {});
    await proxy?.close();
    await testDb?.drop();
  });

  test('answers 503 with Retry-After (not 500), and logs the error by name and message', async () => {
    const pending = fetch(base);
    // Cut once the query is running on the server.
    const watcher = new pg.Client({ connectionString: testDb.url });
    await watcher.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const { rows } = await watcher.query(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%' and state = 'active'`,
        );
        if ((rows[0] as { n: number }).n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await watcher.end();
    }
    proxy.cut();
    const res = await pending;
    const body = (await res.json()) as { status: number };
    assert.equal(res.status, 503, JSON.stringify(body));
    assert.equal(body.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After is set');
    const line = logged.find((l) => l.msg === 'request failed');
    assert.ok(line, 'the failure is logged');
    const err = line.err as { name?: string; message?: string };
    assert.match(String(err.message), /Connection terminated/);
    assert.equal(err.name, 'Error');
  });
});
