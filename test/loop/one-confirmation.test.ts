// Issue 18, "one message, not two": a submission the back office takes within notifications.confirmationWindowSeconds
// gets one confirmation that says both "received" and "passed to the team"; a slow back office still gets two messages;
// a window of 0 sends the confirmation at once, as before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { startFakeNotify, type FakeNotify } from '../fakes/notify-api.ts';
import { noiseAnswers } from '../governance/support.ts';

const WINDOW_SECONDS = 3;
/** The slow back office answers after the window has passed. */
const SLOW_MS = 5000;

const pestAnswers = {
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

async function submit(t: TestHub, serviceId: 'pest-control' | 'noise-complaint'): Promise<{ processId: string; reference: string }> {
  const res = await fetch(`${t.url}/api/v1/services/${serviceId}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: serviceId === 'pest-control' ? pestAnswers : noiseAnswers }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as { processId: string; reference: string };
}

async function externalRefOf(t: TestHub, processId: string): Promise<string | null> {
  const row = await t.hub.db.row<{ external_ref: string | null }>('select external_ref from processes where id = $1', [processId]);
  return row?.external_ref ?? null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one confirmation by e-mail (SMTP)', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  let slow: Server;
  before(async () => {
    smtp = await startSmtpPeer();
    slow = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"SLOW-1"}'), SLOW_MS);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowUrl = `http://127.0.0.1:${(slow.address() as { port: number }).port}/cases`;
    t = await startTestHub({
      env: { SMTP_PORT: String(smtp.port) },
      worker: true,
      configure: (c) => {
        c.notifications.confirmationWindowSeconds = WINDOW_SECONDS;
        // Noise complaints go to a back office that takes longer than the window.
        c.bindings.slow = {
          ...c.bindings.sandbox!,
          connector: 'webhook',
          config: { url: slowUrl, secret: `whsec_${randomBytes(32).toString('base64')}`, allowPrivateNetwork: true, timeoutMs: 20_000 },
        };
        c.serviceBindings['noise-complaint'] = ['slow'];
      },
    });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    await new Promise((r) => slow?.close(r));
  });

  test('delivered within the window: exactly one e-mail says both, with the back office reference', async () => {
    const { processId, reference } = await submit(t, 'pest-control');
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference)), 20_000);
    // Long enough for a second message, had there been one.
    await sleep(WINDOW_SECONDS * 1000 + 1500);
    const mine = smtp.messages.filter((m) => m.subject.includes(reference));
    assert.equal(mine.length, 1, 'one message');
    const [mail] = mine;
    assert.match(mail!.text, /We have received your pest control request and passed it to the team that deals with it\./);
    assert.match(mail!.html, /passed it to the team/);
    const externalRef = await externalRefOf(t, processId);
    assert.ok(externalRef, 'the sandbox gave a reference');
    assert.ok(mail!.text.includes(`The team’s reference is ${externalRef}.`), mail!.text);
    const rows = await t.hub.db.rows<{ kind: string; status: string; n: number }>(
      `select kind, status, jsonb_array_length(updates)::int as n from notifications where process_id = $1`,
      [processId],
    );
    assert.deepEqual(rows, [{ kind: 'submitted', status: 'sent', n: 2 }]);
  });

  test('a back office slower than the window: the confirmation at the window’s end, then "passed to the team"', async () => {
    const started = Date.now();
    const { reference } = await submit(t, 'noise-complaint');
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference)), 20_000);
    const first = smtp.messages.find((m) => m.subject.includes(reference))!;
    assert.ok(first.at - started >= WINDOW_SECONDS * 1000 - 200, 'the confirmation waited out the window');
    assert.match(first.text, /We have received your noise/);
    assert.doesNotMatch(first.text, /passed it to the team/);
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.text.includes('Passed to the team')), 30_000);
    assert.equal(smtp.messages.filter((m) => m.subject.includes(reference)).length, 2);
  });

  test('window 0: the confirmation goes at once and "passed to the team" follows, as before', async () => {
    t.hub.config.notifications.confirmationWindowSeconds = 0;
    try {
      const { processId, reference } = await submit(t, 'pest-control');
      await smtp.waitFor((ms) => ms.filter((m) => m.subject.includes(reference)).length >= 2, 20_000);
      const mine = smtp.messages.filter((m) => m.subject.includes(reference));
      assert.match(mine[0]!.text, /We have received your pest control request\./);
      assert.ok(mine.some((m) => m.text.includes('Passed to the team')));
      const kinds = await t.hub.db.rows<{ kind: string }>(`select kind from notifications where process_id = $1 order by created_at`, [processId]);
      assert.deepEqual(
        kinds.map((k) => k.kind),
        ['submitted', 'update'],
      );
    } finally {
      t.hub.config.notifications.confirmationWindowSeconds = WINDOW_SECONDS;
    }
  });
});

describe('one confirmation by text message (GOV.UK Notify)', () => {
  let notify: FakeNotify;
  let t: TestHub;
  const templates = { emailSubmitted: randomUUID(), emailUpdate: randomUUID(), smsSubmitted: randomUUID(), smsUpdate: randomUUID() };
  before(async () => {
    const placeholders = ['subject', 'body', 'reference'];
    notify = await startFakeNotify([
      { id: templates.emailSubmitted, type: 'email', placeholders },
      { id: templates.emailUpdate, type: 'email', placeholders },
      { id: templates.smsSubmitted, type: 'sms', placeholders: ['body'] },
      { id: templates.smsUpdate, type: 'sms', placeholders: ['body'] },
    ]);
    t = await startTestHub({
      worker: true,
      configure: (c) => {
        c.notifications.confirmationWindowSeconds = WINDOW_SECONDS;
        c.channels.email = {
          channel: 'govuk-notify',
          config: {
            apiKey: notify.apiKey,
            baseUrl: notify.url,
            prefer: 'sms',
            // No template of its own for the joined confirmation: the "submitted" one carries its ((body)).
            templates: {
              email: { submitted: templates.emailSubmitted, update: templates.emailUpdate },
              sms: { submitted: templates.smsSubmitted, update: templates.smsUpdate },
            },
          },
        };
      },
    });
  });
  after(async () => {
    await t?.close();
    await notify?.close();
  });

  test('delivered within the window: one SMS says both', async () => {
    const { processId } = await submit(t, 'pest-control');
    for (let i = 0; i < 300 && !notify.accepted.length; i++) await sleep(50);
    await sleep(WINDOW_SECONDS * 1000 + 1500);
    assert.deepEqual(notify.rejected, []);
    assert.equal(notify.accepted.length, 1, 'one message');
    const [sms] = notify.accepted;
    assert.equal(sms!.type, 'sms');
    assert.equal(sms!.to, pestAnswers.phone);
    assert.equal(sms!.templateId, templates.smsSubmitted);
    const externalRef = await externalRefOf(t, processId);
    assert.match(sms!.personalisation.body!, /we have received your pest control request and passed it to the team\./);
    assert.ok(sms!.personalisation.body!.includes(`The team’s reference is ${externalRef}. Track it at`), sms!.personalisation.body);
  });
});
