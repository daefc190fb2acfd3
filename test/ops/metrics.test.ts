// Operations issue: /metrics reports the whole hub from Postgres (submissions, deliveries, attempts, dead letters, backlog
// and its age, notifications, alerts) plus this process's HTTP histogram and defaults, behind an optional bearer token;
// GET /api/v1/admin/alerts lists what an operator must act on, with each binding's own stale threshold.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { parsePrometheus, sample, type Samples } from './prometheus.ts';
import { waitFor as waitUntil } from '../helpers/wait.ts';
import type { PreparedStatement, Sql } from '../../core/db/index.ts';

/** This file names what it waits for first. */
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs?: number) => waitUntil(fn, what, timeoutMs);

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN_ENV = 'CLOSELOOP_TEST_METRICS_TOKEN';
const TOKEN = randomBytes(24).toString('base64url');

const marker = `Unmistakable-${randomBytes(6).toString('hex')}`;
const noiseAnswers = {
  noiseType: 'music',
  description: `Loud music ${marker}`,
  source: { line1: '12 High Street', postcode: 'EX1 2AB' },
  started: '2026-10-01',
  email: `resident-${marker.toLowerCase()}@example.com`,
};

interface Submitted {
  processId: string;
  reference: string;
  trackingUrl: string;
}

async function submit(t: TestHub, service: string, answers: Record<string, unknown>): Promise<Submitted> {
  const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Submitted;
}

async function deliveryOf(t: TestHub, processId: string): Promise<{ id: string; status: string; attempts: number }> {
  const rows = await t.hub.db.rows('select id, status, attempts from deliveries where process_id = $1', [processId]);
  return (rows as never[])[0]!;
}

