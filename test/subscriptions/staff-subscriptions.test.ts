// The console's Subscriptions page (issue 18): council admins and operators list subscriptions with their recent
// deliveries, subscribe a URL to event types through a GOV.UK form (errors in the summary, 169.254.169.254 refused, the
// secret shown once) and delete one after a confirmation; a council admin sees only its council's; caseworkers get 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { waitFor } from '../helpers/wait.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';
import { CONFIG, submit } from './support.ts';

describe('staff console: subscriptions', () => {
  let t: TestHub;
  let subscriber: WebhookReceiver;
  let southAdmin: StaffAccount;
  let northAdmin: StaffAccount;
  let operator: StaffAccount;
  let caseworker: StaffAccount;

  before(async () => {
    const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    subscriber = await startWebhookReceiver(secret);
    t = await staffTestHub({ configFile: CONFIG, env: { TEST_WEBHOOK_SECRET: secret, TEST_WEBHOOK_URL: subscriber.url }, worker: true });
    southAdmin = await signUpStaff(t, { role: 'council-admin', council: 'south', name: 'Sam Patel' });
    northAdmin = await signUpStaff(t, { role: 'council-admin', council: 'north', name: 'Nia North' });
    operator = await signUpStaff(t, { role: 'operator', name: 'Olu Operator' });
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'south', name: 'Cas Worker' });
  });
  after(async () => {
    await t?.close();
    await subscriber?.close();
  });

  test('a council admin subscribes through the form (GOV.UK errors, private addresses refused), sees it listed, then deletes it', async () => {
    const b = southAdmin.browser;
    const form = await b.get('/staff/subscriptions/new');
    assert.equal(form.status, 200);
    assert.match(form.html, /name="event:note.added"/);
    assert.doesNotMatch(form.html, /name="allowPrivateNetwork"/, 'only operators may allow private networks');

    const empty = await b.post('/staff/subscriptions', { url: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /govuk-error-summary/);
    assert.match(empty.html, /<title>Error: /);
    assert.match(empty.html, /Enter the web address the events are sent to/);
    assert.match(empty.html, /Select at least one event type/);

    await b.get('/staff/subscriptions/new');
    const metadata = await b.post('/staff/subscriptions', { url: 'http://169.254.169.254/', 'event:note.added': 'yes' });
    assert.equal(metadata.status, 400);
    assert.match(metadata.html, /href="#url"/);
    assert.match(metadata.html, /loopback, private or link-local/);
    assert.match(metadata.html, /name="event:note.added" type="checkbox" value="yes" checked/, 'the answers are kept');

    await b.get('/staff/subscriptions/new');
    const sneaky = await b.post('/staff/subscriptions', { url: subscriber.url, 'event:note.added': 'yes', allowPrivateNetwork: 'yes' });
    assert.equal(sneaky.status, 400, 'a council admin cannot allow private networks by posting the field');

    // Made by the API for the operator: a local subscriber; the council admin must not see it.
    const operatorKey = await t.key([], { admin: true });
    const made = await fetch(`${t.url}/api/v1/admin/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: subscriber.url, events: ['process.submitted'], allowPrivateNetwork: true, description: 'Operator CRM' }),
    });
    assert.equal(made.status, 201);
    const { id: operatorSub, secret: operatorSecret } = (await made.json()) as { id: string; secret: string };
    subscriber.trust(operatorSecret);
    await submit(t, 'south');
    await waitFor(() => subscriber.requests.some((r) => r.body.startsWith('{"type":"process.submitted"')), 'the event');
    await waitFor(async () => (await operator.browser.get('/staff/subscriptions')).html.includes('data-status="delivered"'), 'the delivered row');

    const opList = await operator.browser.get('/staff/subscriptions');
    assert.match(opList.html, /Operator CRM/);
    assert.match(opList.html, /Recent deliveries/);
    assert.match(opList.html, /process\.submitted/);
    const southList = await b.get('/staff/subscriptions');
    assert.equal(southList.status, 200);
    assert.doesNotMatch(southList.html, /Operator CRM/, "a council admin does not see the operator's subscription");
    assert.equal((await b.get(`/staff/subscriptions/${operatorSub}/delete`)).status, 404);

    // The operator subscribes through the form too, to a local address it allows, and gets the secret once.
    const ob = operator.browser;
    const opForm = await ob.get('/staff/subscriptions/new');
    assert.match(opForm.html, /name="allowPrivateNetwork"/);
    const created = await ob.post('/staff/subscriptions', {
      url: `${subscriber.url}?from=console`,
      description: 'Warehouse',
      'event:note.added': 'yes',
      'event:document.added': 'yes',
      allowPrivateNetwork: 'yes',
    });
    assert.equal(created.status, 200, created.html);
    assert.match(created.html, /Subscription created/);
    const secret = /id="signing-secret">(whsec_[A-Za-z0-9+/=]+)</.exec(created.html)?.[1];
    assert.ok(secret, 'the secret is shown');
    const list = await ob.get('/staff/subscriptions');
    assert.match(list.html, /Warehouse/);
    assert.match(list.html, /note\.added, document\.added/);
    assert.ok(!list.html.includes(secret), 'the secret is never shown again');
    const id = /data-subscription="([^"]+)">\s*<div class="govuk-summary-card__title-wrapper">\s*<h2 class="govuk-summary-card__title">Warehouse</.exec(
      list.html,
    )?.[1];
    assert.ok(id);
    assert.equal((await northAdmin.browser.get(`/staff/subscriptions/${id}/delete`)).status, 404, "another council's admin: 404");

    const confirm = await ob.get(`/staff/subscriptions/${id}/delete`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Delete the subscription Warehouse\?/);
    const deleted = await ob.post(`/staff/subscriptions/${id}/delete`, {});
    assert.equal(deleted.status, 200);
    assert.match(deleted.html, /The subscription was deleted/);
    assert.doesNotMatch(deleted.html, /Warehouse/);
    const audit = await t.hub.db.rows<{ action: string; actor: string }>('select action, actor from audit_events where target = $1 order by id', [id]);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['subscription.created', 'subscription.deleted'],
    );
    assert.match(audit[0]!.actor, /^staff:/);
  });

  test('a caseworker gets 404; without CSRF a post is refused', async () => {
    assert.equal((await caseworker.browser.get('/staff/subscriptions')).status, 404);
    assert.equal((await caseworker.browser.get('/staff/subscriptions/new')).status, 404);
    await southAdmin.browser.get('/staff/subscriptions/new');
    const forged = await southAdmin.browser.post('/staff/subscriptions', { url: 'https://crm.example.gov.uk/', 'event:note.added': 'yes' }, { csrf: false });
    assert.equal(forged.status, 403);
  });
});
