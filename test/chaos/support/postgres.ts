// A private Postgres instance for one chaos test file: initdb into a temp folder, pg_ctl on a free loopback port, trust
// auth. The test may stop (fast or immediate), start and restart it; the machine's shared Postgres is never touched.
// As root, initdb and postgres refuse to run, so they run as the `postgres` system user.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';
import { onExit } from './cleanup.ts';

const BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  port: number;
  /** URL of the database the hub uses (created by the hub itself on first start). */
  url: string;
  /** URL of the maintenance database `postgres`. */
  adminUrl: string;
  dir: string;
  /** `fast` ends sessions with 57P01 and shuts down cleanly; `immediate` is a crash (recovery on the next start). */
  stop(mode?: StopMode): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  /** Removes the instance: stops it at once and deletes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

function asPostgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(cmd: string, args: string[], ids: { uid?: number; gid?: number }, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, cmd), args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const ids = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-chaos-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
  chmodSync(dir, 0o700);
  const port = await freePort();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let destroyed = false;

  const postmasterPid = (): number | null => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  };
  // Last resort if the test runner dies without running its after hooks: SIGQUIT is Postgres's immediate shutdown.
  const unregister = onExit(() => {
    const pid = postmasterPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-N', '-E', 'UTF8', '--no-instructions'], ids);
  execFileSync('mkdir', ['-p', sock]);
  if (ids.uid !== undefined) chownSync(sock, ids.uid, ids.gid!);

  const options = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=64MB`;
  const pgctl = (args: string[]) => run('pg_ctl', ['-D', data, ...args], ids);

  const instance: PrivatePostgres = {
    port,
    url: `${base}/closeloop`,
    adminUrl: `${base}/postgres`,
    dir,
    async start() {
      if (destroyed) throw new Error('this instance was destroyed');
      await pgctl(['-o', options, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
      await waitReady(`${base}/postgres`);
    },
    async stop(mode: StopMode = 'fast') {
      await pgctl(['-m', mode, '-w', '-t', '60', 'stop']);
    },
    running: () => existsSync(join(data, 'postmaster.pid')),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (instance.running()) {
        await pgctl(['-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => {
          const pid = postmasterPid();
          if (pid) spawnSync('kill', ['-QUIT', String(pid)]);
        });
      }
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

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('select 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`private Postgres at ${url} not ready: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
