// Redis connections for BullMQ. Workers need maxRetriesPerRequest: null (blocking commands); producers fail fast instead.
import { Redis, type RedisOptions } from 'ioredis';

export function createRedis(url: string, purpose: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === 'worker' ? null : 2,
    enableOfflineQueue: purpose === 'worker',
    // Reconnect forever with a capped delay: Redis restarts must not need a hub restart.
    retryStrategy: (times) => Math.min(times * 200, 5000),
    connectionName: `closeloop-${purpose}`,
    lazyConnect: false,
    ...extra,
  });
}

/** BullMQ needs noeviction: an evicted job is a lost delivery signal. Warn (not fail) so managed Redis still works. */
export async function warnIfEvicting(redis: Redis, warn: (msg: string) => void): Promise<void> {
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (res[1] && res[1] !== 'noeviction') warn(`Redis maxmemory-policy is ${res[1]}; BullMQ needs noeviction`);
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to check then.
  }
}
