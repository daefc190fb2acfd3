// The shape of config/closeloop.yaml. Plugin-specific settings (a binding's `config`) are validated by the plugin's own schema.
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

export const bindingSchema = z
  .object({
    connector: z.string().min(1),
    description: z.string().optional(),
    /** Deliveries handled at once for this binding by each worker process. */
    concurrency: z.number().int().min(1).max(500).default(20),
    retry: retrySchema.default({ attempts: 10, scheduleSeconds: [5, 60, 300, 900, 1800, 3600, 3600, 3600, 3600] }),
    /** At most `max` deliveries started per `durationMs` for this binding, across every worker process (BullMQ's limiter). */
    rateLimit: z.strictObject({ max: z.number().int().min(1), durationMs: z.number().int().min(100).default(1000) }).optional(),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const channelSchema = z
  .object({
    channel: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const closeloopConfigSchema = z
  .object({
    council: z
      .object({
        name: z.string().min(1),
        senderEmail: z.email().optional(),
      })
      .strict(),
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
        tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
      })
      .strict(),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
        poolMax: z.number().int().min(1).max(200).default(10),
      })
      .strict(),
    redis: z
      .object({
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
        /** BullMQ key prefix; use a {hash tag} with Redis Cluster. */
        prefix: z.string().min(1).default('closeloop'),
      })
      .strict(),
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
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [service, names] of Object.entries(c.serviceBindings)) {
      names.forEach((name, i) => {
        if (!c.bindings[name]) ctx.addIssue({ code: 'custom', path: ['serviceBindings', service, i], message: `binding "${name}" is not configured under bindings` });
      });
    }
  });

export type CloseloopConfigFile = z.infer<typeof closeloopConfigSchema>;
export type BindingConfig = z.infer<typeof bindingSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
