// Issue 18, "one message, not two", crash-safety: a worker killed with SIGKILL while a confirmation waits out its window
// neither loses it nor sends it twice; the next worker sends the one confirmation that says both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pestAnswers } from '../governance/support.ts';

const WINDOW_SECONDS = 4;

function startWorkerProcess(t: TestHub): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'worker', '--config', t.configFile], { env: t.env, stdio: 'ignore' });
}

async function killed(w: ChildProcess): Promise<void> {
  if (w.exitCode !== null || w.signalCode !== null) return;
  const exited = new Promise((r) => w.once('exit', r));
  w.kill('SIGKILL');
  await exited;
}

describe('worker killed while the confirmation waits', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  const workers: ChildProcess[] = [];
  before(async () => {
    smtp = await startSmtpPeer();
    // The serve role runs here (its submissions wait WINDOW_SECONDS); the workers are processes of their own.
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, configure: (c) => void (c.notifications.confirmationWindowSeconds = WINDOW_SECONDS) });
  });
  after(async () => {
    for (const w of workers) await killed(w);
    await t?.close();
    await smtp?.close();
  });

  test('SIGKILL mid-window: the next worker sends exactly one confirmation saying both', async () => {
    const first = startWorkerProcess(t);
    workers.push(first);
    // A worker process compiles the hub with tsx as it starts, which on a loaded machine outlasts the window: a first
    // submission delivered proves the worker is up, so the one under test is delivered inside its window.
    const warmUp = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: pestAnswers }),
    });
    const { processId: warmUpId } = (await warmUp.json()) as { processId: string };
    for (let i = 0; i < 900; i++) {
      const [d] = await t.hub.db.rows<{ status: string }>('select status from deliveries where process_id = $1', [warmUpId]);
      if (d?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: pestAnswers }),
    });
    assert.equal(res.status, 201);
    const { processId, reference } = (await res.json()) as { processId: string; reference: string };
    // The confirmation is waiting in Postgres, not yet sent.
    const [row] = await t.hub.db.rows<{ status: string; waiting: boolean }>(
      `select status, not_before > now() as waiting from notifications where process_id = $1 and kind = 'submitted'`,
      [processId],
    );
    assert.deepEqual(row, { status: 'pending', waiting: true });
    // The first worker delivers (it starts in a second or two), then dies, mid-window or just after the message left.
    for (let i = 0; i < 200; i++) {
      const [d] = await t.hub.db.rows<{ status: string }>('select status from deliveries where process_id = $1', [processId]);
      if (d?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await killed(first);

    const second = startWorkerProcess(t);
    workers.push(second);
    // A worker process compiles the hub with tsx as it starts: on a loaded CI machine that alone has taken over 30 s.
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference)), 90_000);
    // Long enough for a stray second message (the relay's sweep of in-flight rows included) to arrive.
    await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000 + 3000));
    const mine = smtp.messages.filter((m) => m.subject.includes(reference));
    assert.equal(mine.length, 1, 'one message');
    assert.match(mine[0]!.text, /We have received your pest control request and passed it to the team that deals with it\./);
    const rows = await t.hub.db.rows<{ kind: string; status: string }>(`select kind, status from notifications where process_id = $1`, [processId]);
    assert.deepEqual(rows, [{ kind: 'submitted', status: 'sent' }]);
  });
});
