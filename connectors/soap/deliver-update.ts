// A citizen's reply or further evidence to a SOAP back office: one call of the binding's note operation (e.g. AddNote)
// on the case the delivery created, the update id as its idempotency key, then (with attachments.mode operation) one
// attachment call per file with its own key `${updateId}:${documentId}`, so a retry adds neither twice. The arguments
// are checked against the WSDL when the binding is prepared (problems.ts).
import { isPermanentError, isRetryableError, PermanentError, responseExcerpt, RetryableError, type DeliveryResult, type UpdateJob } from '@closeloop/sdk';
import { setPath } from './arguments.ts';
import { IDEMPOTENCY_KEY, type Args, type PreparedBinding } from './client.ts';
import { attachmentElement } from './request.ts';

export async function deliverSoapUpdate(job: UpdateJob, binding: PreparedBinding): Promise<DeliveryResult> {
  const { config } = binding;
  const u = config.updates;
  if (!u) throw new PermanentError('this SOAP binding takes no updates (no updates.operation)');
  const reference = job.process.externalRef;
  if (!reference) throw new PermanentError("the case has no back-office reference: its delivery's answer gave none");
  const files = job.documents.map((d) => `${d.name}: ${d.url}`);
  const text = files.length && config.attachments.mode !== 'operation' ? `${job.message.text}\n\nFiles:\n${files.join('\n')}` : job.message.text;
  const args: Args = {};
  setPath(args, u.referenceArgument, reference);
  setPath(args, u.textArgument, text);
  if (u.sentAtArgument) setPath(args, u.sentAtArgument, job.message.sentAt);
  if (u.idempotencyArgument) setPath(args, u.idempotencyArgument, job.updateId);
  else args[IDEMPOTENCY_KEY] = job.updateId;
  const note = await binding.call(u.operation, args, job.updateId);

  const a = config.attachments;
  if (a.mode === 'operation') {
    const kinds = new Set<string>(a.kinds);
    for (const doc of job.documents.filter((d) => kinds.has(d.kind))) {
      const key = `${job.updateId}:${doc.id}`;
      const fileArgs: Args = await attachmentElement(doc, a.fields);
      setPath(fileArgs, a.referenceArgument, reference);
      if (a.idempotencyArgument) setPath(fileArgs, a.idempotencyArgument, key);
      else fileArgs[IDEMPOTENCY_KEY] = key;
      try {
        await binding.call(a.operation, fileArgs, key);
      } catch (err) {
        const message = `the note was added to case ${reference}, but ${doc.name} was not: ${(err as Error).message}`;
        if (isRetryableError(err)) throw new RetryableError(message, { cause: err, retryAfterMs: err.retryAfterMs, responseExcerpt: err.responseExcerpt });
        if (isPermanentError(err)) throw new PermanentError(message, { cause: err, responseExcerpt: err.responseExcerpt });
        throw err;
      }
    }
  }
  return { externalRef: reference, responseExcerpt: responseExcerpt(note.exchange.body) };
}
