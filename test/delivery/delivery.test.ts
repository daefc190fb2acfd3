// Issue 3 acceptance, against real Postgres, Redis and HTTP: one signed delivery per submission, retries, dead letters
// and replay, Redis losing the hub's jobs between submission and delivery, XSD failures, escaping.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { pngBytes } from '../helpers/files.ts';
import { deleteRedisPrefix } from '../helpers/redis.ts';
import { parseXmlSafely, selectText } from '../../core/xml/index.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const answers = {
  noiseType: 'music',
  description: 'Music </Description><Evil/> & more',
  source: { line1: '12 High Street', postcode: 'EX1 2AB' },
  started: '2026-10-01',
  times: ['day', 'night'],
  email: 'resident@example.com',
};

async function submit(t: TestHub, extra: Record<string, unknown> = {}): Promise<{ processId: string; reference: string }> {
  const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: { ...answers, ...extra } }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string };
}

async function deliveryOf(
  t: TestHub,
  processId: string,
): Promise<{ id: string; status: string; attempts: number; external_ref: string | null; last_error: string | null }> {
  const rows = await t.hub.db.rows('select id, status, attempts, external_ref, last_error from deliveries where process_id = $1', [processId]);
  return (rows as never[])[0]!;
}

async function waitForDelivery(t: TestHub, processId: string, status: string, timeoutMs = 15_000) {
  const start = Date.now();
  for (;;) {
    const d = await deliveryOf(t, processId);
    if (d.status === status) return d;
    if (Date.now() - start > timeoutMs) throw new Error(`delivery still ${d.status} (wanted ${status}): ${d.last_error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery spine', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let admin: string;
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
    });
    admin = await t.key([], { admin: true, name: 'Ops' });
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });
  beforeEach(() => receiver.script([]));

  test('a submission is delivered exactly once, signed, and the process shows received with the back-office reference', async () => {
    const { processId, reference } = await submit(t);
    const d = await waitForDelivery(t, processId, 'delivered');
    const got = receiver.requests.filter((r) => r.id === d.id);
    assert.equal(got.length, 1, 'exactly one request');
    assert.ok(got[0]!.verified, 'the receiver verified the signature');
    assert.equal(got[0]!.headers['idempotency-key'], d.id);
    assert.match(String(got[0]!.headers['content-type']), /^application\/xml/);

    const doc = parseXmlSafely(got[0]!.body);
    const ns = { n: 'urn:test:noise' };
    assert.equal(selectText(doc, '/n:NoiseCase/n:Reference', ns), reference);
    assert.equal(selectText(doc, '/n:NoiseCase/n:Category', ns), 'N01');
    assert.equal(selectText(doc, '/n:NoiseCase/n:Description', ns), answers.description, 'markup in an answer arrives as text');
    assert.equal(doc.find('//Evil').length + doc.find('//n:Evil', ns).length, 0, 'no injected element');
    assert.deepEqual(
      doc.find('/n:NoiseCase/n:Time', ns).map((e) => (e as unknown as { text(): string }).text()),
      ['DAY', 'NIGHT'],
    );

    const key = await t.key(['noise']);
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, any>;
    assert.equal(proc.status, 'received');
    assert.equal(proc.externalRef, d.external_ref);
    assert.match(String(proc.externalRef), /^BO-\d+$/);
    const docs = proc.documents.map((x: { kind: string }) => x.kind);
    assert.ok(docs.includes('xml'), 'the XML sent is kept as a document');
    const xmlDoc = proc.documents.find((x: { kind: string }) => x.kind === 'xml');
    const xmlText = await (await fetch(xmlDoc.url, { headers: { authorization: `Bearer ${key}` } })).text();
    assert.equal(xmlText, got[0]!.body, 'the stored XML is exactly what was sent');

    const tl = (await (await fetch(`${t.url}/api/v1/processes/${processId}/timeline`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      events: { kind: string }[];
    };
    assert.deepEqual(
      tl.events.map((e) => e.kind),
      ['received', 'submitted'],
    );
  });

  test('evidence files are linked in the XML with URLs the back office can fetch', async () => {
    const fd = new FormData();
    fd.append('answers', JSON.stringify(answers));
    fd.append('evidence', new Blob([new Uint8Array(pngBytes(3000, 'delivery-evidence'))], { type: 'image/png' }), 'street.png');
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, { method: 'POST', body: fd });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    const d = await waitForDelivery(t, processId, 'delivered');
    const body: string = receiver.requests.find((r) => r.id === d.id)!.body;
    const doc = parseXmlSafely(body);
    const ns = { n: 'urn:test:noise' };
    assert.equal(selectText(doc, '//n:Evidence/n:Name', ns), 'street.png');
    assert.equal(selectText(doc, '//n:Evidence/@type', ns), 'image/png');
    const url = selectText(doc, '//n:Evidence/n:Url', ns)!;
    const key = await t.key(['noise']);
    const file = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), pngBytes(3000, 'delivery-evidence'));
  });

  test('failures then health: retried with the same webhook-id and delivered once', async () => {
    receiver.script([500, 'timeout', { status: 503, retryAfter: '1' }]);
    const { processId } = await submit(t);
    const d = await waitForDelivery(t, processId, 'delivered', 20_000);
    const tries = receiver.requests.filter((r) => r.id === d.id);
    assert.equal(tries.length, 4);
    assert.deepEqual(
      tries.map((r) => r.answeredWith),
      [500, 'timeout', 503, 200],
    );
    assert.equal(receiver.records().has(d.id), true);
    // Retry-After: 1 was honoured (the schedule alone would retry after ~0.2 s).
    assert.ok(tries[3]!.at - tries[2]!.at >= 950, `waited ${tries[3]!.at - tries[2]!.at} ms after Retry-After: 1`);
    const detail = (await (await fetch(`${t.url}/api/v1/admin/deliveries/${d.id}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Record<
      string,
      any
    >;
    assert.deepEqual(
      detail.attemptLog.map((a: { outcome: string }) => a.outcome),
      ['retry', 'retry', 'retry', 'delivered'],
    );
    assert.match(detail.attemptLog[0].error, /answered 500/);
    assert.match(detail.attemptLog[1].error, /no (response|complete answer) within/);
  });

  test('a 400 is dead at once, listed for operators, and delivered after a replay', async () => {
    receiver.script([400]);
    const { processId } = await submit(t);
    const d = await waitForDelivery(t, processId, 'dead');
    assert.equal(receiver.requests.filter((r) => r.id === d.id).length, 1, 'no retry after a permanent error');
    const noAdmin = await fetch(`${t.url}/api/v1/admin/deliveries?status=dead`, { headers: { authorization: `Bearer ${await t.key(['noise'])}` } });
    assert.equal(noAdmin.status, 403);
    const list = (await (
      await fetch(`${t.url}/api/v1/admin/deliveries?status=dead&binding=backoffice`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { deliveries: { id: string; lastError: string }[] };
    const listed = list.deliveries.find((x) => x.id === d.id);
    assert.ok(listed, 'the dead delivery is listed');
    assert.match(listed.lastError, /answered 400/);
    const replay = await fetch(`${t.url}/api/v1/admin/deliveries/${d.id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(replay.status, 202);
    await waitForDelivery(t, processId, 'delivered');
    assert.equal(receiver.requests.filter((r) => r.id === d.id).length, 2);
    const again = await fetch(`${t.url}/api/v1/admin/deliveries/${d.id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(again.status, 404, 'only dead deliveries can be replayed');
  });

  test('after Redis loses every key of the hub between submission and delivery the relay re-queues from Postgres', async () => {
    // Hold deliveries at the receiver so the job is in Redis when its keys go. Only this hub's prefix is deleted: the
    // Redis server is shared with other hubs and tests.
    receiver.script([{ status: 500, delayMs: 300 }]);
    const { processId } = await submit(t);
    await receiver.waitFor((r) => r.requests.length > 0 && r.requests[r.requests.length - 1]!.answeredWith === 500);
    assert.ok((await deleteRedisPrefix(t.config.redis.prefix, t.config.redis.url)) > 0, "the hub's keys were there and are gone");
    const d = await waitForDelivery(t, processId, 'delivered', 20_000);
    assert.equal(receiver.records().has(d.id), true);
    assert.equal(new Set(receiver.requests.filter((r) => r.id === d.id).map((r) => r.id)).size, 1, 'one distinct webhook-id');
  });
});
