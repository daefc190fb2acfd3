// Issue 3 acceptance 3b: a worker process killed with SIGKILL mid-delivery; another worker delivers it, and the back
// office sees one distinct webhook-id (so it creates one case).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

function startWorkerProcess(t: TestHub): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'worker', '--config', t.configFile], { env: t.env, stdio: 'ignore' });
}

describe('worker killed mid-delivery', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  const workers: ChildProcess[] = [];
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({ configFile: 'test/fixtures/config/closeloop.yaml', env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET } });
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await t.close();
    await receiver.close();
  });

  test('SIGKILL while the back office is answering: delivered by the next worker, one distinct webhook-id', async () => {
    // The first request is answered slowly, so the worker is killed while it waits for the answer.
    receiver.script([{ status: 200, delayMs: 5000 }]);
    const first = startWorkerProcess(t);
    workers.push(first);
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { noiseType: 'dog', description: 'Barking', source: { line1: '1 Lane', postcode: 'EX1 2AB' }, started: '2026-01-02' } }),
    });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    await receiver.waitFor((r) => r.requests.length >= 1, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = startWorkerProcess(t);
    workers.push(second);
    let status = '';
    for (let i = 0; i < 600 && status !== 'delivered'; i++) {
      const rows = await t.hub.db.rows('select status, id from deliveries where process_id = $1', [processId]);
      status = (rows as { status: string }[])[0]!.status;
      if (status !== 'delivered') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'delivered');
    const [delivery] = await t.hub.db.rows<{ id: string }>('select id from deliveries where process_id = $1', [processId]);
    const attempts = receiver.requests.filter((r) => r.id === delivery!.id);
    assert.ok(attempts.length >= 2, 'the delivery was attempted again after the kill');
    assert.equal(new Set(attempts.map((r) => r.id)).size, 1, 'one distinct webhook-id');
    assert.equal(receiver.records().has(delivery!.id), true);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  });
});
