// The worker's claims and records are shared by concurrent jobs (core/db/group-batcher.ts): each job still gets its own
// row back, a stale job gets nothing, and two deliveries of one process (which cannot share a statement) are recorded
// one statement after the other with the same outcome.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers, sql, submitJson } from '../governance/support.ts';
import { claimDelivery, recordDelivered } from '../../core/delivery/deliveries-repo.ts';

const LEASE_MS = 60_000;

let t: TestHub;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('delivery/batched-records', () => {
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const deliveryOf = async (processId: string) => (await sql<{ id: string }>(t, 'select id from deliveries where process_id = $1', [processId]))[0]!.id;

  function xmlOf(reference: string) {
    const bytes = Buffer.from(`<Case><Reference>${reference}</Reference></Case>`);
    return { reference, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  test('simultaneous claims each get their own delivery; a second claim of a delivered one gets nothing', async () => {
    const submitted = await Promise.all(Array.from({ length: 8 }, () => submitJson(t, 'noise-complaint', noiseAnswers)));
    const ids = await Promise.all(submitted.map((s) => deliveryOf(s.processId)));
    // Claimed in the same turn of the event loop, so they share statements.
    const claims = await Promise.all(ids.map((id) => claimDelivery(t.hub.db, id, LEASE_MS)));
    claims.forEach((c, i) => {
      assert.ok(c, `delivery ${i} claimed`);
      assert.equal(c.processId, submitted[i]!.processId);
      assert.equal(c.process.reference, submitted[i]!.reference);
      assert.equal(c.attempt, 1);
      assert.ok(
        c.documents.some((d) => d.kind === 'form-json'),
        'the form copies travel with the claim',
      );
    });
    const recorded = await Promise.all(
      claims.map((c, i) =>
        recordDelivered(
          t.hub.db,
          {
            deliveryId: ids[i]!,
            processId: c!.processId,
            number: c!.attemptNumber,
            startedAt: new Date(),
            responseExcerpt: 'ok',
            xml: xmlOf(c!.process.reference),
          },
          `BO-${i}`,
          'Passed to the team',
          {
            windowSeconds: 0,
          },
        ),
      ),
    );
    assert.deepEqual(
      recorded,
      ids.map(() => true),
    );
    const rows = await sql<{ status: string; external_ref: string; p_status: string; p_ref: string; attempts: number; xml: number }>(
      t,
      `select d.status, d.external_ref, p.status as p_status, p.external_ref as p_ref,
       (select count(*)::int from delivery_attempts a where a.delivery_id = d.id) as attempts,
       (select count(*)::int from documents x where x.process_id = p.id and x.kind = 'xml') as xml
     from deliveries d join processes p on p.id = d.process_id where d.id = any($1::uuid[]) order by array_position($1::uuid[], d.id)`,
      [ids],
    );
    rows.forEach((r, i) => assert.deepEqual(r, { status: 'delivered', external_ref: `BO-${i}`, p_status: 'received', p_ref: `BO-${i}`, attempts: 1, xml: 1 }));
    // A stale job: claimed again after it was delivered, and recorded again.
    assert.equal(await claimDelivery(t.hub.db, ids[0]!, LEASE_MS), null);
    assert.equal(
      await recordDelivered(t.hub.db, { deliveryId: ids[0]!, processId: claims[0]!.processId, number: 2, startedAt: new Date() }, 'BO-again', 'again', {
        windowSeconds: 0,
      }),
      false,
    );
  });

  test('two deliveries of one process recorded at once: both recorded, one message carrying both updates, one XML kept', async () => {
    const s = await submitJson(t, 'noise-complaint', noiseAnswers);
    const first = await deliveryOf(s.processId);
    const second = randomUUID();
    await sql(t, `insert into deliveries (id, process_id, binding, status) values ($1, $2, 'second-back-office', 'queued')`, [second, s.processId]);
    const [a, b] = await Promise.all([claimDelivery(t.hub.db, first, LEASE_MS), claimDelivery(t.hub.db, second, LEASE_MS)]);
    assert.ok(a && b);
    const record = (id: string, n: number, ref: string, text: string) =>
      recordDelivered(t.hub.db, { deliveryId: id, processId: s.processId, number: n, startedAt: new Date(), xml: xmlOf(s.reference) }, ref, text, {
        windowSeconds: 0,
      });
    // In one statement these would update the same pending message twice: they go one statement after the other.
    assert.deepEqual(
      await Promise.all([record(first, a.attemptNumber, 'BO-A', 'Passed to team A'), record(second, b.attemptNumber, 'BO-B', 'Passed to team B')]),
      [true, true],
    );
    const deliveries = await sql<{ binding: string; status: string; external_ref: string }>(
      t,
      'select binding, status, external_ref from deliveries where process_id = $1 order by binding',
      [s.processId],
    );
    assert.deepEqual(
      deliveries.map((d) => d.status),
      ['delivered', 'delivered'],
    );
    const events = await sql<{ text: string }>(t, `select text from timeline_events where process_id = $1 and kind = 'received' order by text`, [s.processId]);
    assert.deepEqual(
      events.map((e) => e.text),
      ['Passed to team A', 'Passed to team B'],
    );
    const updates = await sql<{ texts: string[] }>(
      t,
      `select array(select u->>'text' from jsonb_array_elements(updates) u order by 1) as texts from notifications where process_id = $1 and kind = 'update'`,
      [s.processId],
    );
    assert.deepEqual(updates, [{ texts: ['Passed to team A', 'Passed to team B'] }]);
    assert.equal((await sql<{ n: number }>(t, `select count(*)::int as n from documents where process_id = $1 and kind = 'xml'`, [s.processId]))[0]!.n, 1);
  });
});
