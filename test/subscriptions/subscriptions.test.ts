// Issue 18: outbound event subscriptions. The admin API (create with a secret shown once, list, get, delete), the SSRF
// guard on subscribed URLs (169.254.169.254, loopback, private ranges) and who may allow private networks; events
// delivered once each, signed, to a real receiver, a private note never sent; a failed event retried then delivered; a
// refused one dead, then replayed; a council's subscription hears only its council.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { waitFor } from '../helpers/wait.ts';
import { insertSubscription } from '../../core/subscriptions/subscriptions-repo.ts';
import { newSigningSecret } from '../../core/subscriptions/signing-secret.ts';
import { CONFIG, eventsOf, submit } from './support.ts';
import { openTrackingPage, postMessage } from '../replies/support.ts';
import { pdfBytes } from '../helpers/files.ts';

interface Problem {
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

interface Delivery {
  id: string;
  eventType: string;
  processId: string;
  status: string;
  attempts: number;
  lastResponseCode: number | null;
}

describe('outbound event subscriptions', () => {
  let backOffice: WebhookReceiver;
  let subscriber: WebhookReceiver;
  let t: TestHub;
  let operator: string;
  let northAdmin: string;
  let backOfficeKey: string;

  before(async () => {
    const boSecret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    backOffice = await startWebhookReceiver(boSecret);
    // The subscriber learns each subscription's secret as it is made (trust): it answers 401 to anything else.
    subscriber = await startWebhookReceiver(boSecret, { referencePrefix: 'CRM' });
    t = await startTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_SECRET: boSecret, TEST_WEBHOOK_URL: backOffice.url, SMTP_PORT: '9' },
      configure: (c) => void (c.subscriptions = { ...c.subscriptions, retry: { attempts: 3, scheduleSeconds: [0.2] }, timeoutMs: 2000 }),
      worker: { sweepAfterMs: 500, sweepIntervalMs: 500 },
    });
    operator = await t.key([], { admin: true, name: 'Hub operator' });
    northAdmin = await t.key([], { admin: true, name: 'North admin', council: 'north' });
    backOfficeKey = await t.key(['*'], { name: 'Back office' });
  });
  after(async () => {
    await t?.close();
    await subscriber?.close();
    await backOffice?.close();
  });
  beforeEach(() => subscriber.reset());

  const call = (key: string, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${t.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
  const subscribe = async (key: string, body: Record<string, unknown>) => {
    const res = await call(key, '/api/v1/admin/subscriptions', { method: 'POST', body });
    assert.equal(res.status, 201, await res.clone().text());
    const made = (await res.json()) as { id: string; secret: string; events: string[]; council: string | null };
    subscriber.trust(made.secret);
    return made;
  };
  const deliveriesOf = async (key: string, id: string) => {
    const res = await call(key, `/api/v1/admin/subscriptions/${id}/deliveries`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
  };

  test('subscribed URLs pass the SSRF guard: 169.254.169.254, loopback and private ranges are refused naming the field', async () => {
    for (const url of [
      'http://169.254.169.254/',
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:8080/hook',
      'http://10.1.2.3/',
      'http://[::1]/',
      'http://192.168.0.10/x',
    ]) {
      const res = await call(operator, '/api/v1/admin/subscriptions', { method: 'POST', body: { url, events: ['process.submitted'] } });
      assert.equal(res.status, 422, url);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as Problem;
      assert.equal(problem.errors?.[0]?.field, 'url', url);
      assert.match(problem.errors![0]!.message, /loopback, private or link-local/);
    }
    const badInputs: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://crm.example.gov.uk/', events: ['process.submitted'] }, 'url'],
      [{ url: 'not a url', events: ['process.submitted'] }, 'url'],
      [{ url: 'https://crm.example.gov.uk/', events: [] }, 'events'],
      [{ url: 'https://crm.example.gov.uk/', events: ['process.deleted'] }, 'events.0'],
      [{ url: 'https://crm.example.gov.uk/', events: ['process.submitted'], secret: 'whsec_mine' }, 'secret'],
    ];
    for (const [body, field] of badInputs) {
      const res = await call(operator, '/api/v1/admin/subscriptions', { method: 'POST', body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(((await res.json()) as Problem).errors?.[0]?.field, field);
    }
    // Only the hub operator may allow private networks; a council's admin is refused, naming the switch.
    const council = await call(northAdmin, '/api/v1/admin/subscriptions', {
      method: 'POST',
      body: { url: subscriber.url, events: ['process.submitted'], allowPrivateNetwork: true },
    });
    assert.equal(council.status, 422);
    assert.equal(((await council.json()) as Problem).errors?.[0]?.field, 'allowPrivateNetwork');
    const forged = await call(northAdmin, '/api/v1/admin/subscriptions', { method: 'POST', body: { url: 'http://169.254.169.254/', events: ['note.added'] } });
    assert.equal(forged.status, 422);
    // A back office's key is not an admin key.
    const notAdmin = await call(backOfficeKey, '/api/v1/admin/subscriptions', { method: 'POST', body: { url: subscriber.url, events: ['note.added'] } });
    assert.equal(notAdmin.status, 403);
    assert.equal(((await (await call(operator, '/api/v1/admin/subscriptions')).json()) as { subscriptions: unknown[] }).subscriptions.length, 0);
  });

  test('create shows the secret once; list and get never do; delete stops it', async () => {
    const made = await subscribe(operator, { url: subscriber.url, events: ['note.added', 'note.added'], description: 'CRM', allowPrivateNetwork: true });
    assert.match(made.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(made.events, ['note.added']);
    assert.equal(made.council, null);
    const list = (await (await call(operator, '/api/v1/admin/subscriptions')).json()) as { subscriptions: Record<string, unknown>[] };
    assert.deepEqual(
      list.subscriptions.map((s) => s.id),
      [made.id],
    );
    assert.ok(!('secret' in list.subscriptions[0]!));
    const one = await call(operator, `/api/v1/admin/subscriptions/${made.id}`);
    assert.equal(one.status, 200);
    const body = await one.text();
    assert.ok(!body.includes(made.secret) && !body.includes('secret'));
    // The secret is not in the database in plain text.
    const stored = await t.hub.db.row<{ secret_encrypted: string }>('select secret_encrypted from subscriptions where id = $1', [made.id]);
    assert.ok(stored && !stored.secret_encrypted.includes(made.secret.slice(6)));

    assert.equal((await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(operator, `/api/v1/admin/subscriptions/${made.id}`)).status, 404);
    assert.equal((await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' })).status, 404);
    const { processId } = await submit(t, 'south');
    await note(processId, 'A public note after the delete', true);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(subscriber.requests.length, 0, 'a deleted subscription receives nothing');
    const audit = await t.hub.db.rows<{ action: string }>(`select action from audit_events where target = $1 order by id`, [made.id]);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['subscription.created', 'subscription.deleted'],
    );
  });

  async function note(processId: string, text: string, visibleToCitizen: boolean): Promise<void> {
    const res = await call(backOfficeKey, `/api/v1/processes/${processId}/notes`, { method: 'POST', body: { text, visibleToCitizen } });
    assert.equal(res.status, 201, await res.text());
  }

  test('each event reaches the subscriber once, signed; a private note never does; the payload holds no personal data', async () => {
    const made = await subscribe(operator, {
      url: subscriber.url,
      events: ['process.submitted', 'process.status_changed', 'note.added', 'task.updated'],
      allowPrivateNetwork: true,
    });
    const { processId, reference } = await submit(t, 'south');
    await note(processId, 'Private: the neighbour at number 3 is known to us', false);
    // A task update with a private note: the task's change is sent, its note is not.
    const task = await call(backOfficeKey, `/api/v1/processes/${processId}/tasks/triage`, {
      method: 'PATCH',
      body: { status: 'completed', note: 'Private: the neighbour at number 3 again', visibleToCitizen: false },
    });
    assert.equal(task.status, 200, await task.text());
    await note(processId, 'An officer will visit on Tuesday', true);
    const closed = await call(backOfficeKey, `/api/v1/processes/${processId}/close`, { method: 'POST', body: { reason: 'The noise has stopped.' } });
    assert.equal(closed.status, 200, await closed.text());

    await waitFor(() => eventsOf(subscriber, made.secret).some((e) => e.event.type === 'process.status_changed'), 'the status event');
    await new Promise((r) => setTimeout(r, 700)); // time for a duplicate to show
    const events = eventsOf(subscriber, made.secret).filter((e) => e.event.data.processId === processId);
    assert.ok(
      events.every((e) => e.signed),
      'every event verifies with the secret shown at creation',
    );
    // The task's completion moves the case on (a status change) before it is closed (another).
    assert.deepEqual(events.map((e) => e.event.type).sort(), [
      'note.added',
      'process.status_changed',
      'process.status_changed',
      'process.submitted',
      'task.updated',
    ]);
    const taskEvent = events.find((e) => e.event.type === 'task.updated')!.event;
    assert.equal(taskEvent.data.text, 'Triage: completed');
    assert.deepEqual(taskEvent.data.detail, { task: 'triage', status: 'completed' });
    assert.equal(new Set(events.map((e) => e.request.id)).size, events.length, 'one webhook-id per event');
    const added = events.find((e) => e.event.type === 'note.added')!.event;
    assert.equal(added.data.reference, reference);
    assert.equal(added.data.serviceId, 'noise');
    assert.equal(added.data.text, 'An officer will visit on Tuesday');
    const all = events.map((e) => e.request.body).join('\n');
    for (const secretThing of ['neighbour at number 3', 'south@example.com', 'Loud music', '1 High St', 'Back office"']) {
      assert.ok(!all.includes(secretThing), `no "${secretThing}" in any event`);
    }
    assert.ok(events.some((e) => e.event.type === 'process.status_changed' && e.event.data.status === 'closed'));

    const deliveries = await deliveriesOf(operator, made.id);
    assert.equal(deliveries.length, 5);
    assert.ok(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastResponseCode === 200));
    assert.deepEqual(new Set(deliveries.map((d) => d.id)), new Set(events.map((e) => e.request.id)), 'the delivery id is the webhook-id');
    // Erasing the process deletes its events (their public text) from the hub.
    const erased = await call(operator, `/api/v1/admin/processes/${processId}/erase`, { method: 'POST', body: { reason: 'Erasure request DPO-1' } });
    assert.equal(erased.status, 200, await erased.text());
    assert.deepEqual(await deliveriesOf(operator, made.id), []);
    await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' });
  });

  test("a citizen's message and a visible council document are sent; a private document and the citizen's words are not", async () => {
    const made = await subscribe(operator, { url: subscriber.url, events: ['citizen.message', 'document.added'], allowPrivateNetwork: true });
    const { processId, trackingUrl } = await submit(t, 'south');
    const upload = async (visibleToCitizen: boolean, name: string) => {
      const form = new FormData();
      form.set('visibleToCitizen', String(visibleToCitizen));
      form.set('file', new Blob([new Uint8Array(pdfBytes(name))], { type: 'application/pdf' }), `${name}.pdf`);
      const res = await fetch(`${t.url}/api/v1/processes/${processId}/documents`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${backOfficeKey}` },
      });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { id: string }).id;
    };
    await upload(false, 'internal-report');
    const letter = await upload(true, 'letter-to-resident');
    const page = await openTrackingPage(trackingUrl);
    const sent = await postMessage(t.url, page, 'The music is back tonight, flat 2 again');
    assert.equal(sent.status, 303, await sent.text());

    await waitFor(() => eventsOf(subscriber, made.secret).length >= 2, 'two events');
    await new Promise((r) => setTimeout(r, 700));
    const events = eventsOf(subscriber, made.secret);
    assert.deepEqual(events.map((e) => e.event.type).sort(), ['citizen.message', 'document.added']);
    assert.ok(events.every((e) => e.signed && e.event.data.processId === processId));
    assert.equal(events.find((e) => e.event.type === 'document.added')!.event.data.detail?.document, letter);
    const all = events.map((e) => e.request.body).join('\n');
    for (const secretThing of ['internal-report', 'music is back', 'flat 2']) assert.ok(!all.includes(secretThing), `no "${secretThing}"`);
    await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' });
  });

  test('a failed event is retried, then delivered with the same webhook-id', async () => {
    const made = await subscribe(operator, { url: subscriber.url, events: ['process.submitted'], allowPrivateNetwork: true });
    subscriber.script([503]);
    const { processId } = await submit(t, 'south');
    await waitFor(async () => (await deliveriesOf(operator, made.id)).find((d) => d.status === 'delivered'), 'the retried event');
    const [delivery] = await deliveriesOf(operator, made.id);
    assert.equal(delivery!.processId, processId);
    assert.equal(delivery!.attempts, 2);
    assert.equal(delivery!.lastResponseCode, 200);
    const ids = subscriber.requests.map((r) => r.id);
    assert.deepEqual(ids, [delivery!.id, delivery!.id]);
    assert.deepEqual(
      subscriber.requests.map((r) => r.answeredWith),
      [503, 200],
    );
    await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' });
  });

  test('an event the subscriber keeps refusing is dead after the attempts, then replayed and delivered once', async () => {
    const made = await subscribe(operator, { url: subscriber.url, events: ['process.submitted'], allowPrivateNetwork: true });
    subscriber.script([500, 500, 500]);
    await submit(t, 'south');
    const dead = await waitFor(async () => (await deliveriesOf(operator, made.id)).find((d) => d.status === 'dead'), 'the dead event');
    assert.equal(dead.attempts, 3);
    assert.equal(dead.lastResponseCode, 500);
    // A delivery that is not dead is not replayed; another subscription's path finds nothing either.
    const wrong = await call(operator, `/api/v1/admin/subscriptions/${made.id}/deliveries/${crypto.randomUUID()}/replay`, { method: 'POST' });
    assert.equal(wrong.status, 404);
    const replay = await call(operator, `/api/v1/admin/subscriptions/${made.id}/deliveries/${dead.id}/replay`, { method: 'POST' });
    assert.equal(replay.status, 202);
    assert.deepEqual(await replay.json(), { replayed: dead.id });
    const delivered = await waitFor(async () => (await deliveriesOf(operator, made.id)).find((d) => d.status === 'delivered'), 'the replayed event');
    assert.equal(delivered.attempts, 4);
    assert.equal(subscriber.requests.filter((r) => r.answeredWith === 200).length, 1);
    assert.ok(subscriber.requests.every((r) => r.id === dead.id));
    // A refusal that a retry cannot fix (410) is dead at once.
    subscriber.reset();
    subscriber.script([410]);
    await submit(t, 'south');
    const gone = await waitFor(async () => (await deliveriesOf(operator, made.id)).find((d) => d.status === 'dead'), 'the refused event');
    assert.equal(gone.attempts, 1);
    assert.equal(gone.lastResponseCode, 410);
    await call(operator, `/api/v1/admin/subscriptions/${made.id}`, { method: 'DELETE' });
  });

  test("a council's subscriptions hear only its council's events, and its admin sees only its own subscriptions", async () => {
    const all = await subscribe(operator, { url: subscriber.url, events: ['process.submitted'], allowPrivateNetwork: true });
    // North's CRM sits on the test machine: its row is made directly (a council's admin may not allow private networks).
    const { secret, encrypted } = await newSigningSecret(t.hub.db);
    subscriber.trust(secret);
    const north = await insertSubscription(t.hub.db, {
      id: crypto.randomUUID(),
      url: `${subscriber.url}?council=north`,
      events: ['process.submitted'],
      council: 'north',
      allowPrivateNetwork: true,
      description: 'North CRM',
      createdBy: 'api-client:North admin',
      secretEncrypted: encrypted,
    });
    const south = await submit(t, 'south');
    const pests = await submit(t, 'north');
    await waitFor(() => subscriber.requests.filter((r) => r.answeredWith === 200).length >= 3, 'three events');
    await new Promise((r) => setTimeout(r, 700));
    const toNorth = subscriber.requests.filter((r) => r.path.includes('council=north'));
    assert.equal(toNorth.length, 1);
    const northEvent = eventsOf(subscriber, secret).find((e) => e.request === toNorth[0])!;
    assert.ok(northEvent.signed);
    assert.equal(northEvent.event.data.processId, pests.processId);
    assert.equal(subscriber.requests.length, 3, "the operator's subscription hears both councils");
    assert.deepEqual(
      (await deliveriesOf(northAdmin, north.id)).map((d) => d.processId),
      [pests.processId],
    );
    assert.ok(!(await deliveriesOf(operator, all.id)).some((d) => d.processId !== south.processId && d.processId !== pests.processId));

    const seen = (await (await call(northAdmin, '/api/v1/admin/subscriptions')).json()) as { subscriptions: { id: string }[] };
    assert.deepEqual(
      seen.subscriptions.map((s) => s.id),
      [north.id],
    );
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/deliveries'],
      ['DELETE', ''],
    ] as const) {
      assert.equal((await call(northAdmin, `/api/v1/admin/subscriptions/${all.id}${suffix}`, { method })).status, 404, `${method} ${suffix}`);
    }
    const made = await call(northAdmin, '/api/v1/admin/subscriptions/' + north.id, { method: 'DELETE' });
    assert.equal(made.status, 204);
    await call(operator, `/api/v1/admin/subscriptions/${all.id}`, { method: 'DELETE' });
  });
});
