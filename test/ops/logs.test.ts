// Operations issue: JSON logs carry the request id on every line written during a request and the process, delivery and
// binding ids on delivery lines, and never citizen answers, tracking tokens, API keys, secrets or Authorization headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../core/log.ts';
import { startWorker, type WorkerRole } from '../../core/roles/worker.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const marker = `Secretive-${randomBytes(6).toString('hex')}`;
const email = `citizen-${randomBytes(4).toString('hex')}@example.com`;
const answers = {
  noiseType: 'music',
  description: `Music all night ${marker}`,
  source: { line1: `${marker} Street`, postcode: 'EX1 2AB' },
  started: '2026-10-01',
  email,
};

type Line = Record<string, any>;

function capture(): { stream: Writable; lines(): Line[]; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line),
  };
}

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await fn())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('logs', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let worker: WorkerRole;
  const out = capture();

  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({ configFile: CONFIG, env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET } });
    // The hub's logger, writing JSON to a stream this test reads; the worker gets it when it starts.
    t.hub.log = createLogger('debug', 'test', out.stream);
    worker = await startWorker(t.hub, { sweepAfterMs: 300, sweepIntervalMs: 300 });
  });
  after(async () => {
    await worker?.close();
    await t?.close();
    await receiver?.close();
  });

  test('a submission and its delivery: ids on every line, no answers, tokens, keys or secrets', async () => {
    const key = await t.key(['noise']);
    const admin = await t.key([], { admin: true });
    const requestId = `req-${randomBytes(6).toString('hex')}`;
    receiver.script([500]); // one failed attempt, then delivered: both kinds of delivery line
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, cookie: `session=${marker}` },
      body: JSON.stringify({ answers }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-request-id'), requestId);
    const { processId, trackingUrl } = (await res.json()) as { processId: string; trackingUrl: string };
    const token = new URL(trackingUrl).pathname.split('/').pop()!;

    await fetch(`${t.url}/track/${token}`);
    await fetch(`${t.url}/api/v1/track/${token}`);
    await fetch(`${t.url}/track/${token}/nothing-here`);
    assert.equal((await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await fetch(`${t.url}/api/v1/admin/deliveries`, { headers: { authorization: `Bearer ${admin}` } })).status, 200);
    assert.equal((await fetch(`${t.url}/api/v1/processes`, { headers: { authorization: `Bearer clk_${marker}` } })).status, 401);
    const readyId = `ready-${randomBytes(4).toString('hex')}`;
    assert.equal((await fetch(`${t.url}/readyz`, { headers: { 'x-request-id': readyId } })).status, 200);

    await waitFor('delivered', () => out.lines().some((l) => l.msg === 'delivered' && l.processId === processId));
    const rows = await t.hub.db.rows('select id from deliveries where process_id = $1', [processId]);
    const deliveryId = (rows as { id: string }[])[0]!.id;
    const lines = out.lines();

    // Request lines: one per request, each with its id (the caller's when it sent one) and the route template.
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(requests.length >= 8, `${requests.length} request lines`);
    for (const l of requests) assert.ok(typeof l.reqId === 'string' && l.reqId.length > 0, `request line without reqId: ${JSON.stringify(l)}`);
    const submission = requests.find((l) => l.reqId === requestId);
    assert.ok(submission, 'the submission is logged under the id the caller sent');
    assert.equal(submission.route, '/api/v1/services/:serviceId/submissions');
    assert.equal(submission.status, 201);
    assert.equal(submission.level, 30, 'requests are logged at info');
    assert.ok(requests.some((l) => l.route === '/track/:token'));
    assert.ok(new Set(requests.map((l) => l.reqId)).size === requests.length, 'each request has its own id');
    // Lines written by code inside a request (not only the request line) carry its id.
    const ready = lines.find((l) => l.msg === 'ready');
    assert.ok(ready, 'the readiness change is logged');
    assert.equal(ready.reqId, readyId);

    // Delivery lines: the delivery, its process and its binding.
    const deliveryLines = lines.filter((l) => l.deliveryId === deliveryId);
    assert.deepEqual(
      deliveryLines.map((l) => l.msg),
      ['delivery failed; will retry', 'delivered'],
    );
    for (const l of deliveryLines) {
      assert.equal(l.processId, processId);
      assert.equal(l.binding, 'backoffice');
      assert.equal(l.reqId, undefined, 'worker lines are not tied to a request');
    }

    // Nothing secret anywhere in the output.
    const text = out.text();
    for (const [what, secret] of Object.entries({ answers: marker, email, trackingToken: token, key, admin, webhookSecret: SECRET.slice(6) })) {
      assert.ok(!text.includes(secret), `${what} must not be logged`);
    }
    assert.ok(!text.includes('clk_'), 'no API key, whole or in part');
    assert.ok(!text.includes('Bearer '), 'no Authorization header value');
  });

  test('redaction: headers, tokens, keys, secrets, passwords and answers wherever they are in a logged object', () => {
    const sink = capture();
    const log = createLogger('info', 'test', sink.stream);
    log.info(
      {
        req: { headers: { authorization: 'Bearer AAA', cookie: 'sid=BBB', accept: 'text/html' } },
        headers: { Authorization: 'Basic CCC' },
        token: 'DDD',
        binding: { config: { apiKey: 'EEE', secret: 'FFF', password: 'GGG', url: 'https://bo.example' } },
        process: { answers: { description: 'HHH' } },
        err: { config: { headers: { authorization: 'Bearer III' } } },
      },
      'something',
    );
    const [line] = sink.lines();
    for (const secret of ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH', 'III']) assert.ok(!sink.text().includes(secret), `${secret} is redacted`);
    assert.equal(line!.req.headers.accept, 'text/html', 'other fields are kept');
    assert.equal(line!.binding.config.url, 'https://bo.example');
    assert.equal(line!.token, '[redacted]');
  });
});
