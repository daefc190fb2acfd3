// Rapid updates inside the combine window become one message; a citizen without contact details gets no message
// but sees everything on the tracking page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';

const answers = {
  pest: 'mice',
  whereSeen: ['inside'],
  premisesType: 'domestic',
  propertyAddress: { line1: '2 Burrow Close', postcode: 'EX5 3RR' },
  preferredDays: ['mon', 'fri'],
  concession: 'yes',
  fullName: 'Lee Homeowner',
  email: 'lee@example.com',
  phone: '07700 900789',
};

describe('combined messages', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: true, configure: (c) => void (c.notifications.combineWindowSeconds = 2) });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  test('a note and two task changes inside the window arrive as one message', async () => {
    const res = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    const { processId, reference } = (await res.json()) as { processId: string; reference: string };
    const key = await t.key(['pest-control']);
    const api = (path: string, method: string, body: unknown) =>
      fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Wait for the delivery's own update to go out, so the three below share a fresh window.
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.text.includes('Passed to the team')));
    const before = smtp.messages.filter((m) => m.subject.includes(reference)).length;
    assert.equal(
      (await api(`/api/v1/processes/${processId}/notes`, 'POST', { text: 'Our technician will come on Monday.', visibleToCitizen: true })).status,
      201,
    );
    assert.equal((await api(`/api/v1/processes/${processId}/tasks/triage`, 'PATCH', { status: 'completed' })).status, 200);
    assert.equal((await api(`/api/v1/processes/${processId}/tasks/book-appointment`, 'PATCH', { status: 'completed' })).status, 200);
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.text.includes('Book appointment: completed')), 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    const after = smtp.messages.filter((m) => m.subject.includes(reference)).slice(before);
    assert.equal(after.length, 1, 'one combined message');
    for (const text of ['Our technician will come on Monday.', 'Triage: completed', 'Book appointment: completed'])
      assert.ok(after[0]!.text.includes(text), text);
  });

  test('no contact details: no message, but the tracking page has everything', async () => {
    const res = await fetch(`${t.url}/api/v1/services/fly-tipping/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: {
          location: { line1: 'Lay-by, Old Road', postcode: 'EX6 7AA' },
          wasteTypes: ['garden'],
          amount: 'bags',
          blocking: 'no',
          seenOn: '2026-11-22',
          sawDumping: 'no',
          fullName: 'Anon',
          email: 'x@example.com',
        },
      }),
    });
    assert.equal(res.status, 201);
    const { processId, trackingUrl } = (await res.json()) as { processId: string; trackingUrl: string };
    // Remove the contact details as an erasure would, then act: no message is queued.
    await t.hub.db.run(`update processes set contact = '{}' where id = $1`, [processId]);
    const key = await t.key(['fly-tipping']);
    await fetch(`${t.url}/api/v1/processes/${processId}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Cleared this morning.', visibleToCitizen: true }),
    });
    const rows = await t.hub.db.rows(
      `select count(*)::int as n from notifications where process_id = $1 and kind = 'update' and updates::text like '%Cleared%'`,
      [processId],
    );
    assert.equal((rows as { n: number }[])[0]!.n, 0);
    const view = (await (await fetch(`${t.url}/api/v1/track/${trackingUrl.split('/track/')[1]}`)).json()) as { timeline: { text: string }[] };
    assert.ok(view.timeline.some((e) => e.text === 'Cleared this morning.'));
  });
});
