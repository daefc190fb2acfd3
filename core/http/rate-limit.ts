// Limits on failures by client IP: guessing API keys or tracking links gets 429 after a few tries a minute. Counted in
// Redis so every serve process shares one count; if Redis is unreachable each process counts in memory instead (the
// limit still holds per process rather than failing open).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Hub } from '../hub.ts';
import { createRedis, type RedisConnection } from '../redis.ts';
import { TooManyRequestsError } from '../errors.ts';

export interface FailureLimiter {
  /**
   * Counts one failure and throws 429 (with Retry-After) if that was one too many. Only failures ask the limiter, so a
   * valid key or tracking link costs no Redis round trip and is never refused.
   */
  failOrRefuse(key: string): Promise<void>;
}

const redisFor = new WeakMap<Hub, RedisConnection>();

function sharedRedis(hub: Hub): RedisConnection {
  let redis = redisFor.get(hub);
  if (!redis) {
    redis = createRedis(hub.config.redis, 'producer', { connectionName: 'closeloop-ratelimit', enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {}); // the in-memory insurance limiter takes over; readiness reports Redis
    redisFor.set(hub, redis);
    const r = redis;
    hub.onClose(async () => void (await r.quit().catch(() => {})));
  }
  return redis;
}

export function failureLimiter(hub: Hub, name: string, perMinute: number): FailureLimiter {
  const options = { points: perMinute, duration: 60, keyPrefix: `${hub.config.redis.prefix}:ratelimit:${name}` };
  const limiter: RateLimiterAbstract = new RateLimiterRedis({ ...options, storeClient: sharedRedis(hub), insuranceLimiter: new RateLimiterMemory(options) });
  return {
    async failOrRefuse(key) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new TooManyRequestsError('Too many failed attempts from this address; try again later', err.msBeforeNext / 1000);
      }
    },
  };
}

const trackingLimiters = new WeakMap<Hub, FailureLimiter>();

/** One limiter for failed tracking-link lookups, shared by the tracking page and its JSON twin. */
export function trackingLimiter(hub: Hub): FailureLimiter {
  let l = trackingLimiters.get(hub);
  if (!l) {
    l = failureLimiter(hub, 'tracking', hub.config.server.rateLimits.failedTrackingPerMinute);
    trackingLimiters.set(hub, l);
  }
  return l;
}
