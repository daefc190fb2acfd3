// Issue 14, point 16: a person or a process manager stopping the PID they started must stop the hub, gracefully.
// `npm start` used to be npm → sh → tsx → node: SIGTERM to npm's PID killed the shell and left the hub running.
// Each case starts the hub the way an operator would, in its own process group, and checks the whole group is gone.
// Issue 15: every way of starting it runs the compiled JavaScript in dist/ (built once here), never tsx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/hub.ts';
import { deleteRedisPrefix } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';

interface Started {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('stopping the hub with a signal', () => {
  let db: TestDatabase;
  let docs: string;
  const groups = new Set<number>();
  const prefixes: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    docs = await mkdtemp(join(tmpdir(), 'closeloop-stop-'));
    // `npm start` builds by itself (prestart); the bin and `node dist/…` need a build, as after `npm run build`.
    await promisify(execFile)('npm', ['run', '--silent', 'build'], { timeout: 240_000 });
  });

  after(async () => {
    // A failed case must not leave a hub running on the shared machine.
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const prefix of prefixes) await deleteRedisPrefix(prefix);
    await db?.drop();
    if (docs) await rm(docs, { recursive: true, force: true });
  });

  /**
   * Starts `command args` detached (its own process group, as a shell or process manager would) and waits until the hub
   * logs `until` ("worker started": both roles up, then /healthz answers; "serving": the worker is still starting).
   */
  async function start(command: string, args: string[], until: 'worker started' | 'serving' = 'worker started'): Promise<Started> {
    const port = await freePort();
    const prefix = `cltest-stop-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      REDIS_PREFIX: prefix,
      DOCUMENTS_PATH: docs,
      LOG_LEVEL: 'info',
    };
    const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    groups.add(child.pid!);
    const output: string[] = [];
    let logged: () => void = () => {};
    const seen = new Promise<void>((resolve) => (logged = resolve));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      output.push(s);
      if (logLines(output).some((l) => l.msg === until)) logged();
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => output.push(s));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const timeout = setTimeout(() => logged(), 90_000);
    await Promise.race([seen, exited]);
    clearTimeout(timeout);
    assert.ok(
      logLines(output).some((l) => l.msg === until),
      `${command} ${args.join(' ')} logged "${until}"; output:\n${output.join('')}`,
    );
    if (until === 'worker started') {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
    }
    return { child, port, output, exited };
  }

  /** Asserts that every process of the group is gone within a few seconds, the port is free and the hub said it was stopping. */
  async function assertStopped(started: Started, signal: NodeJS.Signals): Promise<void> {
    const pgid = started.child.pid!;
    await waitFor(
      async () => (await processGroup(pgid)).length === 0,
      `every process of group ${pgid} to exit (left: ${JSON.stringify(await processGroup(pgid))})`,
      20_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\nstill running: ${(await processGroup(pgid)).join('\n')}\noutput:\n${started.output.join('')}`);
    });
    groups.delete(pgid);
    assert.deepEqual(await started.exited, { code: 0, signal: null }, `the started process exited cleanly; output:\n${started.output.join('')}`);
    assert.equal(await portIsFree(started.port), true, 'the port is free again');
    const shutdowns = logLines(started.output).filter((l) => l.msg === 'shutting down');
    assert.equal(shutdowns.length, 1, 'the hub shut down gracefully, once');
    assert.equal(shutdowns[0]!.signal, signal);
  }

  test('SIGTERM to the PID of `npm start` stops the whole hub', async () => {
    const started = await start('npm', ['start']);
    const group = await processGroup(started.child.pid!);
    assert.ok(group.length >= 2, 'npm and the hub are both running');
    assert.ok(
      group.some((p) => /\bnode dist\/core\/cli\.js start$/.test(p)),
      `the hub runs the compiled JavaScript: ${group.join('; ')}`,
    );
    assert.ok(!group.some((p) => /tsx|core\/cli\.ts/.test(p)), `nothing runs through tsx: ${group.join('; ')}`);
    process.kill(started.child.pid!, 'SIGTERM');
    await assertStopped(started, 'SIGTERM');
  });

  test('Ctrl-C in the terminal of `npm start` (SIGINT to the group, which npm also forwards) stops it gracefully', async () => {
    const started = await start('npm', ['start']);
    process.kill(-started.child.pid!, 'SIGINT');
    await assertStopped(started, 'SIGINT');
  });

  test('SIGTERM to the PID of the `closeloop` bin stops the hub', async () => {
    const started = await start(process.execPath, ['core/bin.js', 'start']);
    process.kill(started.child.pid!, 'SIGTERM');
    await assertStopped(started, 'SIGTERM');
  });

  test('SIGTERM to the PID of `node dist/core/cli.js start` (what a process manager or the image runs) stops the hub', async () => {
    const started = await start(process.execPath, ['dist/core/cli.js', 'start']);
    process.kill(started.child.pid!, 'SIGTERM');
    await assertStopped(started, 'SIGTERM');
  });

  test('SIGTERM while the hub is still starting stops it gracefully once it is up (not killed mid-start)', async () => {
    const started = await start(process.execPath, ['core/bin.js', 'start'], 'serving');
    process.kill(started.child.pid!, 'SIGTERM');
    await assertStopped(started, 'SIGTERM');
  });
});

/** The processes (pid and command line) whose process group is `pgid`, read from /proc (Linux). */
async function processGroup(pgid: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces, inside parentheses): state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) !== pgid || state === 'Z') continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    found.push(`${entry} ${cmdline.replaceAll('\0', ' ').trim()}`);
  }
  return found;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function logLines(output: string[]): Record<string, unknown>[] {
  return output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
