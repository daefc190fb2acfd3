// Limits on failures by client IP: guessing API keys or tracking links gets 429 after a few tries a minute. Counted in
// Redis so every serve process shares one count; if Redis is unreachable each process counts in memory instead (the
// limit still holds per process rather than failing open).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Hub } from '../hub.ts';
import { createRedis, type RedisConnection } from '../redis.ts';
import { TooManyRequestsError } from '../errors.ts';

export interface FailureLimiter {
  /** Throws 429 (with Retry-After) when this key has used up its failures. */
  check(key: string): Promise<void>;
  /** Counts one failure; false once the address has used up its failures. */
  fail(key: string): Promise<boolean>;
  /** Counts one failure and throws 429 if that was one too many: for paths that only ask the limiter when they fail. */
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
    async check(key) {
      const res = await limiter.get(key).catch(() => null);
      if (res && res.consumedPoints >= perMinute) throw new TooManyRequestsError('Too many failed attempts from this address; try again later', res.msBeforeNext / 1000);
    },
    async fail(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // Used up: this failure and the next check are refused.
        return false;
      }
    },
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
