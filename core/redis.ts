// Redis connections for BullMQ: a single server (URL), Redis Sentinel or Redis Cluster. Workers need
// maxRetriesPerRequest: null (blocking commands); producers fail fast instead.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: the config's `redis` section (or just a URL). */
export interface RedisTarget {
  url: string;
  sentinel?: { name: string; sentinels: string[] };
  cluster?: { nodes: string[] };
}

export type RedisConnection = Redis | Cluster;

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** Password, user, database and TLS from the URL (used with sentinel and cluster too). */
function fromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.slice(1) || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export function createRedis(target: string, purpose: 'worker' | 'producer', extra?: RedisOptions): Redis;
export function createRedis(target: string | RedisTarget, purpose: 'worker' | 'producer', extra?: RedisOptions): RedisConnection;
export function createRedis(target: string | RedisTarget, purpose: 'worker' | 'producer', extra: RedisOptions = {}): RedisConnection {
  const t: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const common: RedisOptions = {
    maxRetriesPerRequest: purpose === 'worker' ? null : 2,
    enableOfflineQueue: purpose === 'worker',
    // Reconnect forever with a capped delay: Redis restarts must not need a hub restart.
    retryStrategy: (times) => Math.min(times * 200, 5000),
    connectionName: `closeloop-${purpose}`,
    lazyConnect: false,
    ...extra,
  };
  if (t.cluster) {
    const { db: _db, ...auth } = fromUrl(t.url);
    return new Cluster(t.cluster.nodes.map(hostPort), {
      redisOptions: { ...common, ...auth },
      enableOfflineQueue: common.enableOfflineQueue,
      clusterRetryStrategy: (times) => Math.min(times * 200, 5000),
    });
  }
  if (t.sentinel) {
    return new Redis({ ...common, ...fromUrl(t.url), sentinels: t.sentinel.sentinels.map(hostPort), name: t.sentinel.name });
  }
  return new Redis(t.url, common);
}

/** BullMQ needs noeviction: an evicted job is a lost delivery signal. Warn (not fail) so managed Redis still works. */
export async function warnIfEvicting(redis: RedisConnection, warn: (msg: string) => void): Promise<void> {
  try {
    const res = (await (redis as Redis).config('GET', 'maxmemory-policy')) as string[];
    if (res[1] && res[1] !== 'noeviction') warn(`Redis maxmemory-policy is ${res[1]}; BullMQ needs noeviction`);
  } catch {
    // CONFIG may be disabled on managed Redis (or answered per node on a cluster); nothing to check then.
  }
}
