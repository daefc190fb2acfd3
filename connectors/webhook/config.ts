// A webhook binding's settings. Secrets arrive resolved: closeloop.yaml says `{ env: NAME }` or `{ generated: name }`.
import { z } from 'zod';
import { webhookKey } from '../../core/webhooks/standard-webhooks.ts';

/** Headers the connector sets itself on every delivery; an extra header may not replace them. */
const RESERVED_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'idempotency-key', 'content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

const whsec = z.string().refine(
  (s) => {
    try {
      return s.startsWith('whsec_') && webhookKey(s).length >= 16;
    } catch {
      return false;
    }
  },
  { message: 'must be whsec_ followed by base64 of at least 16 bytes' },
);

export const webhookConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  /** Signs every delivery (whsec_…). */
  secret: whsec,
  format: z.enum(['xml', 'json']).default('xml'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Allow loopback/private addresses (the sandbox, tests, a back office on the council's own network). */
  allowPrivateNetwork: z.boolean().default(false),
  /** Extra headers sent with every delivery (e.g. an API gateway key). */
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name'), z.string())
    .refine((h) => !Object.keys(h).some((k) => RESERVED_HEADERS.has(k.toLowerCase())), { message: `may not set ${[...RESERVED_HEADERS].join(', ')}` })
    .default({}),
  /** Where the back office's reference is in its answer. */
  reference: z
    .union([
      z.strictObject({ header: z.string().min(1) }),
      z.strictObject({ jsonPath: z.string().min(1).describe('dotted path, e.g. case.id') }),
      z.strictObject({ xpath: z.string().min(1), namespaces: z.record(z.string(), z.string()).optional() }),
    ])
    .optional(),
  /** Secrets that may sign callbacks to /connectors/{binding}/events (defaults to `secret`); several allow rotation. */
  inboundSecrets: z.array(whsec).min(1).optional(),
});

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
