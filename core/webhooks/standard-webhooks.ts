// Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of
// "id.timestamp.body">), with node:crypto. Used to sign outgoing deliveries and to verify signed callbacks.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: 'missing-headers' | 'bad-timestamp' | 'stale' | 'bad-signature' | 'bad-secret',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** The HMAC key: the base64 part of a `whsec_…` secret. */
export function webhookKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new WebhookVerificationError('bad-secret', 'webhook secrets must be whsec_ followed by at least 16 bytes of base64');
  return key;
}

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function signWebhook(secret: string | Buffer, id: string, timestamp: number, body: Buffer | string): string {
  const key = typeof secret === 'string' ? webhookKey(secret) : secret;
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** Signature headers for a message sent now. */
export function webhookHeaders(secret: string | Buffer, id: string, body: Buffer | string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a signed message: the timestamp within `toleranceSeconds` of now, and any of the space-separated v1
 * signatures (several during key rotation) matching, compared in constant time over the raw body bytes.
 * Accepts one secret or several (rotation on our side). Returns the webhook-id.
 */
export function verifyWebhook(secrets: string | string[], headers: Headers, rawBody: Buffer, options: { toleranceSeconds?: number; now?: number } = {}): string {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig) throw new WebhookVerificationError('missing-headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('bad-timestamp', 'webhook-timestamp must be Unix seconds');
  const timestamp = Number(ts);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError('stale', `webhook-timestamp is more than ${tolerance} s from now`);
  const offered = sig
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of Array.isArray(secrets) ? secrets : [secrets]) {
    const expected = Buffer.from(signWebhook(secret, id, timestamp, rawBody).slice(3), 'base64');
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return id;
  }
  throw new WebhookVerificationError('bad-signature', 'no webhook-signature matches');
}
