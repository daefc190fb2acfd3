// A worker role in a process of its own (as `closeloop worker` runs in production), for tests of more than one worker,
// of a worker killed or paused. Its JSON log lines are kept, and `started` resolves on "worker started".
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestHub } from './hub.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Its log entries so far. */
  log: { msg?: string; [field: string]: unknown }[];
  started: Promise<void>;
  /** Sends SIGTERM (or `signal`) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startWorkerProcess(t: TestHub): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'worker', '--config', t.configFile], {
    env: { ...t.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log: WorkerProcess['log'] = [];
  let ready: () => void;
  const started = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as WorkerProcess['log'][number];
      log.push(entry);
      if (entry.msg === 'worker started') ready();
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    log,
    started,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
