// The shape of config/closeloop.yaml. Plugin-specific settings (a binding's `config`) are validated by the plugin's own schema.
import { z } from 'zod';
import { staffSchema } from './staff-schema.ts';
import { isIsoDate, REGIONS } from '../calendar/index.ts';

/** A secret is never written in config: it names an environment variable, or a secret the hub generates and keeps in Postgres. */
export const secretRefSchema = z.union([
  z
    .object({
      env: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*$/, 'environment variable names are UPPER_SNAKE_CASE')
        .describe('The environment variable holding the secret'),
    })
    .strict(),
  z
    .object({
      generated: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/)
        .describe('A random secret the hub makes on first start and keeps in Postgres under this name'),
    })
    .strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

export const retrySchema = z
  .object({
    attempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Attempts in all, the first included; after the last the delivery is dead (shown to operators, who can replay it)'),
    scheduleSeconds: z
      .array(z.number().positive())
      .min(1)
      .default([5, 60, 300, 900, 1800, 3600, 3600, 3600, 3600])
      .describe(
        'Delay before each retry, in seconds; the last entry repeats. Jitter of ±20% is added; a Retry-After from the back office is honoured when longer',
      ),
  })
  .strict()
  .describe("How a binding's failed deliveries are retried");

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port');

const councilId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

/** Where a council's addresses come from: an address provider plugin and its settings, plus the hub's own limits on it. */
export const addressSchema = z
  .object({
    provider: z
      .string()
      .min(1)
      .default('gazetteer')
      .describe(
        "The address provider: gazetteer (the council's own address list, imported into Postgres), os-places (built in) or one from a plugin listed under plugins",
      ),
    config: z.record(z.string(), z.unknown()).default({}).describe("The provider's own settings: see its section below"),
    maxResults: z.number().int().min(1).max(1000).default(100).describe('Most addresses one lookup answers (a postcode, a search); the rest are not shown'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(5000)
      .describe('How long a lookup may take before the provider counts as unavailable (the citizen is offered manual entry)'),
    nearestMetres: z
      .number()
      .positive()
      .max(5000)
      .default(250)
      .describe('How far from a dropped pin the nearest address or street may be; farther away, none is suggested'),
  })
  .strict();

/** A tile URL the map can use: http(s), one fixed host (the page's Content-Security-Policy allows exactly it), {z}/{x}/{y}. */
function isTileUrl(url: string): boolean {
  if (!/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url)) return false;
  try {
    const parsed = new URL(url.replace(/\{[zxy]\}/g, '0'));
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !/[{}]/.test(parsed.host) && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

/** The map of the location question: where its tiles come from (nothing else is fetched) and where it starts. */
export const mapsSchema = z
  .object({
    tiles: z
      .object({
        url: z
          .string()
          .max(500)
          .refine(isTileUrl, 'must be an http(s) URL on one host with {z}, {x} and {y}, like https://tiles.example/{z}/{x}/{y}.png (no {s} subdomains)')
          .describe(
            "The tile server's URL template with {z}, {x} and {y}; the location page's, and a case page's or tracking page's with a map under Where, Content-Security-Policy allows images from its host and no other",
          ),
        attribution: z.string().min(1).max(300).describe('The copyright line shown on the map (plain text), as the tile licence requires'),
        maxZoom: z.number().int().min(1).max(22).default(19).describe('The closest zoom level the tile server has'),
      })
      .strict()
      .describe(
        "Map tiles (an OS Maps API, an OpenStreetMap tile server or the council's own), also drawn as a small map of the place on the staff case page and the tracking page. Absent: no map; the location question asks for a description and the nearest street, and those pages show the place in words only",
      ),
    centre: z
      .object({
        latitude: z.number().min(49).max(61).describe('Degrees north (WGS84)'),
        longitude: z.number().min(-9).max(2.1).describe('Degrees east (WGS84; west is negative)'),
      })
      .strict()
      .describe("Where the map opens: the middle of the council's area"),
    zoom: z.number().int().min(1).max(22).default(14).describe('The zoom level the map opens at'),
  })
  .strict();

/** A council's area (GeoJSON, WGS84) and who to send a citizen to when a place is outside it. */
export const boundarySchema = z
  .strictObject({
    file: z
      .string()
      .regex(/\.(geo)?json$/i, 'must be a .geojson or .json file')
      .describe(
        'A GeoJSON file (relative to this file; WGS84 longitude/latitude, RFC 7946) holding the area as Polygons or MultiPolygons, bare or in a Feature or FeatureCollection; at most 10 MB',
      ),
    neighbours: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(200).describe('The neighbouring authority\'s name, e.g. "Neighbour Borough Council"'),
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).describe('Where a citizen reports it to them'),
          boundary: z
            .string()
            .regex(/\.(geo)?json$/i, 'must be a .geojson or .json file')
            .optional()
            .describe('Their area (GeoJSON, as file above): when a place lies in it, the citizen is sent to them by name. Absent: listed with the others'),
        }),
      )
      .max(50)
      .default([])
      .describe("Authorities to send a citizen to when a place is outside this council's area"),
  })
  .describe(
    "The council's area: a place (an address's coordinates, a pin) outside it is refused, and the citizen is told who to contact instead. Absent: places are not checked",
  );

