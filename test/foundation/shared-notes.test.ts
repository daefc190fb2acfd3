// Concurrent notes share one statement and one commit (core/processes/notes-repo.ts). Each back office is still answered
// only for its own note, notes on one process keep their order, and a note at fault (an erased process, no such
// process) fails alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { addNote } from '../../core/processes/actions.ts';
import { noteStatementStats } from '../../core/processes/notes-repo.ts';
import { apiAs, noiseAnswers, sql, submitJson } from '../governance/support.ts';

let t: TestHub;
let backOffice: ReturnType<typeof apiAs>;

const post = (processId: string, text: string, visibleToCitizen = true) =>
  backOffice(`/api/v1/processes/${processId}/notes`, { method: 'POST', body: JSON.stringify({ text, visibleToCitizen }) });

describe('foundation/shared-notes', () => {
  before(async () => {
    t = await startTestHub();
    backOffice = apiAs(t, await t.key(['noise-complaint'], { name: 'Alloy EH' }));
  });
  after(async () => t?.close());

  test('60 simultaneous notes on 12 cases: each answered 201 once, each written once with its message, fewer statements than notes', async () => {
    const cases = await Promise.all(Array.from({ length: 12 }, () => submitJson(t, 'noise-complaint', noiseAnswers)));
    const before = noteStatementStats();
    const notes = cases.flatMap((c, i) =>
      Array.from({ length: 5 }, (_, k) => ({ processId: c.processId, text: `Case ${i} note ${k}`, visibleToCitizen: k !== 2 })),
    );
    const answers = await Promise.all(notes.map((n) => post(n.processId, n.text, n.visibleToCitizen)));
    assert.deepEqual(
      answers.map((r) => r.status),
      notes.map(() => 201),
    );
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { id: string; processId: string; visibleToCitizen: boolean }[];
    bodies.forEach((b, i) => {
      assert.equal(b.processId, notes[i]!.processId);
      assert.equal(b.visibleToCitizen, notes[i]!.visibleToCitizen);
    });
    assert.equal(new Set(bodies.map((b) => b.id)).size, 60, 'every note has its own timeline entry');

    const stats = noteStatementStats();
    assert.equal(stats.notes - before.notes, 60);
    assert.ok(stats.statements - before.statements < 60, `shared: ${stats.statements - before.statements} statements wrote 60 notes`);

    // Each answer names the entry of its own text, on its own case.
    const entries = await sql<{ id: string; process_id: string; text: string; visible_to_citizen: boolean; actor: string }>(
      t,
      `select id::text, process_id, text, visible_to_citizen, actor from timeline_events where kind = 'note' and id = any($1::bigint[])`,
      [bodies.map((b) => b.id)],
    );
    const byId = new Map(entries.map((e) => [e.id, e]));
    bodies.forEach((b, i) => {
      const e = byId.get(b.id)!;
      assert.equal(e.text, notes[i]!.text);
      assert.equal(e.process_id, notes[i]!.processId);
      assert.equal(e.visible_to_citizen, notes[i]!.visibleToCitizen);
      assert.equal(e.actor, 'Alloy EH');
    });
    // The citizen is told of the four public notes of their case (in one message or several), never of the private one.
    for (const [i, c] of cases.entries()) {
      const told = await sql<{ text: string }>(
        t,
        `select u->>'text' as text from notifications n, jsonb_array_elements(n.updates) u where n.process_id = $1 and n.kind = 'update'`,
        [c.processId],
      );
      assert.deepEqual(told.map((r) => r.text).sort(), [0, 1, 3, 4].map((k) => `Case ${i} note ${k}`).sort());
    }
    const audited = await sql<{ n: number }>(t, `select count(*)::int as n from audit_events where action = 'note.added' and process_id = any($1::uuid[])`, [
      cases.map((c) => c.processId),
    ]);
    assert.equal(audited[0]!.n, 60);
  });

  test('notes on one case in one batch keep the order they were made in', async () => {
    const c = await submitJson(t, 'noise-complaint', noiseAnswers);
    const texts = Array.from({ length: 8 }, (_, k) => `In order ${k}`);
    // Made in the same turn of the event loop, so they reach the batcher in this order and share its batch.
    const deps = { db: t.hub.db, notifyWindowSeconds: 60 };
    const made = await Promise.all(texts.map((text) => addNote(deps, c.processId, { text, visibleToCitizen: true }, { kind: 'api-client', name: 'Alloy EH' })));
    const rows = await sql<{ id: string; text: string }>(t, `select id::text, text from timeline_events where process_id = $1 and kind = 'note' order by id`, [
      c.processId,
    ]);
    assert.deepEqual(
      rows.map((r) => r.text),
      texts,
    );
    assert.deepEqual(
      made.map((m) => m.eventId),
      rows.map((r) => r.id),
    );
  });

  test('in one batch, a note on an erased case gets 410 and one on no case 404; the others are written', async () => {
    const [good, erased] = await Promise.all([submitJson(t, 'noise-complaint', noiseAnswers), submitJson(t, 'noise-complaint', noiseAnswers)]);
    await sql(t, 'update processes set erased_at = now() where id = $1', [erased.processId]);
    const deps = { db: t.hub.db, notifyWindowSeconds: 60 };
    const actor = { kind: 'api-client' as const, name: 'Alloy EH' };
    const outcomes = await Promise.allSettled([
      addNote(deps, good.processId, { text: 'Kept', visibleToCitizen: true }, actor),
      addNote(deps, erased.processId, { text: 'Refused', visibleToCitizen: true }, actor),
      addNote(deps, randomUUID(), { text: 'Nowhere', visibleToCitizen: true }, actor),
      addNote(deps, 'not-a-uuid', { text: 'Malformed', visibleToCitizen: true }, actor),
      addNote(deps, good.processId, { text: 'Kept too', visibleToCitizen: false }, actor),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled'],
    );
    const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason as { status?: number };
    assert.equal(reason(1).status, 410);
    assert.equal(reason(2).status, 404);
    const kept = await sql<{ text: string }>(t, `select text from timeline_events where process_id = $1 and kind = 'note' order by id`, [good.processId]);
    assert.deepEqual(
      kept.map((r) => r.text),
      ['Kept', 'Kept too'],
    );
    const refused = await sql<{ n: number }>(t, `select count(*)::int as n from timeline_events where process_id = $1 and kind = 'note'`, [erased.processId]);
    assert.equal(refused[0]!.n, 0);
    // And through the API, an erased case's note is 410 while a concurrent one on a live case is 201.
    const [live, gone] = await Promise.all([post(good.processId, 'Live'), post(erased.processId, 'Gone')]);
    assert.equal(live.status, 201);
    assert.equal(gone.status, 410);
  });
});
