// One signed POST to the binding's URL (Standard Webhooks), with the answer classified: 2xx returned; 408, 429, 5xx,
// timeouts and network errors retried (honouring Retry-After); any other status permanent. The id is both webhook-id
// and Idempotency-Key, the same on every attempt, so the back office can drop a repeat.
import { errorForStatus, PermanentError, responseExcerpt, RetryableError, signWebhook, SsrfError, type HttpAnswer } from '@closeloop/sdk';
import type { PreparedBinding } from './prepared-binding.ts';

export async function postSigned(
  binding: PreparedBinding,
  id: string,
  body: Buffer,
  headers: Record<string, string>,
  now: number,
): Promise<{ answer: HttpAnswer; responseExcerpt: string }> {
  const { config, client, key } = binding;
  const timestamp = Math.floor(now / 1000);
  const signed = {
    ...binding.baseHeaders,
    ...headers,
    'idempotency-key': id,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(key, id, timestamp, body),
  };
  let answer: HttpAnswer;
  try {
    answer = await client.post(body, signed, config.timeoutMs);
  } catch (err) {
    // The target is refused by policy: a retry cannot fix it, an admin must (allowPrivateNetwork, or the URL).
    if (err instanceof SsrfError) throw new PermanentError(`POST ${config.url} refused: ${err.message}`, { cause: err });
    throw new RetryableError(`POST ${config.url} failed: ${(err as Error).message}`, { cause: err });
  }
  const excerpt = responseExcerpt(answer.body);
  if (answer.status >= 200 && answer.status < 300) return { answer, responseExcerpt: excerpt };
  throw errorForStatus(answer.status, `${config.url} answered ${answer.status}`, { retryAfter: answer.headers['retry-after'], responseExcerpt: excerpt });
}