export const councilSchema = z
  .object({
    name: z.string().min(1).describe("The council's name, shown on its pages and e-mails"),
    senderEmail: z.email().optional().describe("The From address of citizen e-mails about this council's services"),
    logo: z
      .string()
      .regex(/\.(png|svg)$/i, 'must be a .png or .svg file')
      .optional()
      .describe("A PNG or SVG file (relative to this file) shown in the header of this council's pages"),
    staff: staffSchema.optional(),
    bankHolidays: z
      .enum(REGIONS, { error: `must be ${REGIONS.slice(0, -1).join(', ')} or ${REGIONS.at(-1)}` })
      .optional()
      .describe("Whose bank holidays are not working days when a task's target is counted: england-and-wales (the default), scotland or northern-ireland"),
    extraHolidays: z
      .array(z.string().refine(isIsoDate, 'must be a date written YYYY-MM-DD'))
      .max(1000)
      .optional()
      .describe("The council's own days off (YYYY-MM-DD), not counted as working days either: a closure, a bank holiday proclaimed after this release"),
    address: addressSchema
      .optional()
      .describe("How the council's address questions find addresses (postcode, text, UPRN, nearest to a pin). Absent: the gazetteer, with the defaults below"),
    maps: mapsSchema.optional().describe("The map the council's location questions show. Absent: no map, only the description and nearest street"),
    boundary: boundarySchema.optional(),
  })
  .strict();

export const bindingSchema = z
  .object({
    connector: z.string().min(1).describe('The connector: webhook, soap, alloy (built in) or one from a plugin listed under plugins'),
    council: z.string().optional().describe('The council that owns this binding; only its services may use it. Absent: shared by every council'),
    description: z.string().optional().describe('What this back office is, for operators'),
    concurrency: z.number().int().min(1).max(500).default(20).describe('Deliveries handled at once for this binding by each worker process'),
    retry: retrySchema.default({ attempts: 10, scheduleSeconds: [5, 60, 300, 900, 1800, 3600, 3600, 3600, 3600] }),
    rateLimit: z
      .strictObject({
        max: z.number().int().min(1).describe('Deliveries started per durationMs'),
        durationMs: z.number().int().min(100).default(1000).describe('The window, in milliseconds'),
      })
      .optional()
      .describe("At most max deliveries started per durationMs for this binding, across every worker process (BullMQ's limiter)"),
    alerts: z
      .strictObject({ pendingMinutes: z.number().positive().default(30).describe('A delivery not delivered this many minutes after submission is stale') })
      .default({ pendingMinutes: 30 })
      .describe('Operator alerts (closeloop_delivery_alerts, GET /api/v1/admin/alerts, the alert digest)'),
    config: z.record(z.string(), z.unknown()).default({}).describe("The connector's own settings: see its section below"),
  })
  .strict();

export const channelSchema = z
  .object({
    channel: z.string().min(1).describe('The channel: smtp, govuk-notify (built in) or one from a plugin listed under plugins'),
    config: z.record(z.string(), z.unknown()).default({}).describe("The channel's own settings: see its section below"),
  })
  .strict();

