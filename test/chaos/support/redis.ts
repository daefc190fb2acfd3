// A private redis-server on a free loopback port, without persistence (no RDB, no AOF): killing it loses every job, as
// a Redis restart without persistence does. It can be killed and started again on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { onExit } from './cleanup.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL: everything in memory is gone. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
  running(): boolean;
  /** Keys in the database right now (0 right after a restart). */
  dbsize(): number;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-chaos-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let destroyed = false;

  const killNow = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  const unregister = onExit(() => {
    killNow();
    rmSync(dir, { recursive: true, force: true });
  });

  const instance: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (destroyed) throw new Error('this instance was destroyed');
      const c = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--maxmemory-policy',
          'noeviction',
          '--protected-mode',
          'no',
        ],
        { cwd: dir, stdio: 'ignore', detached: true },
      );
      child = c;
      const deadline = Date.now() + 15_000;
      while (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG') {
        if (c.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${c.exitCode}`);
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      killNow();
      await exited;
    },
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    dbsize: () => Number(spawnSync('redis-cli', ['-p', String(port), 'dbsize'], { encoding: 'utf8' }).stdout?.trim() || NaN),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await instance.kill();
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
  try {
    await instance.start();
  } catch (err) {
    await instance.destroy();
    throw err;
  }
  return instance;
}
