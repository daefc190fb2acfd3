// The one way a test empties Redis on the shared server: delete the keys under its own prefix, never flush the server
// (that wipes every other hub, test and developer using the server). A test that must lose the whole server starts a
// private one (test/chaos/support/redis.ts). test/ops/no-redis-flush.test.ts keeps it that way.
import { Redis } from 'ioredis';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under `prefix:` (a hub's REDIS_PREFIX: BullMQ names its keys `prefix:queue:…`); the count deleted. */
export async function deleteRedisPrefix(prefix: string, url: string = SHARED_REDIS): Promise<number> {
  if (!prefix) throw new Error('deleteRedisPrefix needs a prefix: an empty one would match every key on the server');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let deleted = 0;
    // SCAN in batches (not KEYS, which blocks the server); glob characters in the prefix are matched literally.
    const stream = redis.scanStream({ match: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length) deleted += await redis.unlink(...keys);
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}