/** Where Redis (BullMQ's transport) is: one server, a Sentinel group or a Cluster. */
export const redisSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .describe('redis:// or rediss:// (TLS) URL. With sentinel or cluster, only its password, user, database and TLS are used'),
    prefix: z
      .string()
      .min(1)
      .default('closeloop')
      .describe("BullMQ key prefix; with Redis Cluster it must hold a {hash tag} so each queue's keys share a slot"),
    sentinel: z
      .strictObject({
        name: z.string().min(1).describe("The master's name"),
        sentinels: z.array(hostPort).min(1).describe('The sentinels to ask for it, as host:port'),
      })
      .optional()
      .describe('Redis Sentinel (failover is followed automatically)'),
    cluster: z
      .strictObject({ nodes: z.array(hostPort).min(1).describe('Seed nodes as host:port (the rest are discovered)') })
      .optional()
      .describe('Redis Cluster'),
  })
  .strict()
  .refine((r) => !(r.sentinel && r.cluster), { message: 'give sentinel or cluster, not both', path: ['cluster'] })
  .refine((r) => !r.cluster || /\{[^{}]+\}/.test(r.prefix), { message: 'with cluster, the prefix needs a {hash tag}, e.g. "{closeloop}"', path: ['prefix'] });

export const closeloopConfigSchema = z
  .object({
    council: councilSchema
      .extend({ id: councilId.default('default').describe('Its id, which services, bindings and keys name (lower-case letters, digits and dashes)') })
      .strict()
      .describe("The hub's own council (the default owner of services, bindings and keys)"),
    councils: z
      .record(councilId, councilSchema)
      .default({})
      .describe('More councils sharing this hub (e.g. a shared service centre), by id: each owns its services, bindings, keys and branding'),
    server: z
      .object({
        host: z.string().default('0.0.0.0').describe('The address to listen on'),
        port: z.number().int().min(0).max(65535).default(3000).describe('The port to listen on'),
        publicBaseUrl: z.url().describe('The address citizens and back offices reach the hub at (in tracking links, e-mails and document URLs)'),
        limits: z
          .object({
            jsonBytes: z
              .number()
              .int()
              .positive()
              .default(1024 * 1024)
              .describe('Largest JSON body, in bytes'),
            multipartBytes: z
              .number()
              .int()
              .positive()
              .default(50 * 1024 * 1024)
              .describe('Largest multipart submission (answers and files together), in bytes'),
            files: z.number().int().positive().default(10).describe('Most files in one submission'),
          })
          .strict()
          .default({ jsonBytes: 1024 * 1024, multipartBytes: 50 * 1024 * 1024, files: 10 })
          .describe('Request body limits'),
        tls: z
          .object({ certFile: z.string().describe('PEM certificate (chain)'), keyFile: z.string().describe('PEM private key') })
          .strict()
          .optional()
          .describe('Serve HTTPS directly; HSTS is sent then. Without it, terminate TLS at a proxy'),
        trustProxy: z
          .boolean()
          .default(false)
          .describe('Trust X-Forwarded-For/-Proto (only behind a proxy that sets them): client addresses for rate limits come from there'),
        rateLimits: z
          .strictObject({
            failedAuthPerMinute: z.number().int().min(1).default(20).describe('Bad API keys per client address per minute before 429'),
            failedTrackingPerMinute: z.number().int().min(1).default(30).describe('Unknown tracking links per client address per minute before 429'),
            savedFormsPerHour: z
              .number()
              .int()
              .min(1)
              .default(10)
              .describe('"Save and come back later" e-mails per e-mail address, and per client address, per hour before 429'),
            messagesPerLinkPerHour: z
              .number()
              .int()
              .min(1)
              .default(10)
              .describe('Messages a citizen may send from one tracking link per hour (the tracking page\'s "Send a message or add evidence") before 429'),
            messagesPerAddressPerHour: z
              .number()
              .int()
              .min(1)
              .default(30)
              .describe('Messages from one client address per hour, whatever the tracking link, before 429'),
            addressLookupsPerSession: z
              .number()
              .int()
              .min(1)
              .default(30)
              .describe(
                "Address searches a citizen's form may make per window (find an address by postcode, the location question's street search) before 429: each is a paid transaction with os-places",
              ),
            addressLookupsPerAddress: z
              .number()
              .int()
              .min(1)
              .default(100)
              .describe('Address searches from one client address per window, whatever the form, before 429 (a library or office shares one address)'),
            addressLookupWindowMinutes: z.number().int().min(1).max(1440).default(10).describe('The window the address search limits count over, in minutes'),
          })
          .default({
            failedAuthPerMinute: 20,
            failedTrackingPerMinute: 30,
            savedFormsPerHour: 10,
            messagesPerLinkPerHour: 10,
            messagesPerAddressPerHour: 30,
            addressLookupsPerSession: 30,
            addressLookupsPerAddress: 100,
            addressLookupWindowMinutes: 10,
          })
          .describe(
            'Limits per client address and per form or link: failed attempts (guessing API keys or tracking links), messages, saved forms, address searches',
          ),
        metrics: z
          .strictObject({
            enabled: z.boolean().default(true).describe('Serve GET /metrics'),
            bearerToken: secretRefSchema.optional().describe('Scrapers must then send Authorization: Bearer <token>; without one /metrics is open'),
            cacheSeconds: z
              .number()
              .min(0)
              .max(300)
              .default(5)
              .describe('Hub-wide figures are read from Postgres at most this often per process (a scrape storm costs one query)'),
          })
          .default({ enabled: true, cacheSeconds: 5 })
          .describe('GET /metrics (Prometheus)'),
      })
      .strict()
      .describe('The HTTP server (API, citizen pages, callbacks)'),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .describe('postgres:// URL'),
        poolMax: z.number().int().min(1).max(200).default(10).describe('Connections per process'),
      })
      .strict()
      .describe('Postgres, the source of truth'),
    redis: redisSchema.describe("Redis, BullMQ's transport (needs maxmemory-policy noeviction)"),
    documents: z
      .object({
        driver: z.literal('filesystem').default('filesystem').describe('Where documents are kept'),
        path: z.string().min(1).default('./data/documents').describe('Outside any web root; relative paths are resolved against the working directory'),
      })
      .strict()
      .default({ driver: 'filesystem', path: './data/documents' })
      .describe("Citizens' files and form copies"),
    servicesDir: z.string().default('services').describe('Folder of service definitions, relative to this file'),
    xsdDir: z.string().default('xsd').describe('Folder of XSDs, relative to this file'),
    plugins: z.array(z.string()).default([]).describe('Third-party plugins: npm package names or paths relative to this file'),
    bindings: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/), bindingSchema)
      .default({})
      .describe('Back offices, by name: each is one configured connector; services name the bindings they send to'),
    serviceBindings: z
      .record(z.string(), z.array(z.string()).min(1))
      .default({})
      .describe(
        'Service id → the bindings it sends to, replacing the bindings its definition names: one folder of services can then be deployed against different back offices',
      ),
    channels: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/), channelSchema)
      .default({})
      .describe('Citizen notification channels, by name'),
    notifications: z
      .object({
        combineWindowSeconds: z.number().min(0).default(0).describe('Updates to one process within this window are combined into one message'),
        confirmationWindowSeconds: z
          .number()
          .int()
          .min(0)
          .default(5)
          .describe(
            'The submission\'s confirmation waits this long: if the back office takes the case meanwhile, the citizen gets one message saying both (0: the confirmation goes at once, and "passed to the team" follows)',
          ),
        attempts: z.number().int().min(1).default(8).describe('Attempts to send one message before it counts as failed'),
      })
      .strict()
      .default({ combineWindowSeconds: 0, confirmationWindowSeconds: 5, attempts: 8 })
      .describe('Messages to citizens'),
    subscriptions: z
      .object({
        retry: retrySchema.default({ attempts: 10, scheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] }),
        timeoutMs: z.number().int().min(100).max(60_000).default(10_000).describe('Each POST to a subscriber must be answered within it, or it is retried'),
        concurrency: z.number().int().min(1).max(200).default(10).describe('Subscription deliveries sent at once by each worker process'),
      })
      .strict()
      .default({
        retry: { attempts: 10, scheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] },
        timeoutMs: 10_000,
        concurrency: 10,
      })
      .describe(
        'Outbound event subscriptions (POST /api/v1/admin/subscriptions): how their signed webhooks are retried (by default the Standard Webhooks schedule, about 3 days) before they are dead',
      ),
    worker: z
      .object({
        relayIntervalMs: z
          .number()
          .int()
          .min(50)
          .default(500)
          .describe('How often the relay looks for pending deliveries and messages (NOTIFY wakes it sooner)'),
        relayBatchSize: z.number().int().min(1).max(5000).default(500).describe('Most rows the relay moves to the queues at once'),
        lockDurationMs: z
          .number()
          .int()
          .min(1000)
          .default(30_000)
          .describe("How long a job's lock lasts; a worker that dies holding one is noticed after about this long"),
        attemptLeaseMs: z
          .number()
          .int()
          .min(3000)
          .default(60_000)
          .describe(
            "How long a delivery or message being sent stays its worker's (renewed while it runs): a job run again because its worker looked stalled waits for it, so nothing is sent twice. A worker that dies is replaced after about this long",
          ),
        notificationConcurrency: z.number().int().min(1).max(500).default(50).describe('Citizen messages sent at once by each worker process'),
      })
      .strict()
      .default({ relayIntervalMs: 500, relayBatchSize: 500, lockDurationMs: 30_000, attemptLeaseMs: 60_000, notificationConcurrency: 50 })
      .describe('The worker role'),
    alertDigest: z
      .strictObject({
        channel: z.string().min(1).describe('The channel (under channels) it is sent through; its plugin must send operator messages, as smtp does'),
        to: z.array(z.email()).min(1).describe('Who receives it'),
        from: z.email().optional().describe("Its From address (default: the channel's)"),
        intervalMinutes: z.number().int().min(1).max(10_080).default(60).describe('How often it is considered'),
      })
      .optional()
      .describe('Operator alerts by e-mail: a digest of dead and stale deliveries, sent only when there are some'),
    sandbox: z
      .never({ error: 'moved: the sandbox back office is a connector now; set allowFrom in its binding (bindings.sandbox.config.allowFrom)' })
      .optional()
      .describe('No longer here: see the sandbox connector (bindings.<name>.config.allowFrom)'),
    staff: z
      .strictObject({
        session: z
          .strictObject({
            idleMinutes: z.number().int().min(1).max(1440).default(30).describe('A staff session ends after this many minutes without a request'),
            absoluteHours: z.number().int().min(1).max(168).default(12).describe('A staff session ends this many hours after sign-in, however active'),
          })
          .default({ idleMinutes: 30, absoluteHours: 12 })
          .describe('Staff console sessions (kept in Postgres)'),
        pluginPagesSignIn: z
          .boolean()
          .default(true)
          .describe(
            "Plugin pages for people (the sandbox back office's page and buttons) answer only someone signed in to the staff console, at /staff/connectors/{binding}/; false: at /connectors/{binding}/ with no sign-in (their own checks, like the sandbox's allowFrom, still apply)",
          ),
      })
      .default({ session: { idleMinutes: 30, absoluteHours: 12 }, pluginPagesSignIn: true })
      .describe('The staff console at /staff'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe level logged') })
      .strict()
      .default({ level: 'info' })
      .describe('Logging (pino, JSON lines on stdout)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.councils[c.council.id])
      ctx.addIssue({ code: 'custom', path: ['councils', c.council.id], message: `"${c.council.id}" is already the id of council (the hub's own council)` });
    const councilIds = new Set([c.council.id, ...Object.keys(c.councils)]);
    // An operator sees every council: only the hub's own council's provider may make one.
    for (const [id, other] of Object.entries(c.councils)) {
      other.staff?.oidc?.roleMapping.forEach((m, i) => {
        if (m.role === 'operator')
          ctx.addIssue({
            code: 'custom',
            path: ['councils', id, 'staff', 'oidc', 'roleMapping', i, 'role'],
            message:
              "operator is given only by the hub's own council's provider (council.staff.oidc); here use council-admin, service-editor, caseworker or auditor",
          });
      });
    }
    for (const [name, b] of Object.entries(c.bindings)) {
      if (b.council && !councilIds.has(b.council))
        ctx.addIssue({ code: 'custom', path: ['bindings', name, 'council'], message: `no council "${b.council}" (known: ${[...councilIds].join(', ')})` });
    }
    for (const [service, names] of Object.entries(c.serviceBindings)) {
      names.forEach((name, i) => {
        if (!c.bindings[name])
          ctx.addIssue({ code: 'custom', path: ['serviceBindings', service, i], message: `binding "${name}" is not configured under bindings` });
      });
    }
    if (c.alertDigest && !c.channels[c.alertDigest.channel]) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertDigest', 'channel'],
        message: `channel "${c.alertDigest.channel}" is not configured under channels (known: ${Object.keys(c.channels).join(', ') || 'none'})`,
      });
    }
  });

export type CloseloopConfigFile = z.infer<typeof closeloopConfigSchema>;
export type BindingConfig = z.infer<typeof bindingSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
export type AddressConfig = z.infer<typeof addressSchema>;
export type MapsConfig = z.infer<typeof mapsSchema>;
