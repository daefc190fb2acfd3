// Sql.wake: a NOTIFY sent after the writer's commit, not inside it (core/db/notifier.ts says why: NOTIFY's queue lock
// is held through the commit's flush and serialised every notifying commit). Against a real Postgres and a real LISTEN.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectDatabase, type Database } from '../../core/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

const CHANNEL = 'closeloop_test_wake';

describe('waking listeners after commit', () => {
  let tdb: TestDatabase;
  let db: Database;
  let listener: pg.Client;
  const heard: { payload: string; at: number }[] = [];

  before(async () => {
    tdb = await createTestDatabase();
    db = connectDatabase({ url: tdb.url, poolMax: 8 });
    await db.run('create table t (id int primary key)');
    listener = new pg.Client({ connectionString: tdb.url });
    await listener.connect();
    listener.on('notification', (n) => heard.push({ payload: n.payload ?? '', at: Date.now() }));
    await listener.query(`listen ${CHANNEL}`);
  });
  after(async () => {
    await listener.end();
    await db.close();
    await tdb.drop();
  });

  test('in a transaction: the listener hears once the commit is done, and sees the committed row', async () => {
    heard.length = 0;
    await db.transaction(async (tx) => {
      await tx.run('insert into t values (1)');
      tx.wake(CHANNEL, 'rows');
      tx.wake(CHANNEL, 'rows'); // the same wake twice in one transaction: one notify
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(heard.length, 0, 'nothing is heard before the commit');
    });
    const committedAt = Date.now();
    await waitFor(() => heard.length > 0, 'the wake');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      heard.map((h) => h.payload),
      ['rows'],
    );
    assert.ok(heard[0]!.at >= committedAt - 5);
    const seen = await listener.query('select count(*)::int as n from t where id = 1');
    assert.equal(seen.rows[0].n, 1, 'what woke the listener is there to read');
  });

  test('a transaction rolled back wakes nobody', async () => {
    heard.length = 0;
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run('insert into t values (2)');
        tx.wake(CHANNEL, 'rows');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(heard, []);
  });

  test('many writers at once: wakes coalesce, and one is heard after the last commit', async () => {
    heard.length = 0;
    let lastCommit = 0;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        db
          .transaction(async (tx) => {
            await tx.run('insert into t values ($1)', [100 + i]);
            tx.wake(CHANNEL, 'rows');
          })
          .then(() => (lastCommit = Math.max(lastCommit, Date.now()))),
      ),
    );
    await waitFor(() => heard.some((h) => h.at >= lastCommit - 5), 'a wake after the last commit');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(heard.length >= 1 && heard.length < 200, `coalesced: ${heard.length} notifies for 200 commits`);
  });

  test('outside a transaction: woken at once, the hint never blocks the writer', async () => {
    heard.length = 0;
    await db.run('insert into t values (3)');
    db.wake(CHANNEL, 'other');
    await waitFor(() => heard.length > 0, 'the wake');
    assert.equal(heard[0]!.payload, 'other');
  });
});
