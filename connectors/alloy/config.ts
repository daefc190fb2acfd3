// An Alloy binding's settings: where the tenant is, which design the items go into, how the service's validated XML
// becomes item attributes, and how Alloy's statuses come back as task updates. Secrets arrive resolved from
// `{ env: NAME }` in closeloop.yaml.
import { z } from 'zod';

const taskStatus = z.enum(['open', 'in_progress', 'completed', 'cancelled']);
const code = z.string().min(1).max(200);

/** One item attribute filled from the XML. */
const attributeMapSchema = z.strictObject({
  attributeCode: code,
  /** XPath into the service's validated XML (prefixes from `namespaces`). */
  xpath: z.string().min(1),
  /**
   * string (default) · number · boolean · datetime (ISO 8601) · itemRef (Alloy link attributes take an array of item ids)
   * · list (every node the XPath selects, as an array).
   */
  type: z.enum(['string', 'number', 'boolean', 'datetime', 'itemRef', 'list']).default('string'),
  /** Value → Alloy code or item id (e.g. a noise type → the id of the item in Alloy's category list). */
  lookup: z.record(z.string(), z.string()).optional(),
  /** What an unmapped value becomes: the value itself (default), nothing, or a failure (the delivery is dead). */
  unmapped: z.enum(['keep', 'omit', 'fail']).default('keep'),
});

/** What an Alloy state means here: a task update, a citizen-facing note, closing the process. */
const stateEffectSchema = z
  .strictObject({
    task: z.string().min(1).optional(),
    taskStatus: taskStatus.optional(),
    /** Told to the citizen (and shown on the tracking page). */
    note: z.string().min(1).max(2000).optional(),
    /** Closes the process with this reason. */
    close: z.string().min(1).max(500).optional(),
  })
  .refine((e) => (e.task === undefined) === (e.taskStatus === undefined), { message: 'give task and taskStatus together' })
  .refine((e) => e.task || e.note || e.close, { message: 'give a task update, a note or a close reason' });

const stateMapSchema = z.strictObject({
  /** The item attribute holding the state (a status or closure-reason link attribute, or a plain code). */
  attribute: code,
  /** Alloy value (an item id for link attributes) → what it means. Values not listed change nothing. */
  map: z.record(z.string(), stateEffectSchema),
});

/** Where the point is in the XML; latitude/longitude preferred, easting/northing (British National Grid) converted. */
const geometrySchema = z
  .strictObject({
    latitude: z.string().optional(),
    longitude: z.string().optional(),
    easting: z.string().optional(),
    northing: z.string().optional(),
  })
  .refine((g) => (g.latitude && g.longitude) || (g.easting && g.northing), { message: 'give latitude and longitude XPaths, or easting and northing' });

export const alloyConfigSchema = z.strictObject({
  /** The tenant's API, e.g. https://api.uk.alloyapp.io */
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  /** An Alloy API key (sent as a Bearer token). */
  apiKey: z.string().min(8, 'must be an Alloy API key'),
  designCode: code,
  collectionCode: z.string().default('Live'),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  /** Requests per second this worker process sends to Alloy (Alloy disables keys that exceed their limits). */
  requestsPerSecond: z.number().min(0.1).max(100).default(5),
  namespaces: z.record(z.string(), z.string()).default({}),
  /** Attributes every item gets (see `services` for per-service ones). */
  attributes: z.array(attributeMapSchema).default([]),
  geometry: geometrySchema.optional(),
  /**
   * Per service (by id): another design, more attributes (added to the common ones), another geometry. One binding can
   * then serve several forms whose XML differs.
   */
  services: z
    .record(z.string(), z.strictObject({ designCode: code.optional(), attributes: z.array(attributeMapSchema).default([]), geometry: geometrySchema.optional() }))
    .default({}),
  /** Parent items by attribute code (e.g. the enquiry's category list), constant item ids. */
  parents: z.record(code, z.array(z.string().min(1)).min(1)).optional(),
  /** The attribute that carries the delivery id: looked up before creating, so a retry never creates a second item. */
  deliveryIdAttribute: code,
  /** The attribute holding file item ids; the documents of `documentKinds` are uploaded and attached there. */
  attachmentsAttribute: code.optional(),
  documentKinds: z.array(z.enum(['evidence', 'form-html', 'form-json', 'xml'])).default(['evidence']),
  /** Alloy's states back into the loop (like open311-adapter's status and closure-reason mappings). */
  status: stateMapSchema.optional(),
  closureReason: stateMapSchema.optional(),
  inbound: z
    .strictObject({
      /** The header an Alloy workflow's HTTP Request action sends, and the secret it carries (at least 16 characters). */
      header: z.string().regex(/^[A-Za-z0-9-]+$/).default('X-Closeloop-Secret'),
      secret: z.string().min(16, 'must be at least 16 characters (use { generated: name } or a long random value)'),
    })
    .optional(),
  /** Ask Alloy for items edited since the last poll, every `intervalSeconds` (0 or absent: no polling). */
  poll: z.strictObject({ intervalSeconds: z.number().int().min(0).max(86_400) }).optional(),
  /** The actor name on the timeline ("by Alloy EH"). */
  actorName: z.string().min(1).max(100).default('Alloy'),
});

export type AlloyConfig = z.infer<typeof alloyConfigSchema>;
export type StateEffect = z.infer<typeof stateEffectSchema>;
export type AttributeMap = z.infer<typeof attributeMapSchema>;

/** What one service's deliveries use: its design, the common attributes plus its own, its geometry. */
export interface ServiceMapping {
  designCode: string;
  attributes: AttributeMap[];
  geometry?: AlloyConfig['geometry'];
}

export function mappingFor(config: AlloyConfig, serviceId: string): ServiceMapping {
  const own = config.services[serviceId];
  return { designCode: own?.designCode ?? config.designCode, attributes: [...config.attributes, ...(own?.attributes ?? [])], geometry: own?.geometry ?? config.geometry };
}

/** Every design this binding writes to (polls and checks cover each). */
export function designsOf(config: AlloyConfig): string[] {
  return [...new Set([config.designCode, ...Object.values(config.services).flatMap((s) => (s.designCode ? [s.designCode] : []))])];
}
