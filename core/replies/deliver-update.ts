// One attempt at an update delivery (a citizen's message to one binding): claim the row, call the connector's
// deliverUpdate with the update id as idempotency key, record the outcome. Retries follow the binding's schedule, a
// permanent error or the last attempt makes it dead (operators replay it), exactly as for deliveries.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { documentUrl, type DocumentStore } from '../documents/index.ts';
import { isPermanentError, isRetryableError, type DeliveryDocument, type UpdateJob } from '../plugins/index.ts';
import type { BindingRuntime } from '../plugins/bindings.ts';
import { retryDelayMs, RetryLater, skippedUnlessHeld, withLease } from '../jobs/index.ts';
import { inlineDocumentContent } from '../delivery/deliveries-repo.ts';
import { claimUpdate, recordUpdateDelivered, recordUpdateFailed, type ClaimedUpdate } from './replies-repo.ts';

export interface DeliverUpdateDeps {
  db: Database;
  store: DocumentStore;
  log: Logger;
  publicBaseUrl: () => string;
  /** How long an attempt holds the update it claimed (see jobs/attempt-lease-repo.ts). */
  attemptLeaseMs: number;
}

export type UpdateOutcome = 'delivered' | 'dead' | 'skipped';

export async function deliverUpdateOnce(deps: DeliverUpdateDeps, binding: BindingRuntime, updateId: string): Promise<UpdateOutcome> {
  const claimed = await claimUpdate(deps.db, updateId, deps.attemptLeaseMs);
  if (!claimed) return skippedUnlessHeld(deps.db, 'update_deliveries', updateId, deps.attemptLeaseMs);
  return withLease(deps.db, 'update_deliveries', updateId, deps.attemptLeaseMs, () => attemptClaimed(deps, binding, updateId, claimed));
}

async function attemptClaimed(deps: DeliverUpdateDeps, binding: BindingRuntime, updateId: string, claimed: ClaimedUpdate): Promise<UpdateOutcome> {
  const send = binding.connector.deliverUpdate;
  const log = deps.log.child({ updateId, processId: claimed.process.id, binding: binding.name, attempt: claimed.attemptNumber });
  try {
    if (!send) throw Object.assign(new Error(`the ${binding.connector.name} connector does not take updates`), { permanent: true });
    const base = deps.publicBaseUrl();
    const job: UpdateJob = {
      updateId,
      attempt: claimed.attemptNumber,
      binding: binding.name,
      process: claimed.process,
      message: { id: claimed.messageId, text: claimed.text, sentAt: claimed.sentAt.toISOString() },
      documents: claimed.documents.map((d): DeliveryDocument => ({
        id: d.id,
        kind: d.kind,
        name: d.name,
        contentType: d.content_type,
        size: d.size,
        sha256: d.sha256,
        url: documentUrl(base, claimed.process.id, d.id),
        read: () => (d.storage_key ? deps.store.read(d.storage_key) : inlineDocumentContent(deps.db, d.id)),
      })),
    };
    const result = await send.call(binding.connector, job, binding.context);
    await recordUpdateDelivered(deps.db, updateId, result.externalRef ?? null);
    log.info({ externalRef: result.externalRef }, 'update delivered');
    return 'delivered';
  } catch (err) {
    const message = errorMessage(err);
    const permanent = isPermanentError(err) || (err as { permanent?: boolean }).permanent === true;
    if (permanent || claimed.attempt >= binding.retry.attempts) {
      await recordUpdateFailed(deps.db, updateId, 'dead', message);
      log.warn({ err: message, permanent }, 'update delivery dead');
      return 'dead';
    }
    await recordUpdateFailed(deps.db, updateId, 'retry', message);
    const delayMs = retryDelayMs(binding.retry, claimed.attempt, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'update delivery failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}

function errorMessage(err: unknown): string {
  const e = err as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 4000);
}
