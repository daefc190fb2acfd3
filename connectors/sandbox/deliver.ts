// A delivery to the sandbox is what a delivery to any webhook back office is: the validated XML POSTed to its inbox,
// signed with Standard Webhooks, the delivery id as webhook-id; the inbox answers with its reference (SBX-n).
import {
  errorForStatus,
  GuardedHttpClient,
  responseExcerpt,
  RetryableError,
  signWebhook,
  webhookKey,
  type DeliveryJob,
  type DeliveryResult,
  type HttpAnswer,
} from '@closeloop/sdk';
import type { SandboxConfig } from './config.ts';

export interface SandboxOutbox {
  url: string;
  client: GuardedHttpClient;
  key: Buffer;
  timeoutMs: number;
}

export function sandboxOutbox(config: SandboxConfig, defaultUrl: string): SandboxOutbox {
  const url = config.url ?? defaultUrl;
  // The inbox is this hub itself: a loopback or private address is what it is expected to be.
  return { url, client: new GuardedHttpClient(new URL(url), { allowPrivateNetwork: true }), key: webhookKey(config.secret), timeoutMs: config.timeoutMs };
}

export async function deliverToSandbox(job: DeliveryJob, outbox: SandboxOutbox, now = Date.now()): Promise<DeliveryResult> {
  const body = Buffer.from(job.xml);
  const timestamp = Math.floor(now / 1000);
  const headers = {
    'content-type': 'application/xml; charset=utf-8',
    'idempotency-key': job.deliveryId,
    'webhook-id': job.deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(outbox.key, job.deliveryId, timestamp, body),
  };
  let res: HttpAnswer;
  try {
    res = await outbox.client.post(body, headers, outbox.timeoutMs);
  } catch (err) {
    throw new RetryableError(`POST ${outbox.url} failed: ${(err as Error).message}`, { cause: err });
  }
  const excerpt = responseExcerpt(res.body);
  if (res.status < 200 || res.status >= 300)
    throw errorForStatus(res.status, `${outbox.url} answered ${res.status}`, { retryAfter: res.headers['retry-after'], responseExcerpt: excerpt });
  const reference = res.headers['x-sandbox-reference'];
  return { externalRef: typeof reference === 'string' ? reference : undefined, responseExcerpt: excerpt };
}
