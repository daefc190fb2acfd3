// The shape of config/closeloop.yaml. Plugin-specific settings (a binding's `config`) are validated by the plugin's own schema.
import { isIP } from 'node:net';
import { z } from 'zod';

/** A secret is never written in config: it names an environment variable, or a secret the hub generates and keeps in Postgres. */
export const secretRefSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'environment variable names are UPPER_SNAKE_CASE') }).strict(),
  z.object({ generated: z.string().regex(/^[a-z][a-z0-9-]*$/) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

export const retrySchema = z
  .object({
    /** Total attempts including the first. */
    attempts: z.number().int().min(1).max(100).default(10),
    /** Delay before each retry, in seconds; the last entry repeats. Jitter of ±20% is added. */
    scheduleSeconds: z.array(z.number().positive()).min(1).default([5, 60, 300, 900, 1800, 3600, 3600, 3600, 3600]),
  })
  .strict();

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port');

/** An IP address or a CIDR range ("192.0.2.10", "10.20.0.0/16", "::1", "fd00::/8"). */
export const addressRangeSchema = z.string().refine(isAddressOrRange, 'must be an IP address or a range like 10.20.0.0/16');

function isAddressOrRange(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

const councilId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

export const councilSchema = z
  .object({
    name: z.string().min(1),
    /** The From address of citizen e-mails about this council's services. */
    senderEmail: z.email().optional(),
    /** A PNG or SVG file (relative to this file) shown in the header of this council's pages. */
    logo: z.string().regex(/\.(png|svg)$/i, 'must be a .png or .svg file').optional(),
  })
  .strict();

export const bindingSchema = z
  .object({
    connector: z.string().min(1),
    /** The council that owns this binding; only its services may use it. Absent: shared by every council. */
    council: z.string().optional(),
    description: z.string().optional(),
    /** Deliveries handled at once for this binding by each worker process. */
    concurrency: z.number().int().min(1).max(500).default(20),
    retry: retrySchema.default({ attempts: 10, scheduleSeconds: [5, 60, 300, 900, 1800, 3600, 3600, 3600, 3600] }),
    /** At most `max` deliveries started per `durationMs` for this binding, across every worker process (BullMQ's limiter). */
    rateLimit: z.strictObject({ max: z.number().int().min(1), durationMs: z.number().int().min(100).default(1000) }).optional(),
    /** Operator alerts (closeloop_delivery_alerts, GET /api/v1/admin/alerts): a delivery not delivered after this many minutes is stale. */
    alerts: z.strictObject({ pendingMinutes: z.number().positive().default(30) }).default({ pendingMinutes: 30 }),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const channelSchema = z
  .object({
    channel: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** Where Redis (BullMQ's transport) is: one server, a Sentinel group or a Cluster. */
export const redisSchema = z
  .object({
    /** With sentinel or cluster, only its password, user, database and TLS (rediss://) are used. */
    url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    /** BullMQ key prefix; with Redis Cluster it must hold a {hash tag} so each queue's keys share a slot. */
    prefix: z.string().min(1).default('closeloop'),
    /** Redis Sentinel: the master's name and the sentinels to ask for it (failover is followed automatically). */
    sentinel: z.strictObject({ name: z.string().min(1), sentinels: z.array(hostPort).min(1) }).optional(),
    /** Redis Cluster: seed nodes (the rest are discovered). */
    cluster: z.strictObject({ nodes: z.array(hostPort).min(1) }).optional(),
  })
  .strict()
  .refine((r) => !(r.sentinel && r.cluster), { message: 'give sentinel or cluster, not both', path: ['cluster'] })
  .refine((r) => !r.cluster || /\{[^{}]+\}/.test(r.prefix), { message: 'with cluster, the prefix needs a {hash tag}, e.g. "{closeloop}"', path: ['prefix'] });

export const closeloopConfigSchema = z
  .object({
    /** The hub's own council (the default owner of services, bindings and keys). */
    council: councilSchema.extend({ id: councilId.default('default') }).strict(),
    /** More councils sharing this hub (e.g. a shared service centre): each owns its services, bindings, keys and branding. */
    councils: z.record(councilId, councilSchema).default({}),
    server: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(3000),
        publicBaseUrl: z.url(),
        /** Request body limits. */
        limits: z
          .object({
            jsonBytes: z.number().int().positive().default(1024 * 1024),
            multipartBytes: z.number().int().positive().default(50 * 1024 * 1024),
            files: z.number().int().positive().default(10),
          })
          .strict()
          .default({ jsonBytes: 1024 * 1024, multipartBytes: 50 * 1024 * 1024, files: 10 }),
        /** Serve HTTPS directly (PEM files); HSTS is sent then. Without it, terminate TLS at a proxy. */
        tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
        /** Trust X-Forwarded-For/-Proto (only behind a proxy that sets them): client IPs for rate limits come from there. */
        trustProxy: z.boolean().default(false),
        /** Failed attempts allowed per client IP per minute before 429 (guessing API keys or tracking links). */
        rateLimits: z
          .strictObject({
            failedAuthPerMinute: z.number().int().min(1).default(20),
            failedTrackingPerMinute: z.number().int().min(1).default(30),
          })
          .default({ failedAuthPerMinute: 20, failedTrackingPerMinute: 30 }),
        /** GET /metrics (Prometheus). With a bearerToken, scrapers must send `Authorization: Bearer <token>`; without one it is open. */
        metrics: z
          .strictObject({
            enabled: z.boolean().default(true),
            bearerToken: secretRefSchema.optional(),
            /** Hub-wide figures are read from Postgres at most this often per process (a scrape storm costs one query). */
            cacheSeconds: z.number().min(0).max(300).default(5),
          })
          .default({ enabled: true, cacheSeconds: 5 }),
      })
      .strict(),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
        poolMax: z.number().int().min(1).max(200).default(10),
      })
      .strict(),
    redis: redisSchema,
    documents: z
      .object({
        driver: z.literal('filesystem').default('filesystem'),
        /** Outside any web root; relative paths are resolved against the working directory. */
        path: z.string().min(1).default('./data/documents'),
      })
      .strict()
      .default({ driver: 'filesystem', path: './data/documents' }),
    /** Folder of service definitions and of XSDs, relative to this file. */
    servicesDir: z.string().default('services'),
    xsdDir: z.string().default('xsd'),
    /** Third-party plugins: npm package names or paths relative to this file. */
    plugins: z.array(z.string()).default([]),
    bindings: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), bindingSchema).default({}),
    /**
     * Service id → the bindings it sends to, replacing the `bindings` its definition names: one folder of services can
     * then be deployed against different back offices (the examples under config/examples do this).
     */
    serviceBindings: z.record(z.string(), z.array(z.string()).min(1)).default({}),
    channels: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), channelSchema).default({}),
    notifications: z
      .object({
        /** Updates to one process within this window are combined into one message. */
        combineWindowSeconds: z.number().min(0).default(0),
        attempts: z.number().int().min(1).default(8),
      })
      .strict()
      .default({ combineWindowSeconds: 0, attempts: 8 }),
    worker: z
      .object({
        relayIntervalMs: z.number().int().min(50).default(500),
        relayBatchSize: z.number().int().min(1).max(5000).default(500),
        /** How long a job's lock lasts; a worker that dies holding one is noticed after about this long. */
        lockDurationMs: z.number().int().min(1000).default(30_000),
        /** Citizen messages sent at once by each worker process. */
        notificationConcurrency: z.number().int().min(1).max(500).default(50),
      })
      .strict()
      .default({ relayIntervalMs: 500, relayBatchSize: 500, lockDurationMs: 30_000, notificationConcurrency: 50 }),
    /** Operator alerts by e-mail: a digest of dead and stale deliveries, sent only when there are some. */
    alertDigest: z
      .strictObject({
        to: z.array(z.email()).min(1),
        from: z.email(),
        intervalMinutes: z.number().int().min(1).max(10_080).default(60),
        smtp: z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(25), secure: z.boolean().default(false) }),
      })
      .optional(),
    /**
     * The built-in sandbox back office (/sandbox, when a binding named "sandbox" exists) shows citizens' submissions and
     * acts on them without signing in: its page and buttons answer only these client addresses. Default: this machine
     * (loopback). Behind a proxy, the client's address is the one the proxy saw, and only with server.trustProxy.
     */
    sandbox: z
      .strictObject({ allowFrom: z.array(addressRangeSchema).min(1).default(['127.0.0.0/8', '::1']) })
      .default({ allowFrom: ['127.0.0.0/8', '::1'] }),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.councils[c.council.id]) ctx.addIssue({ code: 'custom', path: ['councils', c.council.id], message: `"${c.council.id}" is already the id of council (the hub's own council)` });
    const councilIds = new Set([c.council.id, ...Object.keys(c.councils)]);
    for (const [name, b] of Object.entries(c.bindings)) {
      if (b.council && !councilIds.has(b.council)) ctx.addIssue({ code: 'custom', path: ['bindings', name, 'council'], message: `no council "${b.council}" (known: ${[...councilIds].join(', ')})` });
    }
    for (const [service, names] of Object.entries(c.serviceBindings)) {
      names.forEach((name, i) => {
        if (!c.bindings[name]) ctx.addIssue({ code: 'custom', path: ['serviceBindings', service, i], message: `binding "${name}" is not configured under bindings` });
      });
    }
  });

export type CloseloopConfigFile = z.infer<typeof closeloopConfigSchema>;
export type BindingConfig = z.infer<typeof bindingSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
