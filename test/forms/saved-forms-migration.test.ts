// Migration 017 widens the kind check of notifications from whatever list the database holds, so it composes with the
// other migrations that widen the same check (in any order): a kind another migration added survives 017's down and up.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import * as savedForms from '../../core/db/migrations/017-saved-forms.ts';
import type { SqlRunner } from '../../core/db/migration-types.ts';

describe('migration 017 (saved forms)', () => {
  let t: TestHub;
  let client: pg.Client;
  before(async () => {
    t = await startTestHub();
    client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await t?.close();
  });

  /** The migration's SQL runner answers as Sequelize does: [rows, metadata]. */
  const runner: SqlRunner = {
    query: async (sql, bind) => {
      const result = (await client.query(sql, bind)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result[result.length - 1]! : result;
      return [last.rows, last];
    },
    config: null,
  };
  const run = (step: typeof savedForms.up) => step({ name: '017-saved-forms', context: runner } as Parameters<typeof savedForms.up>[0]);

  async function kinds(): Promise<string[]> {
    const { rows } = await client.query(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'notifications'::regclass and conname = 'notifications_kind_check'`,
    );
    return [...(rows[0].def as string).matchAll(/'([^']*)'/g)].map((m) => m[1]!).sort();
  }

  test('adds saved-form to the kinds the database holds, keeping one another migration added, down and up again', async () => {
    assert.deepEqual(await kinds(), ['saved-form', 'submitted', 'update']);
    // As if another branch's migration had widened the check too.
    await client.query(
      `alter table notifications drop constraint notifications_kind_check, add constraint notifications_kind_check check (kind in ('submitted', 'update', 'saved-form', 'citizen-reply'))`,
    );
    await run(savedForms.down);
    assert.deepEqual(await kinds(), ['citizen-reply', 'submitted', 'update']);
    const { rows } = await client.query(`select to_regclass('saved_forms') as t`);
    assert.equal(rows[0].t, null, 'down drops saved_forms');
    await run(savedForms.up);
    assert.deepEqual(await kinds(), ['citizen-reply', 'saved-form', 'submitted', 'update']);
    await assert.rejects(
      client.query(`insert into notifications (id, channel, kind, status) values (gen_random_uuid(), 'email', 'saved-form', 'pending')`),
      /notifications_has_subject/,
      'a notification belongs to a process or a saved form',
    );
  });
});
