// The sandbox binding's settings. The secret signs the deliveries it posts to its own inbox and the callbacks it
// accepts at /events, as any webhook back office would.
import { isIP } from 'node:net';
import { z } from 'zod';
import { webhookSecretSchema } from '@closeloop/sdk';

const whsec = webhookSecretSchema;

/** An IP address or a CIDR range ("192.0.2.10", "10.20.0.0/16", "::1", "fd00::/8"). */
function isAddressOrRange(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

export const LOOPBACK = ['127.0.0.0/8', '::1'];

export const sandboxConfigSchema = z.strictObject({
  secret: whsec.describe(
    'Signs deliveries to the sandbox inbox and callbacks to /connectors/{binding}/events (Standard Webhooks; best { generated: sandbox-webhook })',
  ),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .optional()
    .describe(
      "Where deliveries are posted: the binding's own inbox, {publicBaseUrl}/connectors/{binding}/inbox, unless the worker reaches this hub by another address",
    ),
  allowFrom: z
    .array(z.string().refine(isAddressOrRange, 'must be an IP address or a range like 10.20.0.0/16'))
    .min(1)
    .default(LOOPBACK)
    .describe(
      "Client addresses or CIDR ranges whose requests the sandbox's page and buttons answer (behind a proxy, only with server.trustProxy); default: this machine",
    ),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('A delivery to the inbox must finish within it, or it is retried'),
});

export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;
