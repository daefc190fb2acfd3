// The rows a case adds get version 7 UUIDs (time first), made in Node (newId) or in Postgres (uuid_v7, migration 023),
// so the indexes on them grow at their right-hand end. Checked on what a real submission writes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from '../../core/db/ids.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The millisecond a version 7 UUID was made (its first 48 bits). */
function madeAt(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

function assertMadeAround(id: string, from: number, to: number, what: string): void {
  assert.match(id, V7, `${what} ${id} is a version 7 UUID`);
  const at = madeAt(id);
  // Postgres's clock and Node's are the same machine's; a second either side allows for rounding and scheduling.
  assert.ok(at >= from - 1000 && at <= to + 1000, `${what} ${id} was made at ${new Date(at).toISOString()}, not between its request's start and end`);
}

describe('time-ordered ids', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => {
    await t.close();
  });

  test('newId makes version 7 UUIDs that increase, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    for (const id of ids) assert.match(id, V7);
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `${ids[i]} follows ${ids[i - 1]}`);
    assertMadeAround(ids[0]!, Date.now() - 5000, Date.now(), 'the first id');
  });

  test("uuid_v7() in Postgres makes version 7 UUIDs with the server's time, in order of the millisecond", async () => {
    const from = Date.now();
    const rows = (await t.hub.db.rows('select uuid_v7()::text as id from generate_series(1, 2000)')) as { id: string }[];
    const to = Date.now();
    assert.equal(new Set(rows.map((r) => r.id)).size, 2000);
    for (const { id } of rows) assertMadeAround(id, from, to, 'uuid_v7()');
    for (let i = 1; i < rows.length; i++) assert.ok(madeAt(rows[i]!.id) >= madeAt(rows[i - 1]!.id), 'the clock never goes back within a statement');
  });

  test("a submission's process, form copies, deliveries and confirmation message all have time-ordered ids", async () => {
    const submit = async () => (await submitNoise(t)).processId;
    const from = Date.now();
    const first = await submit();
    const second = await submit();
    const to = Date.now();
    assert.ok(second > first, 'a later process has a greater id');

    for (const processId of [first, second]) {
      assertMadeAround(processId, from, to, 'the process');
      const ids = async (table: string) =>
        ((await t.hub.db.rows(`select id::text as id from ${table} where process_id = $1`, [processId])) as { id: string }[]).map((r) => r.id);
      const documents = await ids('documents');
      assert.equal(documents.length, 2, 'the two form copies');
      for (const id of documents) assertMadeAround(id, from, to, 'a document');
      const deliveries = await ids('deliveries');
      assert.ok(deliveries.length >= 1, 'the service is bound to a back office');
      for (const id of deliveries) assertMadeAround(id, from, to, 'a delivery');
      const messages = await ids('notifications');
      assert.equal(messages.length, 1, 'the confirmation');
      assertMadeAround(messages[0]!, from, to, 'the confirmation message');
    }
  });
});
