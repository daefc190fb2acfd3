// Regression (seen as a flaky retention run in CI): erasure locks the process, then its deliveries; a delivery being
// recorded at the same moment locks them the other way round, and Postgres ends one of the two as a deadlock. The
// erasure must still happen: it is retried, being idempotent.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { eraseProcess } from '../../core/governance/index.ts';
import { noiseAnswers, sql, submitJson } from './support.ts';

let t: TestHub;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('governance/erase-deadlock', () => {
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  test('an erasure that meets a delivery being recorded (a deadlock) is retried and done', async () => {
    const p = await submitJson(t, 'noise-complaint', noiseAnswers);
    const other = new pg.Client({ connectionString: t.db.url });
    await other.connect();
    try {
      // The delivery's side, as record.ts does it: its delivery row first…
      await other.query('begin');
      await other.query('update deliveries set updated_at = now() where process_id = $1', [p.processId]);
      const erasing = eraseProcess({ db: t.hub.db, store: t.hub.store, erasers: t.hub.erasers }, p.processId, {
        actor: 'test',
        via: 'request',
        reason: 'deadlock test',
      });
      // …then, once the erasure holds the process and waits for the delivery, the process row.
      await new Promise((r) => setTimeout(r, 300));
      const otherSide = other.query('update processes set updated_at = now() where id = $1', [p.processId]).then(
        () => other.query('commit'),
        async (err: Error) => {
          await other.query('rollback');
          return err;
        },
      );
      const result = await erasing;
      await otherSide;
      assert.equal(result.erased, true);
      const [row] = await sql<{ erased_at: Date | null }>(t, 'select erased_at from processes where id = $1', [p.processId]);
      assert.ok(row!.erased_at, 'the process is erased');
    } finally {
      await other.end();
    }
  });
});
