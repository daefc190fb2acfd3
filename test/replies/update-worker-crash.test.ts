// Issue 18: a worker killed with SIGKILL while the back office is answering a citizen's update; another worker sends it
// again with the same update id, so the back office holds it once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { generateWebhookSecret } from '@closeloop/sdk';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { waitFor } from '../helpers/wait.ts';
import { openTrackingPage, postMessage, submitNoise } from './support.ts';
import { isUpdateFor, killWorkerMidUpdate, startWorkerProcess, stopWorkerProcess } from './worker-crash.ts';

const SECRET = generateWebhookSecret();

describe('worker killed mid-update', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  const workers: ChildProcess[] = [];
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({ configFile: 'test/fixtures/config/closeloop.yaml', env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET } });
  });
  after(async () => {
    for (const w of workers) await stopWorkerProcess(w, 'SIGKILL');
    await t.close();
    await receiver.close();
  });

  test('SIGKILL while the back office answers the citizen.message: sent again by the next worker, held once', async () => {
    const first = startWorkerProcess(t);
    workers.push(first);
    const { processId, trackingUrl } = await submitNoise(t);
    await waitFor(
      async () => (await t.hub.db.row<{ status: string }>('select status from deliveries where process_id = $1', [processId]))?.status === 'delivered',
      'the case delivery',
      30_000,
    );
    const crash = await killWorkerMidUpdate(t, receiver, first, processId, async () => {
      assert.equal((await postMessage(t.url, await openTrackingPage(trackingUrl), 'It happened again last night.')).status, 303);
    });
    workers.push(crash.worker);
    assert.deepEqual([...new Set(crash.attempts.map((r) => r.id))], [crash.updateId], 'one update id, on every attempt');
    assert.equal([...receiver.records().values()].filter((r) => isUpdateFor(processId)(r.body)).length, 1, 'the back office holds it once');
    await stopWorkerProcess(crash.worker);
  });
});
