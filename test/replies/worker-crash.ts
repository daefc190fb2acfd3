// A worker killed with SIGKILL while the back office answers a citizen's update (the answer is lost with it), and a
// fresh worker that sends the update again under the same id. Shared by the crash test and the end-to-end journey.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestHub } from '../helpers/hub.ts';
import type { ReceivedRequest, WebhookReceiver } from '../peers/webhook-receiver.ts';
import { waitFor } from '../helpers/wait.ts';

/** A worker role in its own process, configured as the hub is (so it can be killed like a real one). */
export function startWorkerProcess(t: TestHub): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'worker', '--config', t.configFile], { env: t.env, stdio: 'ignore' });
}

export async function stopWorkerProcess(worker: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill(signal);
  await exited;
}

/** The webhook back office's signed citizen.message events for this process. */
export const isUpdateFor = (processId: string) => (body: string) => body.startsWith('{"type":"citizen.message"') && body.includes(processId);

export interface AfterCrash {
  /** The worker started after the kill, still running. */
  worker: ChildProcess;
  updateId: string;
  /** Every citizen.message request the back office received for the process. */
  attempts: ReceivedRequest[];
}

/**
 * Sends a citizen's update (by `send`) while the back office answers its first request only after 5 s: the worker is
 * killed with SIGKILL waiting for that answer, after the back office has acted. A fresh worker then sends it again;
 * resolves once the update is delivered.
 */
export async function killWorkerMidUpdate(
  t: TestHub,
  receiver: WebhookReceiver,
  worker: ChildProcess,
  processId: string,
  send: () => Promise<void>,
): Promise<AfterCrash> {
  const isUpdate = isUpdateFor(processId);
  receiver.script([{ status: 200, delayMs: 5000 }]);
  await send();
  await receiver.waitFor((r) => r.requests.some((q) => isUpdate(q.body)), 30_000);
  await stopWorkerProcess(worker, 'SIGKILL');

  const next = startWorkerProcess(t);
  const done = await waitFor(
    async () => {
      const u = await t.hub.db.row<{ id: string; status: string }>('select id, status from update_deliveries where process_id = $1', [processId]);
      return u?.status === 'delivered' ? u : null;
    },
    'the update delivered by the next worker',
    60_000,
  );
  const attempts = receiver.requests.filter((r) => isUpdate(r.body));
  assert.ok(attempts.length >= 2, 'the update was sent again after the kill');
  return { worker: next, updateId: done.id, attempts };
}
