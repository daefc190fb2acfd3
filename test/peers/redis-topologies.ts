// Private Redis topologies for tests, started from the machine's redis-server on free loopback ports: a Sentinel that
// watches a Redis, and a three-node Redis Cluster. Nothing is persisted; stop() removes every process and file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/hub.ts';

export interface RedisTopology {
  /** host:port of each sentinel or cluster node. */
  nodes: string[];
  stop(): Promise<void>;
}

function redisServer(args: string[], dir: string) {
  const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
  return child;
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis on ${port} did not start`);
}

/** A Sentinel watching the Redis at `master` (host:port) under `name`. */
export async function startSentinel(name: string, master: string): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-sentinel-'));
  const port = await freePort();
  const [host, masterPort] = master.split(':');
  writeFileSync(
    join(dir, 'sentinel.conf'),
    `port ${port}\nbind 127.0.0.1\nsentinel monitor ${name} ${host} ${masterPort} 1\nsentinel down-after-milliseconds ${name} 60000\n`,
  );
  const child = redisServer([join(dir, 'sentinel.conf'), '--sentinel'], dir);
  await waitForPing(port);
  return {
    nodes: [`127.0.0.1:${port}`],
    async stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A three-master Redis Cluster covering every slot. */
export async function startCluster(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children = ports.map((p) =>
    redisServer(
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${p}.conf`,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      dir,
    ),
  );
  for (const p of ports) await waitForPing(p);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  for (let i = 0; i < 100; i++) {
    if (/cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`),
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
