// Posts one delivery, signed, and classifies the answer: 2xx delivered; 408, 429, 5xx, timeouts and network errors
// retried (honouring Retry-After); any other status is permanent. The delivery id is both webhook-id and
// Idempotency-Key, the same on every attempt, so a back office can drop a repeat.
import {
  errorForStatus,
  GuardedHttpClient,
  PermanentError,
  responseExcerpt,
  RetryableError,
  signWebhook,
  SsrfError,
  webhookKey,
  type DeliveryJob,
  type DeliveryResult,
  type HttpAnswer,
} from '@closeloop/sdk';
import type { WebhookConfig } from './config.ts';
import type { WebhookJsonBody } from './body.ts';
import { extractReference } from './reference.ts';

/** What a binding needs on every delivery, prepared once by open(): the hot path only signs and sends. */
export interface PreparedBinding {
  config: WebhookConfig;
  /** One keep-alive agent per binding, with the SSRF guard in its DNS lookup. */
  client: GuardedHttpClient;
  key: Buffer;
  /** Static headers (extra headers and content type), merged once. */
  baseHeaders: Record<string, string>;
}

export function prepareBinding(config: WebhookConfig): PreparedBinding {
  return {
    config,
    client: new GuardedHttpClient(new URL(config.url), { allowPrivateNetwork: config.allowPrivateNetwork }),
    key: webhookKey(config.secret),
    baseHeaders: baseHeaders(config),
  };
}

/** The JSON format's body (body.ts documents it): the process, its answers, the validated XML and links to the documents. */
export function envelope(job: DeliveryJob): Buffer {
  const { process: p } = job;
  const body: WebhookJsonBody = {
    deliveryId: job.deliveryId,
    binding: job.binding,
    process: {
      id: p.id,
      reference: p.reference,
      serviceId: p.serviceId,
      serviceVersion: p.serviceVersion,
      serviceTitle: p.serviceTitle,
      submittedAt: p.submittedAt,
    },
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
  let res: HttpAnswer;
  try {
    res = await client.post(body, headers, config.timeoutMs);
  } catch (err) {
    // The target is refused by policy: a retry cannot fix it, an admin must (allowPrivateNetwork, or the URL).
    if (err instanceof SsrfError) throw new PermanentError(`POST ${config.url} refused: ${err.message}`, { cause: err });
    throw new RetryableError(`POST ${config.url} failed: ${(err as Error).message}`, { cause: err });
  }
  const excerpt = responseExcerpt(res.body);
  if (res.status >= 200 && res.status < 300) return { externalRef: extractReference(config.reference, res), responseExcerpt: excerpt };
  throw errorForStatus(res.status, `${config.url} answered ${res.status}`, { retryAfter: res.headers['retry-after'], responseExcerpt: excerpt });
}
