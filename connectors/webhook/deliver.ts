// Posts one delivery, signed, and classifies the answer: 2xx delivered; 408/429/5xx/network retried (honouring
// Retry-After); any other 4xx is permanent.
import { PermanentError, RetryableError, type DeliveryJob, type DeliveryResult } from '../../core/plugins/index.ts';
import { webhookHeaders, webhookKey } from '../../core/webhooks/standard-webhooks.ts';
import { SsrfError } from '../../core/webhooks/ssrf-guard.ts';
import type { WebhookConfig } from './config.ts';
import type { HttpClient } from './http-client.ts';
import { extractReference } from './reference.ts';

const EXCERPT = 2000;

export function envelope(job: DeliveryJob): Buffer {
  const { process: p } = job;
  return Buffer.from(
    JSON.stringify({
      deliveryId: job.deliveryId,
      binding: job.binding,
      process: { id: p.id, reference: p.reference, serviceId: p.serviceId, serviceVersion: p.serviceVersion, serviceTitle: p.serviceTitle, submittedAt: p.submittedAt },
      answers: p.answers,
      xml: job.xml,
      documents: job.documents.map((d) => ({ id: d.id, kind: d.kind, name: d.name, contentType: d.contentType, size: d.size, sha256: d.sha256, url: d.url })),
    }),
  );
}

export async function deliverWebhook(job: DeliveryJob, config: WebhookConfig, client: HttpClient, key = webhookKey(config.secret)): Promise<DeliveryResult> {
  const body = config.format === 'json' ? envelope(job) : Buffer.from(job.xml);
  const headers = {
    ...config.headers,
    'content-type': config.format === 'json' ? 'application/json' : 'application/xml; charset=utf-8',
    'user-agent': 'Closeloop',
    'idempotency-key': job.deliveryId,
    ...webhookHeaders(key, job.deliveryId, body),
  };
  let res;
  try {
    res = await client.post(body, headers, config.timeoutMs);
  } catch (err) {
    if (err instanceof SsrfError) throw new PermanentError(err.message, { cause: err });
    throw new RetryableError(`POST ${config.url} failed: ${(err as Error).message}`, { cause: err });
  }
  const excerpt = res.body.toString('utf8').slice(0, EXCERPT);
  if (res.status >= 200 && res.status < 300) {
    return { externalRef: extractReference(config.reference, res), responseExcerpt: excerpt };
  }
  const message = `${config.url} answered ${res.status}`;
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    throw new RetryableError(message, { retryAfterMs: retryAfterMs(res.headers['retry-after']), responseExcerpt: excerpt });
  }
  throw new PermanentError(message, { responseExcerpt: excerpt });
}

/** Retry-After as seconds or an HTTP date, capped at a day. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = /^\d+$/.test(v.trim()) ? Number(v) * 1000 : Date.parse(v) - now;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400_000) : undefined;
}
