// One delivery attempt: claim the row, build and validate the XML, call the binding's connector, record the outcome.
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import { documentUrl, type DocumentStore } from '../documents/index.ts';
import type { ServiceCatalogue } from '../services/index.ts';
import { isPermanentError, isRetryableError, type DeliveryDocument, type DeliveryJob } from '../plugins/index.ts';
import type { BindingRuntime } from '../plugins/bindings.ts';
import { retryDelayMs, RetryLater, skippedUnlessHeld, withLease } from '../jobs/index.ts';
import { processXml } from './process-xml.ts';
import { lazyChild } from '../log.ts';
import { ensureUploadedXsd } from '../xml/index.ts';
import { claimDelivery, recordDead, recordDelivered, recordRetry, inlineDocumentContent, type AttemptRecord, type ClaimedDelivery } from './deliveries-repo.ts';

export interface DeliverDeps {
  db: Database;
  store: DocumentStore;
  catalogue: ServiceCatalogue;
  log: Logger;
  xsdDir: string;
  publicBaseUrl: () => string;
  notifyWindowSeconds: number;
  /** How long an attempt holds the delivery it claimed (see jobs/attempt-lease-repo.ts). */
  attemptLeaseMs: number;
}

export type DeliveryOutcome = 'delivered' | 'dead' | 'skipped';

const EXCERPT = 2000;

export async function deliverOnce(deps: DeliverDeps, binding: BindingRuntime, deliveryId: string): Promise<DeliveryOutcome> {
  const claimed = await claimDelivery(deps.db, deliveryId, deps.attemptLeaseMs);
  if (!claimed) return skippedUnlessHeld(deps.db, 'deliveries', deliveryId, deps.attemptLeaseMs);
  return withLease(deps.db, 'deliveries', deliveryId, deps.attemptLeaseMs, () => attemptClaimed(deps, binding, deliveryId, claimed));
}

async function attemptClaimed(deps: DeliverDeps, binding: BindingRuntime, deliveryId: string, claimed: ClaimedDelivery): Promise<DeliveryOutcome> {
  const startedAt = new Date();
  const attempt: AttemptRecord = { deliveryId, processId: claimed.processId, number: claimed.attemptNumber, startedAt };
  const log = lazyChild(deps.log, { deliveryId, processId: claimed.processId, binding: binding.name, attempt: claimed.attemptNumber });
  try {
    const p = claimed.process;
    const service = await deps.catalogue.getVersion(p.serviceId, p.serviceVersion);
    const base = deps.publicBaseUrl();
    const docs = claimed.documents.map((d) => ({ ...d, url: documentUrl(base, claimed.processId, d.id) }));
    const process = {
      id: claimed.processId,
      reference: p.reference,
      serviceId: p.serviceId,
      serviceVersion: p.serviceVersion,
      submittedAt: p.submittedAt.toISOString(),
    };
    // An XSD uploaded in the staff console is normally here already (materialised on start and on its NOTIFY); if this
    // process missed the notification, it is read from Postgres now rather than the delivery failing.
    if (service.definition.xml) await ensureUploadedXsd(deps.db, service.definition.xml.xsd);
    const xml = await processXml(service, deps.xsdDir, {
      process,
      answers: p.answers,
      documents: docs.map((d) => ({ id: d.id, kind: d.kind, fieldId: d.field_id, name: d.name, contentType: d.content_type, size: d.size, url: d.url })),
    });
    // What is sent is kept with the attempt's record (once per process), in the same statement.
    const bytes = Buffer.from(xml);
    attempt.xml = { reference: p.reference, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    const job: DeliveryJob = {
      deliveryId,
      attempt: claimed.attemptNumber,
      binding: binding.name,
      process: { ...process, serviceTitle: service.definition.title, externalRef: p.externalRef, answers: p.answers },
      xml,
      documents: docs.map((d): DeliveryDocument => ({
        id: d.id,
        kind: d.kind,
        name: d.name,
        contentType: d.content_type,
        size: d.size,
        sha256: d.sha256,
        url: d.url,
        read: () => (d.storage_key ? deps.store.read(d.storage_key) : inlineDocumentContent(deps.db, d.id)),
      })),
    };
    const result = await binding.connector.deliver(job, binding.context);
    // The citizen is told through the channel their submission decided (stored with the process).
    await recordDelivered(
      deps.db,
      { ...attempt, responseExcerpt: result.responseExcerpt?.slice(0, EXCERPT) },
      result.externalRef ?? null,
      'Passed to the team that deals with it',
      { windowSeconds: deps.notifyWindowSeconds },
    );
    log.info({ externalRef: result.externalRef }, 'delivered');
    return 'delivered';
  } catch (err) {
    const message = errorMessage(err);
    const excerpt = (err as { responseExcerpt?: string }).responseExcerpt?.slice(0, EXCERPT);
    // The retry budget counts this round's attempts (an operator's replay starts a new round).
    const lastAttempt = claimed.attempt >= binding.retry.attempts;
    if (isPermanentError(err) || lastAttempt) {
      await recordDead(deps.db, { ...attempt, error: message, responseExcerpt: excerpt });
      log.warn({ err: message, permanent: isPermanentError(err) }, 'delivery dead');
      return 'dead';
    }
    await recordRetry(deps.db, { ...attempt, error: message, responseExcerpt: excerpt });
    const delayMs = retryDelayMs(binding.retry, claimed.attempt, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'delivery failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}

function errorMessage(err: unknown): string {
  const e = err as Error;
  const cause = (e?.cause as Error | undefined)?.message;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}${cause && !e.message.includes(cause) ? ` (${cause})` : ''}`.slice(0, 4000);
}
