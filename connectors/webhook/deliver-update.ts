// A citizen's reply or further evidence, as a signed `citizen.message` event (Standard Webhooks, always JSON) POSTed to
// the binding's URL. The update id is both webhook-id and Idempotency-Key on every attempt; answers are classified as
// for deliveries.
import type { DeliveryResult, UpdateJob } from '@closeloop/sdk';
import type { CitizenMessageEvent } from './body.ts';
import type { PreparedBinding } from './prepared-binding.ts';
import { postSigned } from './post-signed.ts';

export function citizenMessageEvent(job: UpdateJob, now: number): Buffer {
  const event: CitizenMessageEvent = {
    type: 'citizen.message',
    timestamp: new Date(now).toISOString(),
    data: {
      updateId: job.updateId,
      binding: job.binding,
      process: job.process,
      message: job.message,
      documents: job.documents.map((d) => ({ id: d.id, name: d.name, contentType: d.contentType, size: d.size, sha256: d.sha256, url: d.url })),
    },
  };
  return Buffer.from(JSON.stringify(event));
}

export async function deliverWebhookUpdate(job: UpdateJob, binding: PreparedBinding, now = Date.now()): Promise<DeliveryResult> {
  const { responseExcerpt } = await postSigned(binding, job.updateId, citizenMessageEvent(job, now), { 'content-type': 'application/json' }, now);
  return { responseExcerpt };
}
