// The hub on Redis Sentinel and on Redis Cluster (BullMQ prefix with a hash tag): submissions are relayed, queued and
// delivered exactly as on a single Redis.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { startCluster, startSentinel, type RedisTopology } from '../peers/redis-topologies.ts';
import { redisSchema } from '../../core/config/schema.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

async function deliverFive(t: TestHub): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: { noiseType: 'dog', description: `Barking ${i}`, source: { line1: '1 Lane', postcode: 'EX1 2AB' }, started: '2026-01-02' },
      }),
    });
    assert.equal(res.status, 201);
    ids.push(((await res.json()) as { processId: string }).processId);
  }
  for (let i = 0; i < 300; i++) {
    const [row] = await t.hub.db.rows<{ n: number }>("select count(*)::int as n from deliveries where status = 'delivered'");
    if (row!.n === 5) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the five deliveries were not delivered');
}

describe('Redis topologies', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  async function hubWith(
    configure: Parameters<typeof startTestHub>[0] extends infer O ? (O extends { configure?: infer C } ? C : never) : never,
    env: Record<string, string> = {},
  ) {
    const receiver: WebhookReceiver = await startWebhookReceiver(SECRET);
    cleanups.push(() => receiver.close());
    const t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET, ...env },
      configure,
      worker: true,
    });
    cleanups.push(() => t.close());
    return { t, receiver };
  }

  test('Sentinel: the hub finds the master through the sentinel (the URL host is not used)', async () => {
    const sentinel: RedisTopology = await startSentinel('closeloop-test', '127.0.0.1:6379');
    cleanups.push(() => sentinel.stop());
    const { t, receiver } = await hubWith((c) => {
      c.redis.url = 'redis://127.0.0.1:1';
      c.redis.sentinel = { name: 'closeloop-test', sentinels: sentinel.nodes };
    });
    await deliverFive(t);
    assert.equal(new Set(receiver.requests.map((r) => r.id)).size, 5);
  });

  test('Cluster: with a {hash tag} prefix, deliveries flow through a three-node cluster', async () => {
    const cluster = await startCluster();
    cleanups.push(() => cluster.stop());
    const prefix = `{cl${randomBytes(3).toString('hex')}}`;
    const { t, receiver } = await hubWith((c) => {
      c.redis.prefix = prefix;
      c.redis.cluster = { nodes: cluster.nodes.slice(0, 1) };
    });
    await deliverFive(t);
    assert.equal(new Set(receiver.requests.map((r) => r.id)).size, 5);
  });

  test('config: a cluster prefix without a {hash tag}, or sentinel and cluster together, is refused on the field', () => {
    const issues = (redis: Record<string, unknown>) => {
      const r = redisSchema.safeParse({ url: 'redis://127.0.0.1:6379', ...redis });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(issues({ prefix: 'plain' }), [], 'a plain prefix is fine on one Redis');
    assert.deepEqual(issues({ prefix: 'plain', cluster: { nodes: ['127.0.0.1:7000'] } }), [
      'prefix: with cluster, the prefix needs a {hash tag}, e.g. "{closeloop}"',
    ]);
    assert.deepEqual(issues({ prefix: '{cl}', cluster: { nodes: ['127.0.0.1:7000'] } }), []);
    assert.deepEqual(issues({ prefix: '{cl}', cluster: { nodes: ['127.0.0.1:7000'] }, sentinel: { name: 'm', sentinels: ['127.0.0.1:26379'] } }), [
      'cluster: give sentinel or cluster, not both',
    ]);
    assert.deepEqual(issues({ sentinel: { name: 'm', sentinels: ['nohost'] } }), ['sentinel.sentinels.0: must be host:port']);
  });
});
