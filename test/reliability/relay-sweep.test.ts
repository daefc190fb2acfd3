// Regressions found by the chaos suite (test/chaos, fault 2: Redis lost):
// - after Redis came back empty, lost jobs (e.g. a retry waiting out its backoff) came back only when the periodic sweep
//   found them, sweepAfterMs (60 s) after they were queued; the relay now sweeps as soon as Redis reconnects;
// - the sweep walked rows by queued time alone, so when a batch ended inside a group of rows queued together (one relay
//   batch shares one timestamp), the rest of that group was skipped on every pass and never re-queued.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { startPrivateRedis, type PrivateRedis } from '../chaos/support/redis.ts';
import { createRedis } from '../../core/redis.ts';
import { deliveryQueueName, Queues, Relay } from '../../core/jobs/index.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ANSWERS = { noiseType: 'dog', description: 'Barking', source: { line1: '1 Lane', postcode: 'EX1 2AB' }, started: '2026-01-02' };

async function submitNoise(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/services/noise/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: ANSWERS }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { processId: string }).processId;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('outbox sweep: rows queued in one batch', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configFile: 'test/fixtures/config/closeloop.yaml' });
  });
  after(async () => {
    await t?.close();
  });

  test('a full sweep pass re-queues every lost row, even when more rows share one queued time than fit in a batch', async () => {
    for (let i = 0; i < 12; i++) await submitNoise(t.url);
    // No worker runs: mark every row queued at one instant (as one relay batch does) with no job in Redis.
    await t.hub.db.run(`update deliveries set status = 'queued', enqueued_at = now() - interval '1 minute'`);
    const redis = createRedis(t.config.redis.url, 'worker');
    const queues = new Queues(redis, t.config.redis.prefix);
    const relay = new Relay(t.hub.db, queues, redis, pino({ level: 'silent' }), {
      intervalMs: 1000,
      batchSize: 5,
      sweepAfterMs: 1000,
      sweepIntervalMs: 60_000,
    });
    try {
      let requeued = 0;
      for (let pass = 0; pass < 3; pass++) requeued += await relay.sweepOnce();
      assert.equal(requeued, 12, 'three batches of 5 cover the 12 rows');
      const ids = await t.hub.db.rows<{ id: string }>('select id from deliveries');
      for (const { id } of ids) assert.equal(await redis.exists(queues.jobKey(deliveryQueueName('backoffice'), id)), 1, `job ${id} is queued again`);
    } finally {
      await queues
        .get(deliveryQueueName('backoffice'))
        .obliterate({ force: true })
        .catch(() => {});
      await queues.close();
      await redis.quit();
    }
  });
});

describe('Redis restarted without persistence', () => {
  let redis: PrivateRedis;
  let receiver: WebhookReceiver;
  let t: TestHub;
  before(async () => {
    redis = await startPrivateRedis();
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { REDIS_URL: redis.url, TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      // The periodic sweep is pushed out of the test's reach: only the reconnect sweep can bring the job back.
      worker: { sweepAfterMs: 600_000, sweepIntervalMs: 600_000 },
    });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  test('a retry waiting in Redis when it restarts is queued again as soon as Redis is back', async () => {
    // The back office asks for a retry in two minutes: the job waits in Redis as a delayed job.
    receiver.script([{ status: 503, retryAfter: '120' }]);
    const processId = await submitNoise(t.url);
    const status = async () => {
      const [row] = await t.hub.db.rows<{ status: string; attempts: number }>('select status, attempts from deliveries where process_id = $1', [processId]);
      return row!;
    };
    await waitFor(async () => (await status()).status === 'queued' && (await status()).attempts === 1, 15_000, 'the first attempt to fail');
    await redis.kill();
    await redis.start();
    assert.equal(redis.dbsize(), 0, 'Redis came back empty');
    await waitFor(async () => (await status()).status === 'delivered', 20_000, 'the delivery to be re-queued and delivered');
    assert.equal(receiver.records().size, 1);
  });
});
