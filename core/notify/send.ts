// Sends one notification through its channel: claim the row, mint a fresh tracking link for the message, send, record.
import type { Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import { serviceNoun, type ServiceCatalogue } from '../services/index.ts';
import { preparedStatement, runPrepared } from '../db/prepared.ts';
import { firstRowPerId, GroupBatcher, perDatabase } from '../db/group-batcher.ts';
import { newTrackingToken } from '../processes/tracking-token.ts';
import { isPermanentError, isRetryableError, PermanentError, type NotificationMessage } from '../plugins/index.ts';
import type { ChannelRuntime } from '../plugins/channels.ts';
import { retryDelayMs, RetryLater } from '../jobs/index.ts';

export interface NotifyDeps {
  sequelize: Sequelize;
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

interface Claimed {
  process_id: string;
  channel: string;
  kind: 'submitted' | 'update';
  updates: { text: string; at: string }[];
  attempts: number;
  reference: string;
  service_id: string;
  service_version: number;
  contact: { name?: string; email?: string; phone?: string };
}

/** Claims rows and registers each message's tracking link, in one round trip for a batch of concurrent messages. */
const CLAIM_NOTIFICATIONS = preparedStatement(
  'claim_notifications',
  `with x as (
       select * from unnest($1::uuid[], $2::bytea[]) with ordinality as x(id, hash, ord)
     ), n as (
       update notifications set status = 'sending', attempts = attempts + 1, updated_at = now()
       where id in (select id from x) and status in ('pending', 'queued', 'sending')
       returning id, process_id, channel, kind, updates, attempts
     ), k as (
       insert into tracking_tokens (hash, process_id)
       select distinct on (n.id) x.hash, n.process_id from n join x on x.id = n.id order by n.id, x.ord
     )
     select n.*, p.reference, p.service_id, p.service_version, p.contact from n join processes p on p.id = n.process_id`,
);

const RECORD_SENT = preparedStatement(
  'record_notifications_sent',
  `update notifications n set status = x.status, provider_ref = x.ref, sent_at = now(), last_error = null, updated_at = now()
   from unnest($1::uuid[], $2::text[], $3::text[]) as x(id, status, ref)
   where n.id = x.id and n.status = 'sending'`,
);

/** Concurrent messages share their claim and their record (see GroupBatcher). */
const claimBatcher = perDatabase(
  (sequelize) =>
    new GroupBatcher(async (items: { id: string; hash: Buffer }[]) => {
      const rows = await runPrepared<Claimed & { id: string }>(sequelize, CLAIM_NOTIFICATIONS, [items.map((i) => i.id), items.map((i) => i.hash)]);
      return firstRowPerId(
        items.map((i) => i.id),
        rows,
      );
    }),
);

const sentBatcher = perDatabase(
  (sequelize) =>
    new GroupBatcher(async (items: { id: string; status: string; providerRef: string | null }[]) => {
      await runPrepared(sequelize, RECORD_SENT, [items.map((i) => i.id), items.map((i) => i.status), items.map((i) => i.providerRef)]);
      return items.map(() => undefined);
    }),
);

export async function sendNotificationOnce(deps: NotifyDeps, id: string): Promise<'sent' | 'failed' | 'skipped'> {
  const token = newTrackingToken();
  const n = await claimBatcher(deps.sequelize).call({ id, hash: token.hash });
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
    await sentBatcher(deps.sequelize).call({ id, status: result.status, providerRef: result.providerRef ?? null });
    log.info('notification sent');
    return 'sent';
  } catch (err) {
    const message = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000);
    if (isPermanentError(err) || n.attempts >= deps.attempts) {
      await deps.sequelize.query(`update notifications set status = 'failed', last_error = $2, updated_at = now() where id = $1`, { bind: [id, message] });
      log.warn({ err: message }, 'notification failed');
      return 'failed';
    }
    await deps.sequelize.query(`update notifications set status = 'queued', last_error = $2, updated_at = now() where id = $1`, { bind: [id, message] });
    const delayMs = retryDelayMs(MESSAGE_RETRY, n.attempts, isRetryableError(err) ? err.retryAfterMs : undefined);
    log.info({ err: message, delayMs }, 'notification failed; will retry');
    throw new RetryLater(message, delayMs);
  }
}
