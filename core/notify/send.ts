// Sends one notification through its channel: claim the row, mint a fresh tracking link for the message, send, record.
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import { serviceNoun, type ServiceCatalogue } from '../services/index.ts';
import { claimNotification, markNotificationFailed, queueNotificationAgain, recordNotificationSent } from './notifications-repo.ts';
import { newTrackingToken } from '../processes/tracking-token.ts';
import { isPermanentError, isRetryableError, PermanentError, type NotificationMessage } from '../plugins/index.ts';
import type { ChannelRuntime } from '../plugins/channels.ts';
import { retryDelayMs, RetryLater } from '../jobs/index.ts';

export interface NotifyDeps {
  db: Database;
  catalogue: ServiceCatalogue;
  channels: Map<string, ChannelRuntime>;
  log: Logger;
  /** The council that owns a service: its name and sender address brand the message. */
  councilOf: (serviceId: string) => { name: string; senderEmail?: string };
  publicBaseUrl: () => string;
  attempts: number;
}

/** Retry schedule for messages: quicker than deliveries, a citizen update is worth little a day late. */
const MESSAGE_RETRY = { attempts: 0, scheduleSeconds: [2, 10, 30, 60, 300, 900, 1800] };

export async function sendNotificationOnce(deps: NotifyDeps, id: string): Promise<'sent' | 'failed' | 'skipped'> {
  const token = newTrackingToken();
  const n = await claimNotification(deps.db, id, token.hash);
  if (!n) return 'skipped';
  const log = deps.log.child({ notificationId: id, processId: n.process_id, channel: n.channel });
  const runtime = deps.channels.get(n.channel);
  try {
    if (!runtime) throw new PermanentError(`channel "${n.channel}" is not configured`);
    if (!n.contact.email && !n.contact.phone) throw new PermanentError('the citizen left no contact details');
    const service = await deps.catalogue.getVersion(n.service_id, n.service_version);
    const message: NotificationMessage = {
      notificationId: id,
      to: n.contact,
      reference: n.reference,
      serviceId: n.service_id,
      serviceTitle: service.definition.title,
      serviceNoun: serviceNoun(service.definition),
      trackingUrl: `${deps.publicBaseUrl().replace(/\/$/, '')}/track/${token.token}`,
      kind: n.kind,
      updates: n.updates,
      council: (({ name, senderEmail }) => ({ name, senderEmail }))(deps.councilOf(n.service_id)),
    };
    const result = await runtime.channel.send(message, runtime.context);
    await recordNotificationSent(deps.db, id, result.status, result.providerRef ?? null);
    log.info('notification sent');
    return 'sent';
  } catch (err) {
    const message = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000);
    if (isPermanentError(err) || n.attempts >= deps.attempts) {
      await markNotificationFailed(deps.db, id, message);
      log.warn({ err: message }, 'notification failed');
      return 'failed';
    }
    await queueNotificationAgain(deps.db, id, message);
    const delayMs = retryDelayMs(MESSAGE_RETRY, n.attempts, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'notification failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}
