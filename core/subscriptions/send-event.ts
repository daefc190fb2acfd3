// One attempt at a subscription delivery: claim the row, POST its event as a signed Standard Webhook (webhook-id = the
// delivery id on every attempt, so a subscriber can drop a repeat) through the SSRF guard, record the outcome. 2xx is
// delivered; 408, 429, 5xx and network errors are retried on the config's schedule (honouring Retry-After); any other
// answer, or a URL the guard refuses, is dead at once. Dead deliveries are replayed by an admin.
import type { Logger } from 'pino';
import { errorForStatus, guardedFetch, isPermanentError, isRetryableError, SsrfError, signWebhook, type HttpAnswer } from '@closeloop/sdk';
import type { Database } from '../db/database.ts';
import { retryDelayMs, RetryLater, type RetryPolicy } from '../jobs/index.ts';
import { claimSubscriptionDelivery, dropOutOfScope, recordEventDelivered, recordEventFailed } from './subscriptions-repo.ts';
import { signingSecretOf } from './signing-secret.ts';

export interface SendEventDeps {
  db: Database;
  log: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
  /** The council that owns a service (a council's subscription hears only its own). */
  councilOf(serviceId: string): string;
}

export type SendOutcome = 'delivered' | 'dead' | 'skipped';

export async function sendEventOnce(deps: SendEventDeps, id: string, now: () => number = Date.now): Promise<SendOutcome> {
  const claimed = await claimSubscriptionDelivery(deps.db, id);
  if (!claimed) return 'skipped';
  if (claimed.council !== null && deps.councilOf(claimed.serviceId) !== claimed.council) {
    await dropOutOfScope(deps.db, id);
    return 'skipped';
  }
  const log = deps.log.child({ subscriptionDeliveryId: id, subscriptionId: claimed.subscriptionId, attempt: claimed.attemptNumber });
  let status: number | null = null;
  try {
    const secret = await signingSecretOf(deps.db, claimed.secretEncrypted);
    // Standard Webhooks' field order (jsonb keeps its own): type, timestamp, data.
    const { type, timestamp: at, data } = claimed.payload as { type: string; timestamp: string; data: unknown };
    const body = Buffer.from(JSON.stringify({ type, timestamp: at, data }));
    const timestamp = Math.floor(now() / 1000);
    let answer: HttpAnswer;
    try {
      answer = await guardedFetch(claimed.url, {
        method: 'POST',
        body,
        timeoutMs: deps.timeoutMs,
        allowPrivateNetwork: claimed.allowPrivateNetwork,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, id, timestamp, body),
        },
      });
    } catch (err) {
      // Refused by policy: a retry cannot fix it, an admin must (the URL).
      if (err instanceof SsrfError) throw Object.assign(new Error(`refused: ${err.message}`), { permanent: true });
      throw err;
    }
    status = answer.status;
    if (status < 200 || status >= 300) throw errorForStatus(status, `the subscriber answered ${status}`, { retryAfter: answer.headers['retry-after'] });
    await recordEventDelivered(deps.db, id, status);
    log.info({ status }, 'subscription event delivered');
    return 'delivered';
  } catch (err) {
    const message = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`.slice(0, 2000);
    const permanent = isPermanentError(err) || (err as { permanent?: boolean }).permanent === true;
    if (permanent || claimed.attempt >= deps.retry.attempts) {
      await recordEventFailed(deps.db, id, 'dead', status, message);
      log.warn({ err: message, permanent }, 'subscription event dead');
      return 'dead';
    }
    await recordEventFailed(deps.db, id, 'retry', status, message);
    const delayMs = retryDelayMs(deps.retry, claimed.attempt, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'subscription event failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}
