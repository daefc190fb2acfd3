// Operations issue: /readyz says whether this process can work (Postgres, Redis, schema); /healthz only that it is alive.
// Redis is a private redis-server started here (never the machine's shared one), killed and started again on its port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort, startTestHub, type TestHub } from '../helpers/hub.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then(
          () => true,
          () => false,
        );
      if (ok) return child;
      if (Date.now() - started > 10_000) throw new Error('redis-server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

interface ReadyBody {
  status: string;
  checks: Record<string, string>;
  failing?: string[];
}

async function readyz(t: TestHub): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

async function waitForReady(t: TestHub, status: number, timeoutMs = 15_000): Promise<ReadyBody> {
  const started = Date.now();
  for (;;) {
    const r = await readyz(t);
    if (r.status === status) return r.body;
    if (Date.now() - started > timeoutMs) throw new Error(`/readyz still ${r.status}: ${JSON.stringify(r.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/readyz', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestHub;

  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startTestHub({ configFile: CONFIG, env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });

  after(async () => {
    await t?.close();
    if (redis) await stopRedis(redis);
  });

  test('ready when Postgres, Redis and the schema are; /healthz is only about the process', async () => {
    const { status, body } = await readyz(t);
    assert.equal(status, 200);
    assert.deepEqual(body, { status: 'ready', checks: { postgres: 'ok', redis: 'ok', migrations: 'current' } });
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
  });

  test('503 naming redis while Redis is down, ready again once it is back', async () => {
    await stopRedis(redis);
    const started = Date.now();
    const down = await waitForReady(t, 503, 5000);
    assert.ok(Date.now() - started < 5000);
    assert.equal(down.status, 'unavailable');
    assert.deepEqual(down.checks, { postgres: 'ok', redis: down.checks.redis, migrations: 'current' });
    assert.match(down.checks.redis!, /^(failed|timeout)$/);
    assert.deepEqual(down.failing, ['redis']);
    // A probe answers quickly even with Redis gone (the check has its own short timeout).
    const t0 = Date.now();
    const again = await fetch(`${t.url}/readyz`);
    assert.equal(again.status, 503);
    assert.equal(again.headers.get('retry-after'), '5');
    // The check's own 1 s timeout bounds it, with room for a loaded machine.
    assert.ok(Date.now() - t0 < 2_500, `answered in ${Date.now() - t0} ms`);
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'the process is still alive');

    redis = await startRedis(port);
    const up = await waitForReady(t, 200);
    assert.deepEqual(up.checks, { postgres: 'ok', redis: 'ok', migrations: 'current' });
  });

  test('503 naming migrations while one is not applied', async () => {
    const rows = await t.hub.db.rows('select name from schema_migrations order by name desc limit 1');
    const last = (rows as { name: string }[])[0]!.name;
    await t.hub.db.run('delete from schema_migrations where name = $1', [last]);
    try {
      const { status, body } = await readyz(t);
      assert.equal(status, 503);
      assert.equal(body.checks.migrations, 'pending');
      assert.deepEqual(body.failing, ['migrations']);
      assert.deepEqual((body as unknown as { pendingMigrations: string[] }).pendingMigrations, [last]);
    } finally {
      await t.hub.db.run('insert into schema_migrations (name) values ($1)', [last]);
    }
    assert.equal((await readyz(t)).status, 200);
  });
});
