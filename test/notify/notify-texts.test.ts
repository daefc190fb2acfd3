// A service's own message wording through GOV.UK Notify: a council's Notify templates made of ((subject)) and ((body))
// carry it, filled in, for e-mail and SMS alike; a service without its own wording sends the hub's standard text there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeNotify, type FakeNotify } from '../fakes/notify-api.ts';
import { editDraft, openDraft, publishDraft } from '../../core/designer/drafts.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };

describe('GOV.UK Notify: a service’s own wording', () => {
  let notify: FakeNotify;
  let t: TestHub;
  const templates = { emailSubmitted: randomUUID(), emailUpdate: randomUUID(), smsSubmitted: randomUUID(), smsUpdate: randomUUID() };

  before(async () => {
    notify = await startFakeNotify([
      { id: templates.emailSubmitted, type: 'email', placeholders: ['subject', 'body'] },
      { id: templates.emailUpdate, type: 'email', placeholders: ['subject', 'body'] },
      { id: templates.smsSubmitted, type: 'sms', placeholders: ['body'] },
      { id: templates.smsUpdate, type: 'sms', placeholders: ['body'] },
    ]);
    t = await startTestHub({
      worker: true,
      configure: (config) => {
        config.channels.email = {
          channel: 'govuk-notify',
          config: {
            apiKey: notify.apiKey,
            baseUrl: notify.url,
            prefer: 'both',
            receiptToken: randomBytes(24).toString('base64url'),
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

  async function submit(): Promise<string> {
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
    return ((await res.json()) as { reference: string }).reference;
  }

  const sent = (reference: string, templateId: string) => notify.accepted.find((n) => n.personalisation.reference === reference && n.templateId === templateId);

  test('the standard wording, then the service’s own, in ((subject)) and ((body)) of e-mail and SMS', async () => {
    const standard = await submit();
    await waitUntil(() => !!sent(standard, templates.emailSubmitted) && !!sent(standard, templates.smsSubmitted));
    assert.equal(sent(standard, templates.emailSubmitted)!.personalisation.subject, `We have received your pest control request – ${standard}`);
    assert.match(sent(standard, templates.smsSubmitted)!.personalisation.body!, new RegExp(`Your reference is ${standard}\\. Track it at http`));

    const draft = await openDraft(t.hub, editor, 'pest-control');
    const edited = await editDraft(t.hub, editor, 'pest-control', draft.revision, 'changed the wording of the messages to the citizen', (d) => {
      d.messages = {
        submitted: { subject: 'Pests ((reference))', body: 'Dear ((name)), we have your ((noun)).\n\n((trackingUrl))', sms: 'Pests ((reference)) logged' },
      };
    });
    await publishDraft(t.hub, editor, 'pest-control', edited.revision);

    const own = await submit();
    await waitUntil(() => !!sent(own, templates.emailSubmitted) && !!sent(own, templates.smsSubmitted));
    const email = sent(own, templates.emailSubmitted)!.personalisation;
    assert.equal(email.subject, `Pests ${own}`);
    assert.match(email.body!, /^Dear Jo Tenant, we have your pest control request\.\n\nhttp:\/\/\S+\/track\/[A-Za-z0-9_-]{43}$/);
    assert.equal(sent(own, templates.smsSubmitted)!.personalisation.body, `Pests ${own} logged`);
  });
});

async function waitUntil(ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const started = Date.now(); !ok();) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
