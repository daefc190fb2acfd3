// A back office's note reaches the citizen without waiting for the outbox relay: once the note is committed, the serve
// role queues its message's job itself (core/notify/publish.ts). The relay's timer is switched off here, so only that
// path can send anything; a note made inside a caller's transaction (Idempotency-Key) wakes the relay instead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { noiseAnswers, sql, submitJson } from '../governance/support.ts';

let smtp: SmtpPeer;
let t: TestHub;
let key: string;
before(async () => {
  smtp = await startSmtpPeer();
  t = await startTestHub({
    env: { SMTP_PORT: String(smtp.port) },
    worker: {},
    configure: (c) => {
      c.worker.relayIntervalMs = 600_000;
    },
  });
  key = await t.key(['noise-complaint']);
});
after(async () => {
  await t?.close();
  await smtp?.close();
});

const note = (processId: string, text: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/api/v1/processes/${processId}/notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ text, visibleToCitizen: true }),
  });

const statuses = async (processId: string) =>
  Object.fromEntries((await sql<{ kind: string; status: string }>(t, 'select kind, status from notifications where process_id = $1', [processId])).map((r) => [r.kind, r.status]));

test('a public note is e-mailed at once, with no relay pass: the other message still waiting in the outbox stays there', async () => {
  const s = await submitJson(t, 'noise-complaint', noiseAnswers);
  // The "we have your request" message waits for the relay, whose timer is off.
  assert.deepEqual(await statuses(s.processId), { submitted: 'pending' });
  const res = await note(s.processId, 'An officer will visit on Tuesday.');
  assert.equal(res.status, 201);
  await smtp.waitFor((ms) => ms.some((m) => m.text.includes('An officer will visit on Tuesday.')), 10_000);
  assert.deepEqual(await statuses(s.processId), { submitted: 'pending', update: 'sent' }, 'only the note went out: it was queued by the serve role');
});

test('a note inside an idempotent request is queued after its commit, by the relay that its NOTIFY wakes', async () => {
  const s = await submitJson(t, 'noise-complaint', noiseAnswers);
  const res = await note(s.processId, 'We have written to the occupier.', { 'idempotency-key': randomUUID() });
  assert.equal(res.status, 201);
  await smtp.waitFor((ms) => ms.some((m) => m.text.includes('We have written to the occupier.')), 10_000);
  // The relay pass took every due message of the outbox, this process's first one too.
  await smtp.waitFor((ms) => ms.filter((m) => m.text.includes(s.reference) || m.subject.includes(s.reference)).length >= 2, 10_000);
  assert.equal((await statuses(s.processId)).update, 'sent');
});
