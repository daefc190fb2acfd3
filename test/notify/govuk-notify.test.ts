// Issue 4 acceptance 2: a Notify-bound service sends JWT-signed requests the fake Notify accepts, and a delivery receipt
// posted back updates the notification's status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeNotify, type FakeNotify } from '../fakes/notify-api.ts';
import { FormClient } from '../forms/form-client.ts';

const PLACEHOLDERS = ['reference', 'service', 'update', 'tracking_url', 'council'];

describe('GOV.UK Notify channel', () => {
  let notify: FakeNotify;
  let t: TestHub;
  const receiptToken = randomBytes(24).toString('base64url');
  const templates = { emailSubmitted: randomUUID(), emailUpdate: randomUUID(), smsSubmitted: randomUUID(), smsUpdate: randomUUID() };

  before(async () => {
    notify = await startFakeNotify([
      { id: templates.emailSubmitted, type: 'email', placeholders: PLACEHOLDERS },
      { id: templates.emailUpdate, type: 'email', placeholders: PLACEHOLDERS },
      { id: templates.smsSubmitted, type: 'sms', placeholders: PLACEHOLDERS },
      { id: templates.smsUpdate, type: 'sms', placeholders: PLACEHOLDERS },
    ]);
    t = await startTestHub({
      worker: true,
      // The example services send through the channel named "email"; here it is GOV.UK Notify.
      configure: (config) => {
        config.channels.email = {
          channel: 'govuk-notify',
          config: {
            apiKey: notify.apiKey,
            baseUrl: notify.url,
            prefer: 'sms',
            receiptToken,
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
    await t.close();
    await notify.close();
  });

  test('messages go to Notify signed and complete; receipts update the notification', async () => {
    const res = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: {
          pest: 'rats',
          whereSeen: ['garden'],
          premisesType: 'domestic',
          propertyAddress: { line1: '9 Orchard Way', town: 'Exampleton', postcode: 'EX3 1PL' },
          preferredDays: ['tue', 'thu'],
          concession: 'no',
          fullName: 'Jo Tenant',
          email: 'jo@example.com',
          phone: '07700 900123',
        },
      }),
    });
    assert.equal(res.status, 201);
    const { reference, processId } = (await res.json()) as { reference: string; processId: string };

    const confirmation = () => notify.accepted.find((n) => n.personalisation.reference === reference && n.templateId === templates.smsSubmitted);
    for (let i = 0; i < 200 && !confirmation(); i++) await new Promise((r) => setTimeout(r, 50));
    const sent = confirmation();
    assert.ok(sent, `Notify accepted the message (rejected: ${JSON.stringify(notify.rejected)})`);
    assert.equal(sent.type, 'sms', 'SMS, as the channel prefers');
    assert.equal(sent.to, '07700 900123');
    assert.equal(sent.templateId, templates.smsSubmitted);
    assert.equal(sent.jwtClaims.iss, notify.serviceId);
    assert.match(sent.personalisation.tracking_url!, /\/track\/[A-Za-z0-9_-]{43}$/);
    assert.equal(sent.personalisation.council, 'Example District Council');

    // The hub records Notify's id once Notify has answered: wait for that.
    let row: { id: string; status: string; provider_ref: string | null } = { id: '', status: '', provider_ref: null };
    for (let i = 0; i < 200 && row.status !== 'sent'; i++) {
      const rows = await t.hub.db.rows(`select id, status, provider_ref from notifications where process_id = $1 and kind = 'submitted'`, [processId]);
      row = (rows as (typeof row)[])[0]!;
      if (row.status !== 'sent') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(sent.reference, row.id, 'Notify reference = our notification id');
    assert.equal(row.provider_ref, sent.id);

    const receipts = `${t.url}/channels/email/receipts`;
    assert.equal((await notify.sendReceipt(receipts, 'wrong-token-wrong-token', sent, 'delivered')).status, 401);
    assert.equal((await notify.sendReceipt(receipts, receiptToken, sent, 'delivered')).status, 204);
    const after = await t.hub.db.rows('select status from notifications where id = $1', [row.id]);
    assert.equal((after as { status: string }[])[0]!.status, 'delivered');

    const bad = await fetch(receipts, {
      method: 'POST',
      headers: { authorization: `Bearer ${receiptToken}`, 'content-type': 'application/json' },
      body: 'not json',
    });
    assert.equal(bad.status, 400);
    const untyped = await fetch(receipts, { method: 'POST', headers: { authorization: `Bearer ${receiptToken}` }, body: '{}' });
    assert.equal(untyped.status, 415, 'JSON type only, as on the API');
  });

  test('"save and come back later": the link goes by e-mail through the "submitted" template when none is set for it', async () => {
    const c = new FormClient(t.url);
    await c.get('/services/pest-control');
    const saved = await c.answer('/services/pest-control/the-pest', { pest: 'mice', whereSeen: ['loft'], saveAndReturn: '1' });
    assert.equal(saved.status, 302);
    const page = await c.get(new URL(saved.location!, 'http://x').pathname + new URL(saved.location!, 'http://x').search);
    const action = /<form[^>]*action="([^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    assert.equal((await c.postForm(action, { _csrf: csrf, email: 'notify.saver@example.com' })).status, 302);

    const link = () => notify.accepted.find((n) => n.to === 'notify.saver@example.com');
    for (let i = 0; i < 200 && !link(); i++) await new Promise((r) => setTimeout(r, 50));
    const sent = link();
    assert.ok(sent, `Notify accepted the message (rejected: ${JSON.stringify(notify.rejected)})`);
    assert.equal(sent.type, 'email', 'by e-mail, though the channel prefers SMS: the address is all there is');
    assert.equal(sent.templateId, templates.emailSubmitted);
    assert.equal(sent.personalisation.subject, 'Continue your form: Request pest control');
    assert.match(sent.personalisation.body!, /\/return\/[A-Za-z0-9_-]{43}\n/);
    assert.match(sent.personalisation.tracking_url!, /\/return\/[A-Za-z0-9_-]{43}$/);
  });

  test('Notify errors: 5xx is retried, then the message goes once', async () => {
    notify.failNext(1, 500);
    const before = notify.accepted.length;
    const res = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: {
          pest: 'wasps',
          whereSeen: ['loft'],
          premisesType: 'commercial',
          propertyAddress: { line1: '1 Market St', postcode: 'EX1 1AA' },
          preferredDays: ['mon'],
          fullName: 'Sam Shop',
          email: 'sam@example.com',
          phone: '07700 900456',
        },
      }),
    });
    const { reference } = (await res.json()) as { reference: string };
    const ofKind = (templateId: string) => notify.accepted.filter((n) => n.personalisation.reference === reference && n.templateId === templateId);
    // Two messages: the confirmation and the "passed to the team" update; one of them met the 500 first.
    for (let i = 0; i < 300 && (ofKind(templates.smsSubmitted).length === 0 || ofKind(templates.smsUpdate).length === 0); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ofKind(templates.smsSubmitted).length, 1, 'the confirmation went once');
    assert.equal(ofKind(templates.smsUpdate).length, 1, 'the update went once');
    assert.ok(notify.accepted.length > before);
    assert.ok(
      notify.rejected.some((r) => r.status === 500),
      'the first attempt failed',
    );
  });
});
