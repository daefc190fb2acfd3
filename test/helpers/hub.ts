// Starts a real hub (config from config/closeloop.yaml, a fresh database, a unique Redis prefix, a temp document folder)
// on a random port, for tests that talk to it over HTTP.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { loadConfig, type Config } from '../../core/config/index.ts';
import { openHub, type Hub } from '../../core/hub.ts';
import { startServe } from '../../core/roles/serve.ts';
import type { CreateAppOptions } from '../../core/http/app.ts';
import { createApiKey } from '../../core/auth/api-keys.ts';
import type { WorkerOptions } from '../../core/roles/worker.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { deleteRedisPrefix } from './redis.ts';

export interface TestHub {
  url: string;
  hub: Hub;
  config: Config;
  configFile: string;
  /** The environment the hub was configured with (to start more roles as separate processes). */
  env: Record<string, string>;
  db: TestDatabase;
  /** A back-office key for the given services (or an admin key). */
  key(services: string[], options?: { admin?: boolean; name?: string; expiresAt?: Date; council?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Change the loaded config before the hub opens (bindings, channels, limits…). */
  configure?: (config: Config) => void;
  configFile?: string;
  env?: Record<string, string>;
  /** Options for the serve role (extra routers…), made once the hub is open. */
  serve?: (hub: Hub) => CreateAppOptions;
  /** Also run the worker role (relay, deliveries, notifications). */
  worker?: boolean | WorkerOptions;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const db = await createTestDatabase({ migrated: true });
  const port = await freePort();
  const docs = await mkdtemp(join(tmpdir(), 'closeloop-docs-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: db.url,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    REDIS_PREFIX: `cltest-${randomBytes(4).toString('hex')}`,
    DOCUMENTS_PATH: docs,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The fixture council's webhook binding: a fresh secret per hub, and a URL tests replace with their receiver's.
    TEST_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    TEST_WEBHOOK_URL: 'http://127.0.0.1:9/unused',
    TEST_CASE_API_URL: 'http://127.0.0.1:9/unused/',
    TEST_CASE_API_TOKEN: randomBytes(24).toString('base64url'),
    ...options.env,
  };
  const configFile = resolve(options.configFile ?? 'config/closeloop.yaml');
  const config = loadConfig(configFile, env);
  config.server.host = '127.0.0.1';
  options.configure?.(config);
  const hub = await openHub(config, { role: 'test', migrate: true });
  let serve: Awaited<ReturnType<typeof startServe>> | null = null;
  let worker: { close(): Promise<void> } | null = null;
  try {
    serve = await startServe(hub, options.serve?.(hub));
    if (options.worker) {
      const { startWorker } = await import('../../core/roles/worker.ts');
      worker = await startWorker(hub, typeof options.worker === 'object' ? options.worker : {});
    }
  } catch (err) {
    // A hub left open (its pool, Redis connections and timers) would keep the whole lane's process from ever exiting.
    await serve?.close();
    await hub.close();
    await db.drop();
    await rm(docs, { recursive: true, force: true });
    throw err;
  }
  const served = serve;
  return {
    url: served.url,
    hub,
    config,
    configFile,
    env,
    db,
    async key(services, opts = {}) {
      const { key } = await createApiKey(hub.db, {
        name: opts.name ?? 'Test back office',
        services,
        admin: opts.admin,
        expiresAt: opts.expiresAt ?? null,
        council: opts.council ?? null,
      });
      return key;
    },
    async close() {
      await served.close();
      await worker?.close();
      await hub.close();
      // The hub's jobs and schedules on the shared Redis (a sentinel or cluster test brings its own servers).
      if (!config.redis.sentinel && !config.redis.cluster) await deleteRedisPrefix(config.redis.prefix, config.redis.url);
      await db.drop();
      await rm(docs, { recursive: true, force: true });
    },
  };
}

/**
 * A port free right now, so the hub's public URL can be known before it starts. It is taken below the kernel's
 * ephemeral range (32768–60999 here): a port the OS picked from that range for this probe could, before the hub listens
 * on it, become the local end of any outgoing connection on the machine (a test's Postgres or Redis client in another
 * CI lane), and the hub's listen then failed with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found between 20000 and 31999');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePort(true)));
  });
}
