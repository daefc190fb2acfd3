// Posts one delivery, signed, and classifies the answer: 2xx delivered; 408, 429, 5xx, timeouts and network errors
// retried (honouring Retry-After); any other status is permanent. The delivery id is both webhook-id and
// Idempotency-Key, the same on every attempt, so a back office can drop a repeat.
import { PermanentError, RetryableError, type DeliveryJob, type DeliveryResult } from '../../core/plugins/index.ts';
import { signWebhook } from '../../core/webhooks/standard-webhooks.ts';
import { SsrfError } from '../../core/webhooks/ssrf-guard.ts';
import type { WebhookConfig } from './config.ts';
import type { WebhookJsonBody } from './body.ts';
import type { HttpClient, PostResult } from './http-client.ts';
import { extractReference } from './reference.ts';

/** Bytes of the back office's answer kept with the attempt. */
export const EXCERPT_BYTES = 2048;
/** Retry-After beyond a day is taken as a day: the retry schedule's horizon, not the back office, decides when to give up. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** What a binding needs on every delivery, prepared once. */
export interface PreparedBinding {
  config: WebhookConfig;
  client: HttpClient;
  key: Buffer;
  /** Static headers (extra headers and content type), merged once. */
  baseHeaders: Record<string, string>;
}

/** The JSON format's body (body.ts documents it): the process, its answers, the validated XML and links to the documents. */
export function envelope(job: DeliveryJob): Buffer {
  const { process: p } = job;
  const body: WebhookJsonBody = {
    deliveryId: job.deliveryId,
    binding: job.binding,
    process: { id: p.id, reference: p.reference, serviceId: p.serviceId, serviceVersion: p.serviceVersion, serviceTitle: p.serviceTitle, submittedAt: p.submittedAt },
    answers: p.answers,
    xml: job.xml,
    documents: job.documents.map((d) => ({ id: d.id, kind: d.kind, name: d.name, contentType: d.contentType, size: d.size, sha256: d.sha256, url: d.url })),
  };
  return Buffer.from(JSON.stringify(body));
}

export function baseHeaders(config: WebhookConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  // Extra headers first, lower-cased, so none can replace the signature, idempotency or content headers set after them.
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = config.format === 'json' ? 'application/json' : 'application/xml; charset=utf-8';
  headers['user-agent'] ??= 'Closeloop';
  return headers;
}

export async function deliverWebhook(job: DeliveryJob, binding: PreparedBinding, now = Date.now()): Promise<DeliveryResult> {
  const { config, client, key } = binding;
  const body = config.format === 'json' ? envelope(job) : Buffer.from(job.xml);
  const timestamp = Math.floor(now / 1000);
  const headers = {
    ...binding.baseHeaders,
    'idempotency-key': job.deliveryId,
    'webhook-id': job.deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(key, job.deliveryId, timestamp, body),
  };
  let res: PostResult;
  try {
    res = await client.post(body, headers, config.timeoutMs);
  } catch (err) {
    // The target is refused by policy: a retry cannot fix it, an admin must (allowPrivateNetwork, or the URL).
    if (err instanceof SsrfError) throw new PermanentError(`POST ${config.url} refused: ${err.message}`, { cause: err });
    throw new RetryableError(`POST ${config.url} failed: ${(err as Error).message}`, { cause: err });
  }
  const excerpt = responseExcerpt(res.body);
  if (res.status >= 200 && res.status < 300) return { externalRef: extractReference(config.reference, res), responseExcerpt: excerpt };
  const message = `${config.url} answered ${res.status}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    throw new RetryableError(message, { retryAfterMs: retryAfterMs(res.headers['retry-after']), responseExcerpt: excerpt });
  }
  throw new PermanentError(message, { responseExcerpt: excerpt });
}

/** Retry-After as delay-seconds or an HTTP-date, in milliseconds from `now`; undefined when absent, past or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/** At most EXCERPT_BYTES of the answer as text, cut on a character boundary. */
export function responseExcerpt(body: Buffer): string {
  if (body.length <= EXCERPT_BYTES) return body.toString('utf8');
  let end = EXCERPT_BYTES;
  while (end > 0 && (body[end]! & 0xc0) === 0x80) end--; // don't split a UTF-8 sequence
  return body.subarray(0, end).toString('utf8');
}
