// What the serve role holds for operations: a Redis connection (readiness, the queue dashboard), the hub-wide metrics and
// the /metrics bearer token, resolved once at start.
import type { Hub } from '../hub.ts';
import { ConfigError, type SecretRef } from '../config/index.ts';
import { generatedSecret } from '../config/generated-secrets.ts';
import { createRedis, type RedisConnection } from '../redis.ts';
import { Queues } from '../jobs/index.ts';
import { HubMetrics } from './hub-metrics.ts';
import { checkReadiness, type Readiness } from './readiness.ts';

export interface ServeOps {
  /** A producer connection: fails fast while Redis is away, so readiness and the dashboard answer at once. */
  redis: RedisConnection;
  /** BullMQ queues on that connection (the dashboard's), with the hub's prefix. */
  queues: Queues;
  metrics: HubMetrics | null;
  /** Scrapers must send it as a bearer token; null: /metrics is open. */
  metricsToken: string | null;
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export async function openServeOps(hub: Hub, env: NodeJS.ProcessEnv = process.env): Promise<ServeOps> {
  const { config, log } = hub;
  const m = config.server.metrics;
  const metricsToken = m.enabled && m.bearerToken ? await resolveSecret(hub, m.bearerToken, env) : null;
  const redis = createRedis(config.redis, 'producer', { connectionName: 'closeloop-serve' });
  let lastErrorLog = 0;
  redis.on('error', (err) => {
    // ioredis reports every failed reconnect; one line a minute is enough for the log.
    if (Date.now() - lastErrorLog < 60_000) return;
    lastErrorLog = Date.now();
    log.warn({ err: err.message }, 'Redis connection error (serve)');
  });
  const queues = new Queues(redis, config.redis.prefix);
  return {
    redis,
    queues,
    metrics: m.enabled ? new HubMetrics(hub.db, config, m.cacheSeconds * 1000, log) : null,
    metricsToken,
    readiness: () => checkReadiness({ db: hub.db, redis }),
    async close() {
      await queues.close().catch(() => {});
      redis.disconnect();
    },
  };
}

async function resolveSecret(hub: Hub, ref: SecretRef, env: NodeJS.ProcessEnv): Promise<string> {
  if ('generated' in ref) return generatedSecret(hub.db, ref.generated);
  const value = env[ref.env];
  if (!value)
    throw new ConfigError([{ file: hub.config.file, line: null, path: 'server.metrics.bearerToken', message: `environment variable ${ref.env} is not set` }]);
  return value;
}
