// Posts one delivery, signed (post-signed.ts classifies the answer), and reads the back office's reference from it.
import type { DeliveryJob, DeliveryResult } from '@closeloop/sdk';
import type { WebhookJsonBody } from './body.ts';
import { extractReference } from './reference.ts';
import { postSigned } from './post-signed.ts';
import type { PreparedBinding } from './prepared-binding.ts';

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

export async function deliverWebhook(job: DeliveryJob, binding: PreparedBinding, now = Date.now()): Promise<DeliveryResult> {
  const { config } = binding;
  const body = config.format === 'json' ? envelope(job) : Buffer.from(job.xml);
  const { answer, responseExcerpt } = await postSigned(binding, job.deliveryId, body, {}, now);
  return { externalRef: extractReference(config.reference, answer), responseExcerpt };
}
