// Concurrent submissions share one statement and one commit (core/processes/submission-writer.ts). Every citizen is
// still answered only once their own rows are committed, and one submission at fault fails alone.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers, sql, submitJson } from '../governance/support.ts';
import { submissionWriter, type SubmissionRows } from '../../core/processes/submission-writer.ts';
import { newTrackingToken } from '../../core/processes/tracking-token.ts';

let t: TestHub;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('foundation/group-commit', () => {
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  test('60 simultaneous submissions: all answered 201, every row of each committed, fewer statements than submissions', async () => {
    const writer = submissionWriter(t.hub.db);
    const before = { ...writer.stats };
    const results = await Promise.all(Array.from({ length: 60 }, () => submitJson(t, 'noise-complaint', noiseAnswers)));
    const statements = writer.stats.statements - before.statements;
    assert.equal(writer.stats.submissions - before.submissions, 60);
    assert.ok(statements < 60, `batched: ${statements} statements for 60 submissions`);
    const ids = results.map((r) => r.processId);
    assert.equal(new Set(results.map((r) => r.reference)).size, 60);
    const counts = await sql<{ id: string; tokens: number; tasks: number; events: number; docs: number; deliveries: number; notes: number }>(
      t,
      `select p.id,
       (select count(*)::int from tracking_tokens k where k.process_id = p.id) as tokens,
       (select count(*)::int from tasks k where k.process_id = p.id) as tasks,
       (select count(*)::int from timeline_events k where k.process_id = p.id) as events,
       (select count(*)::int from documents k where k.process_id = p.id and k.kind like 'form-%' and k.content is not null) as docs,
       (select count(*)::int from deliveries k where k.process_id = p.id) as deliveries,
       (select count(*)::int from notifications k where k.process_id = p.id) as notes
     from processes p where p.id = any($1::uuid[])`,
      [ids],
    );
    assert.equal(counts.length, 60);
    const shapes = new Set(counts.map(({ id: _id, ...c }) => JSON.stringify(c)));
    assert.deepEqual(
      [...shapes].map((s) => JSON.parse(s)),
      [{ tokens: 1, tasks: t.hub.catalogue.get('noise-complaint').definition.tasks.length, events: 1, docs: 2, deliveries: 1, notes: 1 }],
    );
    // Each tracking link opens its own process.
    for (const r of results.slice(0, 5)) {
      const res = await fetch(`${t.url}/api/v1/track/${r.trackingUrl.split('/').pop()}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { reference: string }).reference, r.reference);
    }
  });

  test('a submission at fault in a batch fails alone; the others in its statement are committed', async () => {
    const { reference: taken } = await submitJson(t, 'noise-complaint', noiseAnswers);
    const version = t.hub.catalogue.get('noise-complaint').version;
    const rows = (reference: string): SubmissionRows => ({
      processId: randomUUID(),
      reference,
      serviceId: 'noise-complaint',
      serviceVersion: version,
      answersJson: '{}',
      contactJson: '{}',
      channel: null,
      at: new Date(),
      trackingHash: newTrackingToken().hash,
      tasks: [{ key: 'review', title: 'Review' }],
      timelineText: 'Sent online',
      documents: [],
      bindings: [],
      confirmationText: 'We have received your noise report.',
      confirmationWindowSeconds: 0,
    });
    const good1 = rows(`NOI-GOOD${randomUUID().slice(0, 4).toUpperCase()}`);
    const clash = rows(taken);
    const good2 = rows(`NOI-GOOD${randomUUID().slice(0, 4).toUpperCase()}`);
    const writer = submissionWriter(t.hub.db);
    // Written in the same turn of the event loop, so they start as one statement.
    const outcomes = await Promise.allSettled([writer.write(good1), writer.write(clash), writer.write(good2)]);
    assert.equal(outcomes[0]!.status, 'fulfilled');
    assert.equal(outcomes[2]!.status, 'fulfilled');
    assert.equal(outcomes[1]!.status, 'rejected');
    assert.equal(((outcomes[1] as PromiseRejectedResult).reason as { constraint?: string }).constraint, 'processes_reference_key');
    const stored = await sql<{ id: string }>(t, 'select id from processes where id = any($1::uuid[])', [[good1.processId, clash.processId, good2.processId]]);
    assert.deepEqual(stored.map((r) => r.id).sort(), [good1.processId, good2.processId].sort());
  });
});
