// The bench's instruments: what Postgres was doing during a run (wait events, dead rows), whose CPU a Postgres backend
// is counted as, the median and spread of a phase's runs, and which of the receiver's requests are citizens' updates.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, ADMIN_URL, type TestDatabase } from '../helpers/database.ts';
import { watchPostgres, describeActivity } from '../../bench/pg-activity.ts';
import { standInForAutovacuum } from '../../bench/autovacuum.ts';
import { BENCH_DB_GROUP, cpuMsByGroup, cpuSnapshot, hubCpuMs, underTest } from '../../bench/cpu.ts';
import { median, runCount, spread, workerCounts } from '../../bench/summary.ts';
import { updateCounter, updatesSince } from '../../bench/updates.ts';
import type { WebhookReceiver } from '../peers/webhook-receiver.ts';

let db: TestDatabase;
const clients: pg.Client[] = [];

async function client(url: string): Promise<pg.Client & { pid: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return Object.assign(c, { pid: (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number });
}

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('bench/instrument', () => {
  before(async () => {
    db = await createTestDatabase();
    const setup = await client(db.url);
    await setup.query('create table deliveries (id int primary key, n int not null)');
    await setup.query('insert into deliveries select i, 0 from generate_series(1, 100) i');
  });

  after(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await db.drop();
  });

  /** Holds a row lock in one session while another waits on it for `ms`. */
  async function rowLockWait(holder: pg.Client, waiter: pg.Client, ms: number) {
    await holder.query('begin');
    await holder.query('update deliveries set n = n + 1 where id = 1');
    const blocked = waiter.query('update deliveries set n = n + 1 where id = 1');
    await new Promise((r) => setTimeout(r, ms));
    await holder.query('commit');
    await blocked;
  }

  test('a run counts the wait events of the database’s active backends in its 100 ms samples', async () => {
    const [holder, waiter] = [await client(db.url), await client(db.url)];
    const watch = await watchPostgres(ADMIN_URL, db.url, db.name, () => []);
    try {
      await watch.start();
      await rowLockWait(holder, waiter, 800);
      const activity = await watch.stop();
      assert.ok(activity.samples >= 5, `samples: ${activity.samples}`);
      assert.ok((activity.waits['Lock:transactionid'] ?? 0) >= 4, JSON.stringify(activity.waits));
      assert.match(describeActivity(activity, watch.server.autovacuum), /Lock:transactionid \d+/);
      // One backend waited the whole 800 ms: a run of samples, not only a count.
      assert.equal(activity.longestWait?.wait, 'Lock:transactionid');
      assert.ok(activity.longestWait.samples >= 4, JSON.stringify(activity.longestWait));
      assert.match(describeActivity(activity, watch.server.autovacuum), /longest wait of one backend: Lock:transactionid for \d+ sample\(s\) in a row/);
      assert.ok(activity.longestSampleGapMs >= 90 && activity.longestSampleGapMs < 5000, `gap ${activity.longestSampleGapMs} ms`);
    } finally {
      await watch.close();
    }
  });

  test('a stalled sampler shows as a long gap between samples', async () => {
    const watch = await watchPostgres(ADMIN_URL, db.url, db.name, () => []);
    try {
      await watch.start();
      await new Promise((r) => setTimeout(r, 300));
      // The sampler shares this event loop: hold it for half a second, as a stalled machine would.
      const until = Date.now() + 500;
      while (Date.now() < until);
      await new Promise((r) => setTimeout(r, 300));
      const activity = await watch.stop();
      assert.ok(activity.longestSampleGapMs >= 450, `gap ${activity.longestSampleGapMs} ms`);
      assert.equal(activity.longestWait, null, 'no backend of the database waited');
    } finally {
      await watch.close();
    }
  });

  test('the harness’s own connections are left out of the wait samples', async () => {
    const [holder, waiter] = [await client(db.url), await client(db.url)];
    const watch = await watchPostgres(ADMIN_URL, db.url, db.name, () => [waiter.pid]);
    try {
      await watch.start();
      // Long enough for a few samples on a loaded machine too (a sample still out when the next is due is skipped).
      await rowLockWait(holder, waiter, 1000);
      const activity = await watch.stop();
      assert.ok(activity.samples >= 3, `samples: ${activity.samples}`);
      assert.equal(activity.waits['Lock:transactionid'], undefined, JSON.stringify(activity.waits));
    } finally {
      await watch.close();
    }
  });

  test('dead rows left in the outbox tables are reported at the end of a run', async () => {
    const writer = await client(db.url);
    const watch = await watchPostgres(ADMIN_URL, db.url, db.name, () => []);
    try {
      await watch.start();
      await writer.query('delete from deliveries where id > 60');
      // A backend sends its table counters to the statistics at most once a second unless told to.
      await writer.query('select pg_stat_force_next_flush()');
      await new Promise((r) => setTimeout(r, 300));
      const activity = await watch.stop();
      assert.ok((activity.deadRows.deliveries ?? 0) >= 40, JSON.stringify(activity.deadRows));
      assert.equal(activity.deadRows.notifications, 0);
    } finally {
      await watch.close();
    }
  });

  test('a run reports the WAL it wrote, with its full-page images, and the blocks read from outside shared buffers', async () => {
    const writer = await client(db.url);
    await writer.query('create table wal_pages (id int primary key, pad text not null)');
    await writer.query(`insert into wal_pages select i, repeat('x', 200) from generate_series(1, 5000) i`);
    const watch = await watchPostgres(ADMIN_URL, db.url, db.name, () => []);
    try {
      // The first change to each page after a checkpoint writes the whole page to the WAL.
      await writer.query('checkpoint');
      await watch.start();
      await writer.query('update wal_pages set pad = pad');
      // A backend sends its WAL counters to the statistics at most once a second unless told to.
      await writer.query('select pg_stat_force_next_flush()');
      await new Promise((r) => setTimeout(r, 300));
      const activity = await watch.stop();
      assert.ok(activity.wal.bytes > 5000 * 100, `WAL bytes ${activity.wal.bytes}`);
      assert.ok(activity.wal.fullPageImages >= 100, `full-page images ${activity.wal.fullPageImages} (the table has over 100 pages)`);
      assert.ok(activity.blocks.hit + activity.blocks.read > 0);
      assert.match(describeActivity(activity, false), /WAL \d+\.\d MB \([\d,]+ records, [\d,]+ full-page images\)/);
    } finally {
      await watch.close();
      await writer.query('drop table wal_pages');
    }
  });

  test('with autovacuum off, the stand-in vacuums a table over its own threshold and leaves one under the default', async () => {
    const setup = await client(db.url);
    await setup.query(
      'create table queue_like (id int primary key, n int not null) with (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 100)',
    );
    await setup.query('create table ordinary_like (id int primary key, n int not null)');
    // A backend sends its table counters to the statistics at most once a second unless told to: the inserts' counts
    // must be in before the analyse that resets them.
    const flush = async () => {
      await setup.query('select pg_stat_force_next_flush()');
      await new Promise((r) => setTimeout(r, 300));
    };
    for (const table of ['queue_like', 'ordinary_like']) await setup.query(`insert into ${table} select i, 0 from generate_series(1, 5000) i`);
    await flush();
    for (const table of ['queue_like', 'ordinary_like']) await setup.query(`vacuum (analyze) ${table}`);
    // 500 dead rows: over 100, under the default's 50 + 20% of 5,000 (and under the default analyse threshold, 550).
    for (const table of ['queue_like', 'ordinary_like']) await setup.query(`update ${table} set n = 1 where id <= 500`);
    await flush();
    const standIn = await standInForAutovacuum(db.url);
    try {
      const said = await standIn.pass();
      assert.match(said, /(^|, )vacuum queue_like \d+ ms/);
      assert.equal(said.match(/queue_like/g)?.length, 1, said);
      assert.doesNotMatch(said, /ordinary_like/);
      assert.equal(await standIn.pass(), '', 'a second pass finds nothing to do');
      const { rows } = await setup.query(`select n_dead_tup::int as dead from pg_stat_user_tables where relname = 'queue_like'`);
      assert.equal(rows[0].dead, 0);
    } finally {
      await standIn.stop();
      await setup.query('drop table queue_like, ordinary_like');
    }
  });

  test('a backend of the bench database counts as the hub’s CPU; one of another database does not', async () => {
    const bench = await client(db.url);
    const other = await client(ADMIN_URL);
    // Enough work for the clock's 10 ms ticks to see.
    const snap0 = cpuSnapshot(new Map(), db.name);
    await bench.query('select count(*) from generate_series(1, 3000000)');
    await other.query('select count(*) from generate_series(1, 3000000)');
    const snap1 = cpuSnapshot(new Map(), db.name);
    assert.equal(snap1.get(bench.pid)?.group, BENCH_DB_GROUP);
    assert.equal(snap1.get(other.pid)?.group, 'postgres: other databases');
    assert.equal(snap1.get(process.pid)?.group, 'bench harness');
    const byGroup = cpuMsByGroup(snap0, snap1);
    assert.ok((byGroup[BENCH_DB_GROUP] ?? 0) > 0, JSON.stringify(byGroup));
    assert.ok(underTest('serve role') && underTest('worker 2 role') && underTest('redis') && underTest(BENCH_DB_GROUP));
    assert.ok(!underTest('bench harness') && !underTest('postgres: other databases') && !underTest('other'));
    assert.equal(hubCpuMs({ 'serve role': 30, [BENCH_DB_GROUP]: 20, redis: 5, 'bench harness': 100, 'postgres: other databases': 40 }), 55);
  });

  test('median and spread of a phase’s runs; the run and worker counts refuse nonsense', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(spread([3, 1, 2]), '1.0–3.0');
    assert.equal(spread([5]), '');
    assert.deepEqual(workerCounts('1,2,3'), [1, 2, 3]);
    assert.deepEqual(workerCounts(undefined), [2]);
    assert.throws(() => workerCounts('0'), /BENCH_WORKERS/);
    assert.throws(() => workerCounts('two'), /BENCH_WORKERS/);
    assert.equal(runCount(undefined, false), 3);
    assert.equal(runCount(undefined, true), 1);
    assert.equal(runCount('5', true), 5);
    assert.throws(() => runCount('0', false), /BENCH_RUNS/);
    assert.throws(() => runCount('2.5', false), /BENCH_RUNS/);
  });
});

test("the updates phase counts only the receiver's citizen.message requests, each once, and times each from its message", () => {
  const update = (at: number, sentAt: string) => ({
    at,
    body: JSON.stringify({ type: 'citizen.message', data: { message: { id: 'm', text: 'x', sentAt } } }),
  });
  const requests = [{ at: 1, body: '<Case/>' }, update(2_000, '1970-01-01T00:00:01.500Z')] as WebhookReceiver['requests'];
  const receiver = { requests } as WebhookReceiver;
  const count = updateCounter(receiver, 0);
  assert.equal(count(), 1);
  requests.push(...([{ at: 3, body: '{"type":"process.delivered"}' }, update(4_000, '1970-01-01T00:00:03.000Z')] as WebhookReceiver['requests']));
  assert.equal(count(), 2, 'the requests read before are not counted again');
  assert.equal(updateCounter(receiver, 2)(), 1, 'from the given position');
  assert.deepEqual(updatesSince(receiver, 0), [
    { at: 2_000, latency: 500 },
    { at: 4_000, latency: 1_000 },
  ]);
});
