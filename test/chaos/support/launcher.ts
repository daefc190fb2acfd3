// Starts hub roles (serve, worker, start) as real child processes of the CLI, each in its own process group, and reads
// their pino JSON logs from stdout so a test can wait for a line ("serving", "worker started") instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { onExit } from './cleanup.ts';

export interface LogLine {
  level: number;
  msg?: string;
  time: number;
  pid?: number;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface RoleProcess {
  name: string;
  role: string;
  pid: number;
  child: ChildProcess;
  /** Every JSON log line so far (non-JSON output lines are kept in `output`). */
  logs: LogLine[];
  output: string[];
  exited: Promise<Exit>;
  alive(): boolean;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the group, resolved when it has exited. */
  kill(): Promise<Exit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<Exit>;
}

const live = new Set<RoleProcess>();

/** The CLI command line for a role. */
export function roleArgs(role: string, configFile: string): string[] {
  return ['--import', 'tsx', 'core/cli.ts', role, '--config', configFile];
}

export function launchRole(role: string, configFile: string, env: Record<string, string>, name = role): RoleProcess {
  const child = spawn(process.execPath, roleArgs(role, configFile), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const logs: LogLine[] = [];
  const output: string[] = [];
  const waiters = new Set<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  const onLine = (text: string) => {
    if (!text.startsWith('{')) {
      output.push(text);
      if (output.length > 500) output.shift();
      return;
    }
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      output.push(text);
      return;
    }
    logs.push(line);
    for (const w of waiters) {
      if (w.predicate(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (l) => {
    output.push(l);
    if (output.length > 500) output.shift();
  });
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() };
      live.delete(proc);
      unregister();
      resolve(exit);
    }),
  );
  const groupSignal = (signal: NodeJS.Signals) => {
    if (exit || !child.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const unregister = onExit(() => groupSignal('SIGKILL'));

  const proc: RoleProcess = {
    name,
    role,
    pid: child.pid!,
    child,
    logs,
    output,
    exited,
    alive: () => exit === null,
    waitForLog(predicate, timeoutMs = 60_000, what = 'log line') {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<LogLine>((resolve, reject) => {
        const w = {
          predicate,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms; exit ${JSON.stringify(exit)}; last output:\n${tail(proc)}`));
        }, timeoutMs);
        waiters.add(w);
        void exited.then((e) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${JSON.stringify(e)}) before ${what}; last output:\n${tail(proc)}`));
        });
      });
    },
    signal: groupSignal,
    async kill() {
      groupSignal('SIGKILL');
      return exited;
    },
    async stop(graceMs = 30_000) {
      if (exit) return exit;
      groupSignal('SIGTERM');
      const timer = setTimeout(() => groupSignal('SIGKILL'), graceMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
  live.add(proc);
  return proc;
}

/** Waits until the role says it is up: "serving" for serve, "worker started" for worker (both for start). */
export async function waitReady(proc: RoleProcess, timeoutMs = 90_000): Promise<void> {
  if (proc.role === 'serve' || proc.role === 'start') await proc.waitForLog((l) => l.msg === 'serving', timeoutMs, '"serving"');
  if (proc.role === 'worker' || proc.role === 'start') await proc.waitForLog((l) => l.msg === 'worker started', timeoutMs, '"worker started"');
}

/** SIGKILLs every role process still running (after hooks call it so nothing outlives a failed test). */
export async function killAllRoles(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

/** Last lines of a process's output, for assertion messages. */
export function tail(proc: RoleProcess, n = 15): string {
  const lines = [...proc.output.slice(-n), ...proc.logs.slice(-n).map((l) => JSON.stringify(l).slice(0, 400))];
  return lines.slice(-n).join('\n');
}

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
export function errorLines(proc: RoleProcess): LogLine[] {
  return proc.logs.filter((l) => l.level >= 50);
}
