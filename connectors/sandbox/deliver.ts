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
  type UpdateJob,
} from '@closeloop/sdk';
import { escapeXml } from '@closeloop/sdk/xml';
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

export function deliverToSandbox(job: DeliveryJob, outbox: SandboxOutbox, now = Date.now()): Promise<DeliveryResult> {
  return postToInbox(Buffer.from(job.xml), job.deliveryId, outbox, now);
}

/**
 * A citizen's reply or further evidence: a small XML document (the case's reference, the text, links to the files) to
 * the same inbox, so the sandbox page lists it under the case's reference like any delivery.
 */
export function deliverUpdateToSandbox(job: UpdateJob, outbox: SandboxOutbox, now = Date.now()): Promise<DeliveryResult> {
  const documents = job.documents
    .map((d) => `  <Document name="${escapeXml(d.name, true)}" contentType="${escapeXml(d.contentType, true)}" url="${escapeXml(d.url, true)}"/>\n`)
    .join('');
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<CitizenMessage>\n  <Reference>${escapeXml(job.process.reference)}</Reference>\n` +
    `  <SentAt>${escapeXml(job.message.sentAt)}</SentAt>\n  <Text>${escapeXml(job.message.text)}</Text>\n${documents}</CitizenMessage>\n`;
  return postToInbox(Buffer.from(xml), job.updateId, outbox, now);
}

async function postToInbox(body: Buffer, id: string, outbox: SandboxOutbox, now: number): Promise<DeliveryResult> {
  const timestamp = Math.floor(now / 1000);
  const headers = {
    'content-type': 'application/xml; charset=utf-8',
    'idempotency-key': id,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(outbox.key, id, timestamp, body),
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
