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

/** Limits an action (not only failures): every call counts. */
export interface ActionLimiter {
  /** Counts one action for each key and throws 429 (with Retry-After) when any key is over its limit. */
  consume(keys: { link: string; address: string }): Promise<void>;
}

const messageLimiters = new WeakMap<Hub, ActionLimiter>();

/** Citizens' messages from tracking pages: per tracking link and per client address, per hour. */
export function messageLimiter(hub: Hub): ActionLimiter {
  let l = messageLimiters.get(hub);
  if (!l) {
    const limits = hub.config.server.rateLimits;
    const make = (name: string, points: number) => {
      const options = { points, duration: 3600, keyPrefix: `${hub.config.redis.prefix}:ratelimit:${name}` };
      return new RateLimiterRedis({ ...options, storeClient: sharedRedis(hub), insuranceLimiter: new RateLimiterMemory(options) });
    };
    const perLink = make('message-link', limits.messagesPerLinkPerHour);
    const perAddress = make('message-address', limits.messagesPerAddressPerHour);
    l = {
      async consume(keys) {
        try {
          await perAddress.consume(keys.address);
          await perLink.consume(keys.link);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          throw new TooManyRequestsError('You have sent too many messages. Try again later.', err.msBeforeNext / 1000);
        }
      },
    };
    messageLimiters.set(hub, l);
  }
  return l;
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

export interface UseLimiter {
  /** Counts one use and throws 429 (with Retry-After) when `key` has had its allowance this hour. */
  countOrRefuse(key: string): Promise<void>;
}

const savedFormLimiters = new WeakMap<Hub, UseLimiter>();

/** "Save and come back later" e-mails: `server.rateLimits.savedFormsPerHour` per e-mail address and per client address. */
export function savedFormsLimiter(hub: Hub): UseLimiter {
  let l = savedFormLimiters.get(hub);
  if (!l) {
    const options = { points: hub.config.server.rateLimits.savedFormsPerHour, duration: 3600, keyPrefix: `${hub.config.redis.prefix}:ratelimit:saved-forms` };
    const limiter = new RateLimiterRedis({ ...options, storeClient: sharedRedis(hub), insuranceLimiter: new RateLimiterMemory(options) });
    l = {
      async countOrRefuse(key) {
        try {
          await limiter.consume(key);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          throw new TooManyRequestsError('You have saved forms too many times. Try again later.', err.msBeforeNext / 1000);
        }
      },
    };
    savedFormLimiters.set(hub, l);
  }
  return l;
}

/** Address searches from the citizen pages (each one a paid OS Places transaction, with that provider). */
export interface LookupLimiter {
  /** Counts one search for the form session and the client address: null when allowed, else the seconds to wait. */
  retryAfter(keys: { session: string; address: string }): Promise<number | null>;
}

const lookupLimiters = new WeakMap<Hub, LookupLimiter>();

/** `server.rateLimits.addressLookupsPerSession` and `…PerAddress` per `addressLookupWindowMinutes`. */
export function addressLookupLimiter(hub: Hub): LookupLimiter {
  let l = lookupLimiters.get(hub);
  if (!l) {
    const limits = hub.config.server.rateLimits;
    const make = (name: string, points: number) => {
      const options = { points, duration: limits.addressLookupWindowMinutes * 60, keyPrefix: `${hub.config.redis.prefix}:ratelimit:${name}` };
      return new RateLimiterRedis({ ...options, storeClient: sharedRedis(hub), insuranceLimiter: new RateLimiterMemory(options) });
    };
    const perSession = make('lookup-session', limits.addressLookupsPerSession);
    const perAddress = make('lookup-address', limits.addressLookupsPerAddress);
    l = {
      async retryAfter(keys) {
        try {
          await perSession.consume(keys.session);
          await perAddress.consume(keys.address);
          return null;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        }
      },
    };
    lookupLimiters.set(hub, l);
  }
  return l;
}
