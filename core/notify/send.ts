// Sends one notification through its channel: claim the row, mint a fresh link for the message (the tracking link, or
// for a saved form the one-time link back to it), send, record.
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import { serviceNoun, type ServiceCatalogue } from '../services/index.ts';
import { lazyChild, type JobLog } from '../log.ts';
import {
  claimNotification,
  type ClaimedNotification,
  claimSavedFormLink,
  markNotificationFailed,
  queueNotificationAgain,
  recordNotificationSent,
} from './notifications-repo.ts';
import { newTrackingToken } from '../processes/tracking-token.ts';
import { isPermanentError, isRetryableError, PermanentError, type NotificationMessage } from '../plugins/index.ts';
import type { ChannelRuntime } from '../plugins/channels.ts';
import { retryDelayMs, RetryLater, skippedUnlessHeld, withLease } from '../jobs/index.ts';

export interface NotifyDeps {
  db: Database;
  catalogue: ServiceCatalogue;
  channels: Map<string, ChannelRuntime>;
  log: Logger;
  /** The council that owns a service: its name and sender address brand the message. */
  councilOf: (serviceId: string) => { name: string; senderEmail?: string };
  publicBaseUrl: () => string;
  attempts: number;
  /** How long an attempt holds the message it claimed (see jobs/attempt-lease-repo.ts). */
  attemptLeaseMs: number;
}

type Outcome = 'sent' | 'failed' | 'skipped';

/** Retry schedule for messages: quicker than deliveries, a citizen update is worth little a day late. */
const MESSAGE_RETRY = { attempts: 0, scheduleSeconds: [2, 10, 30, 60, 300, 900, 1800] };

/** Where the link in a "save and come back later" e-mail leads (core/http/routes/saved-forms.ts serves it). */
export function savedFormLinkPath(token: string): string {
  return `/return/${token}`;
}

export async function sendNotificationOnce(deps: NotifyDeps, id: string): Promise<Outcome> {
  const token = newTrackingToken();
  const n = await claimNotification(deps.db, id, token.hash, deps.attemptLeaseMs);
  // Not a process's message: a saved form's link, or nothing to send.
  if (!n) return sendSavedFormLinkOnce(deps, id);
  const log = lazyChild(deps.log, { notificationId: id, processId: n.process_id, channel: n.channel });
  return dispatch(deps, id, n.attempts, n.channel, log, async () => {
    if (!n.contact.email && !n.contact.phone) throw new PermanentError('the citizen left no contact details');
    const service = await deps.catalogue.getVersion(n.service_id, n.service_version);
    const kind = messageKindOf(n);
    return {
      notificationId: id,
      to: n.contact,
      reference: n.reference,
      ...(n.external_ref ? { externalRef: n.external_ref } : {}),
      serviceId: n.service_id,
      serviceTitle: service.definition.title,
      serviceNoun: serviceNoun(service.definition),
      trackingUrl: `${baseUrl(deps)}/track/${token.token}`,
      kind,
      updates: n.updates,
      council: councilOf(deps, n.service_id),
      ...(service.definition.messages?.[kind] ? { texts: service.definition.messages[kind] } : {}),
    };
  });
}

/** The e-mail of "save and come back later": the one-time link back to the form and when it stops working. */
async function sendSavedFormLinkOnce(deps: NotifyDeps, id: string): Promise<Outcome> {
  const token = newTrackingToken();
  const n = await claimSavedFormLink(deps.db, id, token.hash, deps.attemptLeaseMs);
  if (!n) return skippedUnlessHeld(deps.db, 'notifications', id, deps.attemptLeaseMs);
  const log = lazyChild(deps.log, { notificationId: id, channel: n.channel, kind: 'saved-form' });
  return dispatch(deps, id, n.attempts, n.channel, log, async () => {
    if (!n.service_id || n.service_version === null || !n.email || !n.expires_at)
      throw new PermanentError('the saved form was used or erased before its link was sent');
    const service = await deps.catalogue.getVersion(n.service_id, n.service_version);
    return {
      notificationId: id,
      to: { email: n.email },
      reference: '',
      serviceId: n.service_id,
      serviceTitle: service.definition.title,
      serviceNoun: serviceNoun(service.definition),
      trackingUrl: `${baseUrl(deps)}${savedFormLinkPath(token.token)}`,
      kind: 'saved-form',
      updates: [],
      council: councilOf(deps, n.service_id),
      expiresAt: n.expires_at.toISOString(),
    };
  });
}

/** Sends a claimed message and records the outcome: sent, failed for good, or queued again after a delay. */
async function dispatch(
  deps: NotifyDeps,
  id: string,
  attempts: number,
  channel: string,
  log: JobLog,
  build: () => Promise<NotificationMessage>,
): Promise<Outcome> {
  const runtime = deps.channels.get(channel);
  try {
    if (!runtime) throw new PermanentError(`channel "${channel}" is not configured`);
    const message = await build();
    const result = await withLease(deps.db, 'notifications', id, deps.attemptLeaseMs, () => runtime.channel.send(message, runtime.context));
    await recordNotificationSent(deps.db, id, result.status, result.providerRef ?? null);
    log.info('notification sent');
    return 'sent';
  } catch (err) {
    const message = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000);
    if (isPermanentError(err) || attempts >= deps.attempts) {
      await markNotificationFailed(deps.db, id, message);
      log.warn({ err: message }, 'notification failed');
      return 'failed';
    }
    await queueNotificationAgain(deps.db, id, message);
    const delayMs = retryDelayMs(MESSAGE_RETRY, attempts, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'notification failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}

/**
 * A confirmation that the delivery's "passed to the team" joined while it waited (deliveries-repo.ts, RECORD_DELIVERIES)
 * carries more than its own update: it is sent as the one message that says both.
 */
function messageKindOf(n: ClaimedNotification): 'submitted' | 'submitted-received' | 'update' {
  return n.kind === 'submitted' && n.updates.length > 1 ? 'submitted-received' : n.kind;
}

function baseUrl(deps: NotifyDeps): string {
  return deps.publicBaseUrl().replace(/\/$/, '');
}

function councilOf(deps: NotifyDeps, serviceId: string): { name: string; senderEmail?: string } {
  const { name, senderEmail } = deps.councilOf(serviceId);
  return senderEmail === undefined ? { name } : { name, senderEmail };
}
