// One chaos scenario's world: a private Postgres and a private Redis (both the test's to stop and restart), two real
// signed-webhook back offices (test/peers/webhook-receiver.ts), a temp document folder, and the hub's roles started as
// separate CLI processes against them. close() removes all of it, whatever state the test left it in.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from '../../peers/webhook-receiver.ts';
import { startPrivatePostgres, type PrivatePostgres } from './postgres.ts';
import { startPrivateRedis, type PrivateRedis } from './redis.ts';
import { freePort } from './ports.ts';
import { spawn } from 'node:child_process';
import { killAllRoles, launchRole, roleArgs, waitReady, type RoleProcess } from './launcher.ts';
import { onExit } from './cleanup.ts';

export const CHAOS_CONFIG = resolve('test/chaos/fixtures/closeloop.yaml');

export interface RigOptions {
  backoffice?: WebhookReceiverOptions;
  slow?: WebhookReceiverOptions;
  logLevel?: string;
}

export interface Rig {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  /** The `backoffice` binding's receiver (service noise). */
  backoffice: WebhookReceiver;
  /** The `slow` binding's receiver (service pests). */
  slow: WebhookReceiver;
  baseUrl: string;
  env: Record<string, string>;
  configFile: string;
  roles: RoleProcess[];
  /** Starts a role process (not waiting for it). */
  launch(role: 'serve' | 'worker' | 'start', name?: string): RoleProcess;
  /** Starts a role process and waits until it says it is up. */
  start(role: 'serve' | 'worker' | 'start', name?: string): Promise<RoleProcess>;
  /** A query against the private Postgres (a fresh connection each time, so it works across restarts). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Makes an API key with the CLI (`closeloop keys create`), e.g. an admin key for the operators' routes. */
  createKey(args: string[]): Promise<string>;
  /** Deliveries by status. */
  deliveryStatuses(binding?: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const docs = mkdtempSync(join(tmpdir(), 'closeloop-chaos-docs-'));
  const unregisterDocs = onExit(() => rmSync(docs, { recursive: true, force: true }));
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      rmSync(docs, { recursive: true, force: true });
      unregisterDocs();
    },
  ];
  const close = async () => {
    await killAllRoles();
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const postgres = await startPrivatePostgres();
    cleanups.push(() => postgres.destroy());
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.destroy());
    const backoffice = await startWebhookReceiver(secret, options.backoffice);
    cleanups.push(() => backoffice.close());
    const slow = await startWebhookReceiver(secret, { referencePrefix: 'SLOW', ...options.slow });
    cleanups.push(() => slow.close());
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const { NODE_TEST_CONTEXT: _ctx, ...inherited } = process.env as Record<string, string>;
    const env: Record<string, string> = {
      ...inherited,
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `chaos-${randomBytes(3).toString('hex')}`,
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      DOCUMENTS_PATH: docs,
      LOG_LEVEL: options.logLevel ?? 'info',
      CHAOS_WEBHOOK_SECRET: secret,
      CHAOS_BACKOFFICE_URL: backoffice.url,
      CHAOS_SLOW_URL: slow.url,
    };
    const roles: RoleProcess[] = [];
    const rig: Rig = {
      pg: postgres,
      redis,
      backoffice,
      slow,
      baseUrl,
      env,
      configFile: CHAOS_CONFIG,
      roles,
      launch(role, name) {
        const p = launchRole(role, CHAOS_CONFIG, env, name ?? `${role}#${roles.filter((r) => r.role === role).length + 1}`);
        roles.push(p);
        return p;
      },
      async start(role, name) {
        const p = rig.launch(role, name);
        await waitReady(p);
        return p;
      },
      async query<T>(sql: string, params: unknown[] = []) {
        const c = new pg.Client({ connectionString: postgres.url });
        c.on('error', () => {});
        try {
          await c.connect();
          const res = await c.query(sql, params);
          return res.rows as T[];
        } finally {
          await c.end().catch(() => {});
        }
      },
      async createKey(args) {
        const child = spawn(process.execPath, [...roleArgs('keys', CHAOS_CONFIG).slice(0, 3), 'keys', 'create', ...args, '--config', CHAOS_CONFIG], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((r) => child.once('exit', r));
        const key = /^(clk_\S+)$/m.exec(out)?.[1];
        if (code !== 0 || !key) throw new Error(`closeloop keys create failed (${code}): ${out}`);
        return key;
      },
      async deliveryStatuses(binding) {
        const rows = await rig.query<{ status: string; n: number }>(
          'select status, count(*)::int as n from deliveries where ($1::text is null or binding = $1) group by status',
          [binding ?? null],
        );
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      },
      close,
    };
    return rig;
  } catch (err) {
    await close();
    throw err;
  }
}

/** What the back office made of the deliveries: records per case, repeats, and cases recorded twice. */
export interface BackOfficeView {
  requests: number;
  /** Distinct webhook-ids answered 2xx (or acted on). */
  records: number;
  /** Distinct Idempotency-Key values among the records (must equal records: the key is the delivery id). */
  idempotencyKeys: number;
  /** Distinct process references among the records' bodies. */
  distinctBodies: number;
  /** Records beyond one per process reference (a second case for the same submission). */
  duplicatedEffects: number;
  /** Requests that repeated an id already recorded (at-least-once redeliveries; harmless). */
  repeatedIds: number;
  references: Set<string>;
}

export function referenceOf(body: string): string | null {
  return /<Reference>([^<]+)<\/Reference>/.exec(body)?.[1] ?? null;
}

export function backOfficeView(receiver: WebhookReceiver): BackOfficeView {
  const records = [...receiver.records().values()];
  const perRef = new Map<string, number>();
  for (const r of records) {
    const ref = referenceOf(r.body) ?? `?${r.id}`;
    perRef.set(ref, (perRef.get(ref) ?? 0) + 1);
  }
  const repeatedIds = receiver.requests.filter((r) => r.ref !== undefined).length - records.length;
  return {
    requests: receiver.requests.length,
    records: records.length,
    idempotencyKeys: new Set(records.map((r) => r.idempotencyKey)).size,
    distinctBodies: perRef.size,
    duplicatedEffects: [...perRef.values()].reduce((a, n) => a + (n - 1), 0),
    repeatedIds,
    references: new Set(perRef.keys()),
  };
}
