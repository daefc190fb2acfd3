// Issue 18: a citizen's reply and further evidence from the tracking page. The form's limits and refusals (GOV.UK
// errors, no file kept), a closed case refused, rate limits; and the update delivery: one signed `citizen.message` to
// the webhook back office, only after the case's own delivery, seen by the REST API and by polling back offices.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateWebhookSecret } from '@closeloop/sdk';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { openTrackingPage, postMessage, submitNoise } from './support.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const SECRET = generateWebhookSecret();

interface CitizenMessageEvent {
  type: string;
  data: {
    updateId: string;
    process: { id: string; reference: string; externalRef: string | null };
    message: { id: string; text: string };
    documents: { id: string; name: string; contentType: string; url: string }[];
  };
}

describe('citizen replies and further evidence', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let key: string;
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      configure: (c) => void (c.server.rateLimits = { ...c.server.rateLimits, messagesPerLinkPerHour: 8, messagesPerAddressPerHour: 1000 }),
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
    });
    key = await t.key(['noise'], { name: 'Noise team' });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
  });
  beforeEach(() => receiver.script([]));

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers as object) } });
  const updateEvents = () =>
    receiver.requests.filter((r) => r.body.startsWith('{"type":"citizen.message"')).map((r) => ({ r, event: JSON.parse(r.body) as CitizenMessageEvent }));

  test('a message with a photo reaches the back office once, signed, after the case itself; the citizen sees "You sent"', async () => {
    // The case's own delivery fails twice first: the update must wait for it.
    receiver.script([503, 503]);
    const since = new Date().toISOString();
    const { processId, reference, trackingUrl } = await submitNoise(t);
    const form = await openTrackingPage(trackingUrl);
    assert.match(form.html, /Send a message or add evidence/);
    const photo = pngBytes(2000, 'photo');
    const res = await postMessage(t.url, form, 'The music started again at 2am.\r\nIt lasted an hour.', [
      { name: 'night.png', type: 'image/png', bytes: photo },
    ]);
    assert.equal(res.status, 303, await res.text());
    assert.match(res.headers.get('location')!, /\/track\/[A-Za-z0-9_-]{43}\?sent=1$/);

    await waitFor(() => updateEvents().some((u) => u.event.data.process.id === processId), 'the citizen.message event');
    // Given time for a duplicate to show, there is none.
    await new Promise((r) => setTimeout(r, 800));
    const events = updateEvents().filter((u) => u.event.data.process.id === processId);
    assert.equal(events.length, 1, 'the back office received the message once');
    const { r, event } = events[0]!;
    assert.ok(r.verified, 'signed with the binding secret');
    assert.equal(r.id, event.data.updateId);
    assert.equal(r.idempotencyKey, event.data.updateId);
    assert.equal(event.data.process.reference, reference);
    assert.equal(event.data.message.text, 'The music started again at 2am.\nIt lasted an hour.');
    assert.equal(event.data.documents.length, 1);
    assert.equal(event.data.documents[0]!.contentType, 'image/png');

    // Never before the case: the case's successful delivery came first, and the update carries its reference.
    const caseIndex = receiver.requests.findIndex((q) => q.body.includes(reference) && q.answeredWith === 200 && !q.body.startsWith('{'));
    assert.ok(caseIndex >= 0 && caseIndex < receiver.requests.indexOf(r), 'the update came after the case was delivered');
    assert.equal(event.data.process.externalRef, receiver.requests[caseIndex]!.ref);

    // The file is fetched through the API like any document, byte for byte.
    const file = await fetch(event.data.documents[0]!.url, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), photo);

    // The REST API and polling back offices see it.
    const messages = (await (await api(`/api/v1/processes/${processId}/messages`)).json()) as {
      messages: { id: string; text: string; documents: unknown[]; updates: { binding: string; status: string }[] }[];
    };
    assert.equal(messages.messages.length, 1);
    assert.equal(messages.messages[0]!.id, event.data.message.id);
    assert.deepEqual(
      messages.messages[0]!.updates.map((u) => [u.binding, u.status]),
      [['backoffice', 'delivered']],
    );
    const polled = (await (await api(`/api/v1/processes?updatedSince=${encodeURIComponent(since)}`)).json()) as { processes: { id: string }[] };
    assert.ok(polled.processes.some((p) => p.id === processId));

    // The citizen sees what they sent, and the message is not a second case: the case delivery did not carry the photo.
    const page = await openTrackingPage(trackingUrl);
    assert.match(page.html, /You sent a message and 1 file/);
    assert.match(page.html, /The music started again at 2am\./);
    assert.match(page.html, /night\.png/);
    const json = (await (await fetch(trackingUrl.replace('/track/', '/api/v1/track/'))).json()) as {
      timeline: { kind: string; text: string; message?: string }[];
    };
    const mine = json.timeline.filter((e) => e.kind === 'message');
    assert.deepEqual(
      mine.map((e) => [e.text, e.message]),
      [['You sent a message and 1 file', 'The music started again at 2am.\nIt lasted an hour.']],
    );
    const caseBody = receiver.requests[caseIndex]!.body;
    assert.ok(!caseBody.includes('night.png'));
  });

  test('an update the back office refuses is dead, then replayed by an operator and received once', async () => {
    const { processId, trackingUrl } = await submitNoise(t);
    await waitFor(
      async () => (await t.hub.db.row<{ status: string }>('select status from deliveries where process_id = $1', [processId]))?.status === 'delivered',
      'the case delivery',
    );
    receiver.script([400]);
    const res = await postMessage(t.url, await openTrackingPage(trackingUrl), 'Please call me back');
    assert.equal(res.status, 303);
    const dead = await waitFor(
      async () =>
        t.hub.db.row<{ id: string; status: string; last_error: string }>(
          `select id, status, last_error from update_deliveries where process_id = $1 and status = 'dead'`,
          [processId],
        ),
      'a dead update',
    );
    assert.match(dead.last_error, /answered 400/);
    const admin = await t.key([], { admin: true, name: 'Ops' });
    const replay = (id: string) => fetch(`${t.url}/api/v1/admin/updates/${id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    const replayed = await replay(dead.id);
    assert.equal(replayed.status, 202);
    assert.deepEqual(((await replayed.json()) as { replayed: string[] }).replayed, [dead.id]);
    await waitFor(
      async () => (await t.hub.db.row<{ status: string }>('select status from update_deliveries where id = $1', [dead.id]))?.status === 'delivered',
      'the replayed update',
    );
    const received = updateEvents().filter((u) => u.r.id === dead.id);
    assert.deepEqual(
      received.map((u) => u.r.answeredWith),
      [400, 200],
      'refused once, then received once, with the same id',
    );
    assert.equal((await replay(dead.id)).status, 404, 'only a dead update can be replayed');
    const audit = await t.hub.db.row<{ n: string }>(`select count(*) as n from audit_events where action = 'update.replayed' and target = $1`, [dead.id]);
    assert.equal(Number(audit!.n), 1);

    // The same from the command line: closeloop replay --update <id>.
    receiver.script([400]);
    assert.equal((await postMessage(t.url, await openTrackingPage(trackingUrl), 'And again')).status, 303);
    const second = await waitFor(
      async () => t.hub.db.row<{ id: string }>(`select id from update_deliveries where process_id = $1 and status = 'dead'`, [processId]),
      'a second dead update',
    );
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'replay', '--update', second.id, '--config', t.configFile], {
      env: t.env,
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`1 dead update delivery queued again: ${second.id}`));
    await waitFor(
      async () => (await t.hub.db.row<{ status: string }>('select status from update_deliveries where id = $1', [second.id]))?.status === 'delivered',
      'the update replayed from the CLI',
    );
  });

  test('the form refuses what it cannot take with GOV.UK errors, and keeps nothing', async () => {
    const { processId, trackingUrl } = await submitNoise(t);
    const form = await openTrackingPage(trackingUrl);
    const count = async () => Number((await t.hub.db.row<{ n: string }>('select count(*) as n from citizen_messages where process_id = $1', [processId]))!.n);

    const empty = await postMessage(t.url, form, '   ');
    assert.equal(empty.status, 400);
    const emptyHtml = await empty.text();
    assert.match(emptyHtml, /govuk-error-summary/);
    assert.match(emptyHtml, /<a href="#message">Enter a message or select a file<\/a>/);
    assert.match(emptyHtml, /<title>Error: /);

    const long = await postMessage(t.url, form, 'x'.repeat(1201));
    assert.equal(long.status, 400);
    const longHtml = await long.text();
    assert.match(longHtml, /Your message must be 1,200 characters or less/);
    assert.ok(longHtml.includes('x'.repeat(1201)), 'what they typed is kept');

    const mistyped = await postMessage(t.url, form, 'see attached', [
      { name: 'notes.png', type: 'image/png', bytes: Buffer.from('MZ\x90\x00 not a picture at all') },
    ]);
    assert.equal(mistyped.status, 400);
    assert.match(await mistyped.text(), /<a href="#files">The selected file must be a PNG or PDF<\/a>/);

    const big = await postMessage(t.url, form, 'big', [{ name: 'big.png', type: 'image/png', bytes: pngBytes(150_000) }]);
    assert.equal(big.status, 400);
    assert.match(await big.text(), /The selected file must be smaller than 98KB/);

    const many = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: pngBytes(200, `p${i}`) }));
    const tooMany = await postMessage(t.url, form, 'lots', many);
    assert.equal(tooMany.status, 400);
    assert.match(await tooMany.text(), /You can only select up to 5 files at the same time/);

    const forged = await postMessage(t.url, { ...form, cookie: '' }, 'forged');
    assert.equal(forged.status, 403);

    assert.equal(await count(), 0, 'no message was kept');
    const docs = await t.hub.db.row<{ n: string }>('select count(*) as n from documents where process_id = $1 and message_id is not null', [processId]);
    assert.equal(Number(docs!.n), 0, 'no file was kept');
  });

  test('a closed case has no form, and a message to it is refused with a clear page', async () => {
    const { processId, trackingUrl } = await submitNoise(t);
    const form = await openTrackingPage(trackingUrl);
    const closed = await api(`/api/v1/processes/${processId}/close`, { method: 'POST', body: JSON.stringify({ reason: 'Resolved with the neighbour' }) });
    assert.equal(closed.status, 200, await closed.text());
    const page = await openTrackingPage(trackingUrl);
    assert.equal(page.action, null);
    assert.match(page.html, /This case is closed, so you cannot send a message/);
    const res = await postMessage(t.url, form, 'One more thing');
    assert.equal(res.status, 409);
    assert.match(await res.text(), /You cannot send a message about this case/);
    const n = await t.hub.db.row<{ n: string }>('select count(*) as n from citizen_messages where process_id = $1', [processId]);
    assert.equal(Number(n!.n), 0);
  });

  test('messages from one tracking link are rate-limited; an unknown link is a 404', async () => {
    const { trackingUrl } = await submitNoise(t);
    const form = await openTrackingPage(trackingUrl);
    for (let i = 0; i < 8; i++) assert.equal((await postMessage(t.url, form, `message ${i}`)).status, 303);
    const refused = await postMessage(t.url, form, 'one too many');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);

    const unknown = await postMessage(t.url, { ...form, action: form.action!.replace(/\/track\/[^/]+\//, `/track/${'A'.repeat(43)}/`) }, 'hello');
    assert.equal(unknown.status, 404);
  });
});
