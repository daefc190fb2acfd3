// The operators' alert digest: an e-mail listing dead and stale deliveries by binding, sent only when there are any,
// naming bindings and delivery ids but no citizen data, through a channel (SMTP); the worker keeps one schedule for it
// in Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { sendAlertDigest } from '../../core/metrics/alert-digest.ts';
import { ALERT_DIGEST_QUEUE } from '../../core/jobs/index.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('alert digest', () => {
  let smtp: SmtpPeer;
  let receiver: WebhookReceiver;
  let t: TestHub;
  before(async () => {
    smtp = await startSmtpPeer();
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      configure: (c) => {
        c.channels.ops = { channel: 'smtp', config: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'hub@example.gov.uk' } };
        c.alertDigest = { channel: 'ops', to: ['ops@example.gov.uk'], from: 'closeloop@example.gov.uk', intervalMinutes: 60 };
      },
      worker: true,
    });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await smtp?.close();
  });

  test('nothing to report: no e-mail', async () => {
    assert.deepEqual(await sendAlertDigest(t.hub), []);
    assert.equal(smtp.messages.length, 0);
  });

  test('a dead delivery: one e-mail to the operators naming the binding and the delivery, with no citizen data', async () => {
    receiver.script([400]);
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: {
          noiseType: 'dog',
          description: 'Secret-ish description',
          source: { line1: '9 Private Road', postcode: 'EX1 2AB' },
          started: '2026-01-02',
          email: 'citizen@example.com',
        },
      }),
    });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    let id = '';
    for (let i = 0; i < 200 && !id; i++) {
      const rows = await t.hub.db.rows("select id from deliveries where process_id = $1 and status = 'dead'", [processId]);
      id = (rows as { id: string }[])[0]?.id ?? '';
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(id, 'the delivery is dead');
    const alerts = await sendAlertDigest(t.hub);
    assert.deepEqual(
      alerts.map((a) => [a.binding, a.kind, a.count]),
      [['backoffice', 'dead', 1]],
    );
    await smtp.waitFor((ms) => ms.length === 1);
    const mail = smtp.messages[0]!;
    assert.deepEqual(mail.to, ['ops@example.gov.uk']);
    assert.match(mail.subject, /1 dead, 0 stale/);
    assert.ok(mail.text.includes('backoffice') && mail.text.includes(id), mail.text);
    for (const secret of ['citizen@example.com', '9 Private Road', 'Secret-ish']) assert.ok(!mail.raw.includes(secret), `no ${secret}`);
  });

  test('the worker keeps one schedule for it in Redis', async () => {
    const q = new Queue(ALERT_DIGEST_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix: t.config.redis.prefix });
    try {
      const schedulers = await q.getJobSchedulers(0, -1);
      assert.deepEqual(
        schedulers.map((s) => [s.key, s.every]),
        [['alert-digest', 3_600_000]],
      );
    } finally {
      await q.close();
    }
  });
});
