// Scale-out: two worker processes against one Postgres and one Redis deliver 1,000 submissions exactly once between
// them (no double relay, no double delivery), and both take a share of the work.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const COUNT = Number(process.env.SCALE_COUNT ?? 1000);

describe('two worker processes', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  const workers: WorkerProcess[] = [];
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      configure: (c) => void (c.database.poolMax = 20),
    });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t.close();
    await receiver.close();
  });

  test(`deliver ${COUNT} submissions exactly once between them`, { timeout: 240_000 }, async () => {
    workers.push(startWorkerProcess(t), startWorkerProcess(t));
    await Promise.all(workers.map((w) => w.started));
    const answers = { noiseType: 'music', description: 'Bass', source: { line1: '1 High St', postcode: 'EX1 2AB' }, started: '2026-10-01' };
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, COUNT - i) }, async () => {
          const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ answers }),
          });
          assert.equal(res.status, 201);
          return ((await res.json()) as { processId: string }).processId;
        }),
      );
      ids.push(...batch);
    }
    const deadline = Date.now() + 180_000;
    let delivered = 0;
    while (Date.now() < deadline) {
      const [row] = await t.hub.db.rows<{ n: number }>("select count(*)::int as n from deliveries where status = 'delivered'");
      delivered = row!.n;
      if (delivered >= COUNT) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(delivered, COUNT, 'every delivery delivered');
    // The back office saw each delivery id exactly once: no second POST at all, not only no second record.
    const byId = new Map<string, number>();
    for (const r of receiver.requests) byId.set(r.id ?? '', (byId.get(r.id ?? '') ?? 0) + 1);
    assert.equal(byId.size, COUNT, 'one distinct webhook-id per delivery');
    assert.deepEqual(
      [...byId.values()].filter((n) => n > 1),
      [],
      'no delivery was sent twice',
    );
    assert.equal(new Set(receiver.requests.map((r) => r.body)).size, COUNT, 'distinct bodies');
    const [attempts] = await t.hub.db.rows<{ n: number; max: number }>('select count(*)::int as n, max(number)::int as max from delivery_attempts');
    assert.equal(attempts!.n, COUNT, 'one attempt each');
    // Both processes took a share, and together they account for every delivery once.
    const [a, b] = workers.map((w) => w.log.filter((e) => e.msg === 'delivered').map((e) => String(e.deliveryId)));
    assert.ok(a!.length > 0 && b!.length > 0, `both workers delivered (${a!.length} / ${b!.length})`);
    assert.equal(a!.length + b!.length, COUNT);
    assert.equal(new Set([...a!, ...b!]).size, COUNT);
    await Promise.all(workers.map((w) => w.stop()));
  });
});
