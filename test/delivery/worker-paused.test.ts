// A worker that is alive but stops running for a while (a paused process, a starved CPU, a long GC) loses its BullMQ job
// lock, and BullMQ hands the job to another worker while the first is still waiting for the back office. The attempt's
// lease in Postgres makes the second worker wait, so the back office gets the case once, not twice (CI caught two
// workers sending the same deliveries under load). The lease is renewed while an attempt runs, and lapses when its
// worker is gone (test/delivery/worker-crash.test.ts shows the take-over).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { submitJson } from '../governance/support.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { createRedis } from '../../core/redis.ts';
import { deliveryQueueName, heldElsewhere, withLease } from '../../core/jobs/index.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const FIXTURE = 'test/fixtures/config/closeloop.yaml';
const configFile = `test/fixtures/config/.paused-${randomBytes(4).toString('hex')}.yaml`;
const answers = { noiseType: 'dog', description: 'Barking', source: { line1: '1 Lane', postcode: 'EX1 2AB' }, started: '2026-01-02' };

describe('worker paused mid-delivery', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  const workers: WorkerProcess[] = [];
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    // The fixture council, with a back office whose answer does not time out while a worker is paused (a timeout would
    // be a real failed attempt, rightly retried). Beside the fixture, so its relative paths hold.
    // Its attempt lease is 30 s, not the fixtures' 10 s: the first worker, paused, renews nothing, and under CI's load
    // the second worker's start and BullMQ's stalled check took longer than what was left of a 10 s lease, so the
    // second found it lapsed (as for a dead worker) and took the delivery over instead of putting the job off.
    const fixture = await readFile(FIXTURE, 'utf8');
    assert.match(fixture, /timeoutMs: 1000\n/);
    assert.match(fixture, /attemptLeaseMs: 10000\n/);
    await writeFile(configFile, fixture.replace(/timeoutMs: 1000\n/, 'timeoutMs: 30000\n').replace(/attemptLeaseMs: 10000\n/, 'attemptLeaseMs: 30000\n'));
    t = await startTestHub({ configFile, env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET } });
  });
  after(async () => {
    for (const w of workers) {
      if (w.child.signalCode === null && w.child.exitCode === null) w.child.kill('SIGCONT');
      await w.stop('SIGKILL');
    }
    await t.close();
    await receiver.close();
    await rm(configFile, { force: true });
  });

  /** A noise complaint sent through the API: its delivery's id (the webhook-id the back office sees). */
  async function submit(): Promise<string> {
    const { processId } = await submitJson(t, 'noise', answers);
    const [d] = await t.hub.db.rows<{ id: string }>('select id from deliveries where process_id = $1', [processId]);
    return d!.id;
  }

  test('paused past its job lock: the other worker waits for the lease, and the back office gets one request', { timeout: 150_000 }, async () => {
    receiver.script([{ status: 200, delayMs: 1000 }]);
    const first = startWorkerProcess(t);
    workers.push(first);
    await first.started;
    const deliveryId = await submit();
    await receiver.waitFor((r) => r.requests.length >= 1, 30_000);
    first.child.kill('SIGSTOP');

    const second = startWorkerProcess(t);
    workers.push(second);
    await second.started;
    const connection = createRedis(t.config.redis, 'worker');
    const queue = new Queue(deliveryQueueName('backoffice'), { connection, prefix: t.config.redis.prefix });
    try {
      // The first worker's lock lapsed: the second took the job, found the delivery held and put the job off.
      await waitFor(async () => (await queue.getJob(deliveryId))?.getState().then((s) => s === 'delayed'), 'the second worker to put the job off', 20_000);
      assert.equal(receiver.requests.length, 1, 'the second worker did not send the delivery again');

      first.child.kill('SIGCONT');
      await waitFor(
        async () => (await t.hub.db.rows<{ status: string }>('select status from deliveries where id = $1', [deliveryId]))[0]?.status === 'delivered',
        'the first worker to record its delivery',
      );
      // The put-off job runs again after the lease and finds the delivery done.
      await waitFor(async () => !(await queue.getJob(deliveryId)), 'the put-off job to finish', 45_000);
    } finally {
      await queue.close();
      await connection.quit();
    }
    assert.deepEqual(
      receiver.requests.map((r) => r.id),
      [deliveryId],
      'the back office saw the delivery once',
    );
    const [attempts] = await t.hub.db.rows<{ n: number }>('select count(*)::int as n from delivery_attempts where delivery_id = $1', [deliveryId]);
    assert.equal(attempts!.n, 1, 'one attempt recorded');
    const sentBy = workers.map((w) => w.log.filter((e) => e.msg === 'delivered' && e.deliveryId === deliveryId).length);
    assert.deepEqual(sentBy, [1, 0], 'the paused worker delivered it, the other did not');
    await Promise.all(workers.map((w) => w.stop()));
  });

  test('the lease is renewed while an attempt runs, and holds off another attempt until it ends', async () => {
    const deliveryId = await submit();
    await t.hub.db.run(`update deliveries set status = 'delivering', updated_at = now() where id = $1`, [deliveryId]);
    const leaseMs = 3000;
    let heldMidway: number | undefined;
    await withLease(t.hub.db, 'deliveries', deliveryId, leaseMs, async () => {
      // Past the first lease: only a renewal keeps it held.
      await new Promise((r) => setTimeout(r, leaseMs + 500));
      heldMidway = (await heldElsewhere(t.hub.db, 'deliveries', deliveryId, leaseMs))?.delayMs;
    });
    assert.ok(heldMidway !== undefined && heldMidway > 250, `held midway (retry in ${heldMidway} ms)`);
    // Ended: no more renewals, so the lease lapses and the next claim takes the row (only a short wait is asked for).
    await new Promise((r) => setTimeout(r, leaseMs + 200));
    assert.equal((await heldElsewhere(t.hub.db, 'deliveries', deliveryId, leaseMs))?.delayMs, 250, 'a lapsed lease only asks for a short wait');
  });
});
