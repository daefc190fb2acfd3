// An Alloy binding's settings: where the tenant is, which design the items go into, how the service's validated XML
// becomes item attributes, and how Alloy's statuses come back as task updates. Secrets arrive resolved from
// `{ env: NAME }` in closeloop.yaml.
import { z } from 'zod';

const taskStatus = z.enum(['open', 'in_progress', 'completed', 'cancelled']);
const code = z.string().min(1).max(200);

/** One item attribute filled from the XML. */
const attributeMapSchema = z.strictObject({
  attributeCode: code.describe("The item attribute's code (Alloy's Designer shows it)"),
  xpath: z.string().min(1).describe("XPath into the service's validated XML (prefixes from namespaces)"),
  type: z
    .enum(['string', 'number', 'boolean', 'datetime', 'itemRef', 'list'])
    .default('string')
    .describe('datetime: ISO 8601; itemRef: an array of item ids (what Alloy link attributes take); list: every node the XPath selects, as an array'),
  lookup: z
    .record(z.string(), z.string())
    .optional()
    .describe("Value → Alloy code or item id (e.g. a noise type → the id of the item in Alloy's category list)"),
  unmapped: z
    .enum(['keep', 'omit', 'fail'])
    .default('keep')
    .describe('What a value missing from lookup becomes: the value itself, nothing, or a failure (the delivery is dead)'),
});

/** What an Alloy state means here: a task update, a citizen-facing note, closing the process. */
const stateEffectSchema = z
  .strictObject({
    task: z.string().min(1).optional().describe("The key of the service's task to update (with taskStatus)"),
    taskStatus: taskStatus.optional().describe('Its new status'),
    note: z.string().min(1).max(2000).optional().describe('Told to the citizen (and shown on the tracking page)'),
    close: z.string().min(1).max(500).optional().describe('Closes the process with this reason'),
  })
  .refine((e) => (e.task === undefined) === (e.taskStatus === undefined), { message: 'give task and taskStatus together' })
  .refine((e) => e.task || e.note || e.close, { message: 'give a task update, a note or a close reason' });

const stateMapSchema = z.strictObject({
  attribute: code.describe('The item attribute holding the state (a status or closure-reason link attribute, or a plain code)'),
  map: z.record(z.string(), stateEffectSchema).describe('Alloy value (an item id for link attributes) → what it means; values not listed change nothing'),
});

/** Where the point is in the XML; latitude/longitude preferred, easting/northing (British National Grid) converted. */
const geometrySchema = z
  .strictObject({
    latitude: z.string().optional().describe('XPath of the latitude (WGS84)'),
    longitude: z.string().optional().describe('XPath of the longitude (WGS84)'),
    easting: z.string().optional().describe('XPath of the easting (British National Grid), used when there is no latitude/longitude'),
    northing: z.string().optional().describe('XPath of the northing (British National Grid)'),
  })
  .refine((g) => (g.latitude && g.longitude) || (g.easting && g.northing), { message: 'give latitude and longitude XPaths, or easting and northing' });

export const alloyConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).describe("The tenant's API, e.g. https://api.uk.alloyapp.io"),
  apiKey: z
    .string()
    .min(8, 'must be an Alloy API key')
    .describe('An Alloy API key, sent as a Bearer token ({ env: NAME }); its role must create items in the designs and read file items'),
  designCode: code.describe('The design new items are created in'),
  collectionCode: z.string().default('Live').describe('The collection new items are created in'),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000).describe('Per request to Alloy'),
  requestsPerSecond: z
    .number()
    .min(0.1)
    .max(100)
    .default(5)
    .describe('Requests per second this worker process sends to Alloy (Alloy disables keys that exceed their limits)'),
  namespaces: z.record(z.string(), z.string()).default({}).describe('Prefix → namespace URI for the XPaths'),
  attributes: z.array(attributeMapSchema).default([]).describe('Attributes every item gets (services adds per-service ones)'),
  geometry: geometrySchema.optional().describe("Where the item's point is in the XML: latitude/longitude preferred, easting/northing converted to WGS84"),
  services: z
    .record(
      z.string(),
      z.strictObject({
        designCode: code.optional().describe('Another design for this service'),
        attributes: z.array(attributeMapSchema).default([]).describe('More attributes (added to the common ones)'),
        geometry: geometrySchema.optional().describe('Another geometry'),
      }),
    )
    .default({})
    .describe('Per service (by id): one binding can then serve several forms whose XML differs'),
  parents: z
    .record(code, z.array(z.string().min(1)).min(1))
    .optional()
    .describe("Parent items by attribute code (e.g. the enquiry's category list): constant item ids"),
  deliveryIdAttribute: code.describe('The attribute that carries the delivery id: looked up before creating, so a retry never creates a second item'),
  attachmentsAttribute: code
    .optional()
    .describe('The attribute holding file item ids: the documents of documentKinds are uploaded and attached there (absent: no file is sent)'),
  documentKinds: z
    .array(z.enum(['evidence', 'form-html', 'form-json', 'xml']))
    .default(['evidence'])
    .describe("Which documents are uploaded: evidence (the citizen's files), form-html / form-json (copies of the form), xml"),
  status: stateMapSchema.optional().describe("An item attribute whose values move the process on (like open311-adapter's status mappings)"),
  closureReason: stateMapSchema.optional().describe('An item attribute whose values close the process (like closure-reason mappings)'),
  inbound: z
    .strictObject({
      header: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/)
        .default('X-Closeloop-Secret')
        .describe("The header an Alloy workflow's HTTP Request action sends"),
      secret: z
        .string()
        .min(16, 'must be at least 16 characters (use { generated: name } or a long random value)')
        .describe('The secret it carries (at least 16 characters)'),
    })
    .optional()
    .describe('POST /connectors/{binding}/events: an Alloy workflow tells the hub an item changed (the hub then reads the item)'),
  poll: z
    .strictObject({ intervalSeconds: z.number().int().min(0).max(86_400).describe('Seconds between polls (0: none)') })
    .optional()
    .describe('Ask Alloy for items edited since the last poll'),
  updates: z
    .strictObject({
      commentAttribute: code.describe(
        "A text attribute of the item that citizens' messages are appended to, each on its own lines with its date (like open311-adapter's update attribute)",
      ),
    })
    .optional()
    .describe(
      "Citizens' replies and further evidence from the tracking page: each message is appended to commentAttribute and its files added to attachmentsAttribute, on the item the delivery created (absent: this binding takes no updates)",
    ),
  actorName: z.string().min(1).max(100).default('Alloy').describe('The actor name on the timeline ("by Alloy EH")'),
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
  return {
    designCode: own?.designCode ?? config.designCode,
    attributes: [...config.attributes, ...(own?.attributes ?? [])],
    geometry: own?.geometry ?? config.geometry,
  };
}

/** Every design this binding writes to (polls and checks cover each). */
export function designsOf(config: AlloyConfig): string[] {
  return [...new Set([config.designCode, ...Object.values(config.services).flatMap((s) => (s.designCode ? [s.designCode] : []))])];
}