async function scrape(t: TestHub, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<{ text: string; samples: Samples }> {
  const res = await fetch(`${t.url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parsePrometheus(text) };
}

async function backdate(t: TestHub, deliveryId: string, minutes: number): Promise<void> {
  await t.hub.db.run(`update deliveries set created_at = now() - interval '1 minute' * $2 where id = $1`, [deliveryId, minutes]);
}

describe('metrics and alerts, hub-wide from Postgres', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let admin: string;
  let delivered: Submitted[];
  let dead: Submitted;
  let deadDelivery: string;
  let stuck: Submitted;
  let stuckDelivery: string;

  before(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
      configure(c) {
        c.server.metrics = { enabled: true, bearerToken: { env: TOKEN_ENV }, cacheSeconds: 0 };
        c.bindings.casework!.alerts = { pendingMinutes: 90 };
      },
    });
    admin = await t.key([], { admin: true, name: 'Ops' });

    delivered = [await submit(t, 'noise', noiseAnswers), await submit(t, 'noise', noiseAnswers)];
    for (const s of delivered) await waitFor('delivered', async () => (await deliveryOf(t, s.processId)).status === 'delivered');
    receiver.script([400]);
    dead = await submit(t, 'noise', noiseAnswers);
    deadDelivery = (
      await waitFor('dead', async () => {
        const d = await deliveryOf(t, dead.processId);
        return d.status === 'dead' && d;
      })
    ).id;
    // The casework back office is unreachable: its delivery is retried, so it stays undelivered.
    stuck = await submit(t, 'pests', { pest: 'rats' });
    stuckDelivery = (
      await waitFor('a failed casework attempt', async () => {
        const d = await deliveryOf(t, stuck.processId);
        return d.attempts >= 1 && d.status !== 'delivering' && d;
      })
    ).id;

    await t.hub.db.run(
      `insert into notifications (id, process_id, channel, kind, status) values ($1, $4, 'email', 'submitted', 'sent'), ($2, $4, 'email', 'update', 'sent'), ($3, $4, 'sms', 'update', 'failed')`,
      [randomUUID(), randomUUID(), randomUUID(), delivered[0]!.processId],
    );
  });

  after(async () => {
    await t?.close();
    await receiver?.close();
    delete process.env[TOKEN_ENV];
  });

  test('/metrics needs the configured bearer token', async () => {
    const none = await fetch(`${t.url}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
    assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).status, 401, 'an API key is not the metrics token');
    await scrape(t);
  });

  test('hub-wide figures match what happened', async () => {
    await backdate(t, stuckDelivery, 120);
    const { samples } = await scrape(t);
    const s = (name: string, labels: Record<string, string> = {}) => sample(samples, `closeloop_${name}`, labels);

    assert.equal(s('submissions_total', { service: 'noise' }), 3);
    assert.equal(s('submissions_total', { service: 'pests' }), 1);

    assert.equal(s('deliveries', { binding: 'backoffice', status: 'delivered' }), 2);
    assert.equal(s('deliveries', { binding: 'backoffice', status: 'dead' }), 1);
    assert.equal(s('deliveries', { binding: 'backoffice', status: 'pending' }), 0, 'every status is reported, zeros included');
    const casework = ['pending', 'queued', 'delivering'].map((status) => s('deliveries', { binding: 'casework', status })!);
    assert.equal(
      casework.reduce((a, b) => a + b, 0),
      1,
    );

    assert.equal(s('delivery_attempts_total', { binding: 'backoffice', outcome: 'delivered' }), 2);
    assert.equal(s('delivery_attempts_total', { binding: 'backoffice', outcome: 'dead' }), 1);
    assert.ok(s('delivery_attempts_total', { binding: 'casework', outcome: 'retry' })! >= 1);

    assert.equal(s('dead_letters', { binding: 'backoffice' }), 1);
    assert.equal(s('dead_letters', { binding: 'casework' }), 0);
    assert.equal(s('delivery_queue_depth', { binding: 'casework' }), 1);
    assert.equal(s('delivery_queue_depth', { binding: 'backoffice' }), 0);
    const age = s('delivery_oldest_pending_age_seconds', { binding: 'casework' })!;
    assert.ok(age >= 7200 && age < 7300, `oldest pending age ${age}`);
    assert.equal(s('delivery_oldest_pending_age_seconds', { binding: 'backoffice' }), 0);

    assert.equal(s('notifications', { channel: 'email', status: 'sent' }), 2);
    assert.equal(s('notifications', { channel: 'email', status: 'failed' }), 0);
    assert.equal(s('notifications', { channel: 'sms', status: 'failed' }), 1);

    assert.equal(s('delivery_alerts', { binding: 'casework', kind: 'stale' }), 1);
    assert.equal(s('delivery_alerts', { binding: 'casework', kind: 'dead' }), 0);
    assert.equal(s('delivery_alerts', { binding: 'backoffice', kind: 'dead' }), 1);
    assert.equal(s('delivery_alerts', { binding: 'backoffice', kind: 'stale' }), 0);
    assert.equal(s('hub_stats_up'), 1);
  });

  test('per-process metrics: defaults and an HTTP histogram labelled by route template, never by ids or tokens', async () => {
    const key = await t.key(['noise', 'pests']);
    const p = delivered[0]!;
    assert.equal((await fetch(`${t.url}/api/v1/processes/${p.processId}`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await fetch(`${t.url}/api/v1/processes/${randomUUID()}`, { headers: { authorization: `Bearer ${key}` } })).status, 404);
    const token = new URL(p.trackingUrl).pathname.split('/').pop()!;
    await fetch(`${t.url}/api/v1/track/${token}`);
    await fetch(`${t.url}/track/${token}`);
    await fetch(`${t.url}/no/such/${token}`);

    const { text, samples } = await scrape(t);
    const count = (route: string, status_class: string, method = 'GET') =>
      sample(samples, 'closeloop_http_request_duration_seconds_count', { method, route, status_class });
    assert.ok(count('/api/v1/processes/:id', '2xx')! >= 1);
    assert.ok(count('/api/v1/processes/:id', '4xx')! >= 1);
    assert.ok(count('/api/v1/services/:serviceId/submissions', '2xx', 'POST')! >= 4);
    assert.ok(count('/api/v1/track/:token', '2xx')! >= 1);
    assert.ok(count('/track/:token', '2xx')! >= 1);
    assert.ok(count('unmatched', '4xx')! >= 1);
    assert.ok(count('/metrics', '4xx')! >= 1, 'refused scrapes are counted too');
    for (const name of [
      'closeloop_process_cpu_user_seconds_total',
      'closeloop_process_resident_memory_bytes',
      'closeloop_nodejs_eventloop_lag_seconds',
      'closeloop_nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(samples.has(name), `${name} is exported`);
    }

    // No citizen data, no capability, no id in any label.
    for (const s of [...delivered, dead, stuck]) {
      for (const secret of [s.processId, s.reference, new URL(s.trackingUrl).pathname.split('/').pop()!])
        assert.ok(!text.includes(secret), `${secret} is not in /metrics`);
    }
    for (const secret of [marker, marker.toLowerCase(), deadDelivery, stuckDelivery, key, TOKEN])
      assert.ok(!text.includes(secret), `${secret} is not in /metrics`);
    for (const line of text.split('\n').filter((l) => l.startsWith('closeloop_'))) assert.ok(!/[0-9a-f]{8}-[0-9a-f]{4}-/.test(line), `no uuid in ${line}`);
  });

  test("GET /api/v1/admin/alerts: admin only, lists dead and stale deliveries against each binding's threshold", async () => {
    assert.equal((await fetch(`${t.url}/api/v1/admin/alerts`)).status, 401);
    assert.equal((await fetch(`${t.url}/api/v1/admin/alerts`, { headers: { authorization: `Bearer ${await t.key(['noise'])}` } })).status, 403);
    const alerts = async () => {
      const res = await fetch(`${t.url}/api/v1/admin/alerts`, { headers: { authorization: `Bearer ${admin}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { alerts: Record<string, any>[] }).alerts;
    };

    // casework's threshold is 90 minutes: an hour-old delivery is not stale yet.
    await backdate(t, stuckDelivery, 60);
    let list = await alerts();
    assert.deepEqual(
      list.map((a) => `${a.kind}:${a.binding}`),
      ['dead:backoffice'],
    );
    assert.equal(list[0]!.count, 1);
    assert.deepEqual(list[0]!.deliveryIds, [deadDelivery]);
    assert.ok(list[0]!.oldestAgeSeconds >= 0);
    assert.equal(sample((await scrape(t)).samples, 'closeloop_delivery_alerts', { binding: 'casework', kind: 'stale' }), 0);

    await backdate(t, stuckDelivery, 100);
    list = await alerts();
    assert.deepEqual(
      list.map((a) => `${a.kind}:${a.binding}`),
      ['dead:backoffice', 'stale:casework'],
    );
    const stale = list[1]!;
    assert.equal(stale.count, 1);
    assert.equal(stale.thresholdMinutes, 90);
    assert.deepEqual(stale.deliveryIds, [stuckDelivery]);
    assert.ok(stale.oldestAgeSeconds >= 6000 && stale.oldestAgeSeconds < 6100, `oldest ${stale.oldestAgeSeconds}`);
    assert.equal(sample((await scrape(t)).samples, 'closeloop_delivery_alerts', { binding: 'casework', kind: 'stale' }), 1);

    // The route is declared like every API route, so it is in the OpenAPI document, admin-only.
    const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; tags?: string[]; responses: Record<string, unknown> }>>;
    };
    const op = spec.paths['/api/v1/admin/alerts']?.get;
    assert.ok(op, 'documented');
    assert.deepEqual(op.tags, ['Admin']);
    assert.equal(op.security, undefined, 'not public: the document-wide bearer key applies');
    assert.ok(op.responses['200'] && op.responses['403'], 'documents its answer and the refusal of non-admin keys');
  });
});

describe('metrics without a token, and the Postgres read cache', () => {
  let t: TestHub;
  before(async () => {
    // 3 s: what the tests do within the cache period (a submission, 20 scrapes at once) could take over a second on a loaded machine.
    t = await startTestHub({ configFile: CONFIG, configure: (c) => void (c.server.metrics = { enabled: true, cacheSeconds: 3 }) });
  });
  after(() => t?.close());

  test('open without a token; hub-wide figures are read at most once per cacheSeconds', async () => {
    const first = sample((await scrape(t, {})).samples, 'closeloop_submissions_total', { service: 'pests' });
    assert.equal(first, 0, 'a service with no submission yet is reported, as 0');
    await submit(t, 'pests', { pest: 'wasps' });
    const cached = sample((await scrape(t, {})).samples, 'closeloop_submissions_total', { service: 'pests' });
    assert.equal(cached, first, 'within the cache period the figures are the cached ones');
    await new Promise((r) => setTimeout(r, 3_100));
    assert.equal(sample((await scrape(t, {})).samples, 'closeloop_submissions_total', { service: 'pests' }), 1);
  });

  test('a scrape storm costs one Postgres read', async () => {
    await new Promise((r) => setTimeout(r, 3_100));
    // Count the snapshot statements the hub sends (the hub's own Database instance, spied on: the snapshot runs in a transaction).
    const db = t.hub.db;
    const original = db.transaction.bind(db);
    let reads = 0;
    const count = (text: string) => {
      if (text.includes('from delivery_attempts')) reads++;
    };
    db.transaction = ((fn: (tx: Sql) => Promise<unknown>, options?: Parameters<typeof original>[1]) =>
      original(
        (tx) =>
          fn({
            rows: <Row extends object>(text: string, values?: readonly unknown[]) => (count(text), tx.rows<Row>(text, values)),
            row: <Row extends object>(text: string, values?: readonly unknown[]) => (count(text), tx.row<Row>(text, values)),
            run: (text, values) => (count(text), tx.run(text, values)),
            prepared: <Row extends object>(statement: PreparedStatement, values: readonly unknown[]) => (
              count(statement.text),
              tx.prepared<Row>(statement, values)
            ),
            wake: (channel, payload) => tx.wake(channel, payload),
          }),
        options,
      )) as typeof db.transaction;
    try {
      const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${t.url}/metrics`).then((r) => r.status)));
      assert.deepEqual([...new Set(statuses)], [200]);
      assert.equal(reads, 1, '20 concurrent scrapes, one read');
      await scrape(t, {});
      assert.equal(reads, 1, 'a scrape within the cache period reads nothing');
    } finally {
      db.transaction = original;
    }
  });
});

describe('metrics disabled', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configFile: CONFIG, configure: (c) => void (c.server.metrics = { enabled: false, cacheSeconds: 5 }) });
  });
  after(() => t?.close());

  test('/metrics is not served; /readyz still is', async () => {
    assert.equal((await fetch(`${t.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${t.url}/readyz`)).status, 200);
  });
});
