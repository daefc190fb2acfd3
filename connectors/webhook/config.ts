// A webhook binding's settings.
import { z } from 'zod';

export const webhookConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** whsec_… (from { env: NAME } or { generated: name } in closeloop.yaml). */
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{22,}$/, 'must be whsec_ followed by base64 (at least 16 bytes)'),
  format: z.enum(['xml', 'json']).default('xml'),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Allow loopback/private addresses (the sandbox and tests); off for real back offices. */
  allowPrivateNetwork: z.boolean().default(false),
  headers: z.record(z.string(), z.string()).default({}),
  /** Where the back office's reference is in its answer. */
  reference: z
    .union([
      z.strictObject({ header: z.string().min(1) }),
      z.strictObject({ jsonPath: z.string().min(1).describe('dotted path, e.g. case.id') }),
      z.strictObject({ xpath: z.string().min(1), namespaces: z.record(z.string(), z.string()).optional() }),
    ])
    .optional(),
  /** Secrets that may sign callbacks to /connectors/{binding}/events (defaults to `secret`); several allow rotation. */
  inboundSecrets: z.array(z.string().regex(/^whsec_/)).optional(),
});

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
