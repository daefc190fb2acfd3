// A webhook binding's settings. Secrets arrive resolved: closeloop.yaml says `{ env: NAME }` or `{ generated: name }`.
import { z } from 'zod';
import { webhookSecretSchema } from '@closeloop/sdk';

/** Headers the connector sets itself on every delivery; an extra header may not replace them. */
const RESERVED_HEADERS = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'idempotency-key',
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);

const whsec = webhookSecretSchema;

export const webhookConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).describe("Where each delivery is POSTed (the back office's receiver)"),
  secret: whsec.describe('Signs every delivery (Standard Webhooks: whsec_ and base64 of at least 16 bytes); the back office verifies with it'),
  format: z
    .enum(['xml', 'json'])
    .default('xml')
    .describe("The body: the service's validated XML, or a JSON envelope with the process, answers, XML and document links (its shape is below)"),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('The whole exchange must finish within it, or the delivery is retried'),
  allowPrivateNetwork: z
    .boolean()
    .default(false)
    .describe(
      "Allow loopback and private addresses (the sandbox, tests, a back office on the council's own network) for deliveries and for the document URLs of its callbacks (document.added); otherwise refused against SSRF",
    ),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name'), z.string().describe('Its value'))
    .refine((h) => !Object.keys(h).some((k) => RESERVED_HEADERS.has(k.toLowerCase())), { message: `may not set ${[...RESERVED_HEADERS].join(', ')}` })
    .default({})
    .describe(`Extra headers sent with every delivery (e.g. an API gateway key); they may not replace ${[...RESERVED_HEADERS].join(', ')}`),
  reference: z
    .union([
      z.strictObject({ header: z.string().min(1).describe('A response header holding it (e.g. X-Case-Reference)') }),
      z.strictObject({ jsonPath: z.string().min(1).describe('A dotted path into a JSON answer, e.g. case.id') }),
      z.strictObject({
        xpath: z.string().min(1).describe('An XPath into an XML answer (an answer carrying a DOCTYPE is not read)'),
        namespaces: z.record(z.string(), z.string()).optional().describe('Prefix → namespace URI for the XPath'),
      }),
    ])
    .optional()
    .describe(
      "Where the back office's own reference (its case number) is in its 2xx answer; it becomes the delivery's and the process's externalRef (at most 200 characters). Absent: none is kept",
    ),
  inboundSecrets: z
    .array(whsec)
    .min(1)
    .optional()
    .describe('Secrets that may sign callbacks to POST /connectors/{binding}/events (default: secret); several allow rotation'),
});

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
