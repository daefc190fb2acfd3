// Migration 018 widens two kind checks from whatever list they hold when it runs, so it composes with the other
// migrations made in parallel that add kinds of their own (016, 017, 019), in any order; its down removes only its own.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import type { SqlRunner } from '../../core/db/migration-types.ts';
import { widenInCheck } from '../../core/db/widen-check.ts';
import * as councilDocuments from '../../core/db/migrations/018-council-documents.ts';

let db: TestDatabase;
let client: pg.Client;
let runner: SqlRunner;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('documents/migration-018', () => {
  before(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // As umzug's Sequelize answers a raw query: [rows, metadata].
    runner = { query: async (sql, bind) => [(await client.query(sql, bind as unknown[])).rows, null], config: null };
  });
  after(async () => {
    await client?.end();
    await db?.drop();
  });

  const allowed = async (table: string): Promise<string[]> => {
    const { rows } = await client.query<{ def: string }>(`select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1`, [
      `${table}_kind_check`,
    ]);
    return [...rows[0]!.def.matchAll(/'([^']+)'/g)].map((m) => m[1]!).sort();
  };

  // up/down are called as umzug calls them; only the context matters to them.
  const run = (step: 'up' | 'down') => councilDocuments[step]({ context: runner, name: '018-council-documents' } as never);

  test('018 keeps the kinds another migration added before it, and its down leaves them', async () => {
    await client.query(`create table documents (id int, kind text not null check (kind in ('form-json', 'form-html', 'evidence', 'xml')))`);
    await client.query(`create table timeline_events (id int, kind text not null check (kind in ('submitted', 'received', 'note', 'task', 'status')))`);
    // Another branch's migration (citizen replies) ran first.
    await widenInCheck(runner, 'documents', 'kind', 'documents_kind_check', ['citizen-reply']);
    await widenInCheck(runner, 'timeline_events', 'kind', 'timeline_events_kind_check', ['citizen-message']);

    await run('up');
    assert.deepEqual(await allowed('documents'), ['citizen-reply', 'council', 'evidence', 'form-html', 'form-json', 'xml']);
    assert.deepEqual(await allowed('timeline_events'), ['citizen-message', 'document', 'note', 'received', 'status', 'submitted', 'task']);
    await client.query(`insert into documents (id, kind) values (1, 'council'), (2, 'citizen-reply')`);
    await assert.rejects(client.query(`insert into documents (id, kind) values (3, 'bogus')`), /documents_kind_check/);

    // And after it: a later widening keeps 018's kinds.
    await widenInCheck(runner, 'timeline_events', 'kind', 'timeline_events_kind_check', ['target-moved']);
    assert.ok((await allowed('timeline_events')).includes('document'));

    await run('down');
    assert.deepEqual(await allowed('documents'), ['citizen-reply', 'evidence', 'form-html', 'form-json', 'xml']);
    assert.deepEqual(await allowed('timeline_events'), ['citizen-message', 'note', 'received', 'status', 'submitted', 'target-moved', 'task']);
  });
});
