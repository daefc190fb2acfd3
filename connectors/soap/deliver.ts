// One delivery: the create call (idempotent: the delivery id travels on every attempt, so a retry after a lost answer
// gets the same case back), the case reference from its answer, then in `operation` mode one call per file, each with
// its own idempotency key `${deliveryId}:${documentId}`, so a retry after a failed file adds no file twice.
import { isPermanentError, isRetryableError, PermanentError, responseExcerpt, RetryableError, type DeliveryJob, type DeliveryResult } from '@closeloop/sdk';
import { getPath, setPath } from './arguments.ts';
import { IDEMPOTENCY_KEY, type Args, type PreparedBinding } from './client.ts';
import { attachmentElement, createArguments, documentsToSend } from './request.ts';

/** The longest reference kept (the hub stores it as the process's externalRef). */
const MAX_REFERENCE = 200;

export async function deliverSoap(job: DeliveryJob, binding: PreparedBinding): Promise<DeliveryResult> {
  const { config } = binding;
  const created = await binding.call(config.operation, await createArguments(job, binding), job.deliveryId);
  const excerpt = responseExcerpt(created.exchange.body);
  const value = getPath(created.result, config.reference);
  if (value === undefined || value === null || typeof value === 'object' || String(value).trim() === '') {
    throw new PermanentError(`${config.operation}: the answer has no case reference at "${config.reference}"`, { responseExcerpt: excerpt });
  }
  const externalRef = String(value).trim().slice(0, MAX_REFERENCE);

  const a = config.attachments;
  if (a.mode === 'operation') {
    for (const doc of documentsToSend(job, config)) {
      const key = `${job.deliveryId}:${doc.id}`;
      const args: Args = await attachmentElement(doc, a.fields);
      setPath(args, a.referenceArgument, externalRef);
      if (a.idempotencyArgument) setPath(args, a.idempotencyArgument, key);
      else args[IDEMPOTENCY_KEY] = key;
      try {
        await binding.call(a.operation, args, key);
      } catch (err) {
        // Say which file, and that the case exists: the retry finds it again through the create's idempotency key.
        const message = `case ${externalRef} was created, but ${doc.name} was not added: ${(err as Error).message}`;
        if (isRetryableError(err)) throw new RetryableError(message, { cause: err, retryAfterMs: err.retryAfterMs, responseExcerpt: err.responseExcerpt });
        if (isPermanentError(err)) throw new PermanentError(message, { cause: err, responseExcerpt: err.responseExcerpt });
        throw err;
      }
    }
  }
  return { externalRef, responseExcerpt: excerpt };
}
