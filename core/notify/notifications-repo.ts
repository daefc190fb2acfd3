// The SQL of notifications: the messages that tell a citizen about their case, claimed and recorded by the sender.
import type { Database, Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { claimableSql } from '../jobs/index.ts';
import { firstRowPerId, GroupBatcher, perDatabase } from '../db/group-batcher.ts';

export interface ClaimedNotification {
  process_id: string;
  channel: string;
  kind: 'submitted' | 'update';
  updates: { text: string; at: string }[];
  attempts: number;
  reference: string;
  /** The back office's own reference, once a delivery has recorded one. */
  external_ref: string | null;
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
       where id in (select id from x) and ${claimableSql('notifications', 3)} and process_id is not null
       returning id, process_id, channel, kind, updates, attempts
     ), k as (
       insert into tracking_tokens (hash, process_id)
       select distinct on (n.id) x.hash, n.process_id from n join x on x.id = n.id order by n.id, x.ord
     )
     select n.*, p.reference, p.external_ref, p.service_id, p.service_version, p.contact from n join processes p on p.id = n.process_id`,
);

const RECORD_SENT = preparedStatement(
  'record_notifications_sent',
  `update notifications n set status = x.status, provider_ref = x.ref, sent_at = now(), last_error = null, updated_at = now()
   from unnest($1::uuid[], $2::text[], $3::text[]) as x(id, status, ref)
   where n.id = x.id and n.status = 'sending'`,
);

/** Concurrent messages share their claim and their record (see GroupBatcher). */
const claimBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher(async (items: { id: string; hash: Buffer; leaseMs: number }[]) => {
      const rows = await db.prepared<ClaimedNotification & { id: string }>(CLAIM_NOTIFICATIONS, [
        items.map((i) => i.id),
        items.map((i) => i.hash),
        items[0]!.leaseMs,
      ]);
      return firstRowPerId(
        items.map((i) => i.id),
        rows,
      );
    }),
);

const sentBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher(async (items: { id: string; status: string; providerRef: string | null }[]) => {
      await db.prepared(RECORD_SENT, [items.map((i) => i.id), items.map((i) => i.status), items.map((i) => i.providerRef)]);
      return items.map(() => undefined);
    }),
);

/** Claims a notification for sending and registers the tracking link its message carries; undefined when it is not there to send. */
export function claimNotification(db: Database, id: string, trackingHash: Buffer, leaseMs: number): Promise<ClaimedNotification | undefined> {
  return claimBatcher(db).call({ id, hash: trackingHash, leaseMs });
}

export async function recordNotificationSent(db: Database, id: string, status: string, providerRef: string | null): Promise<void> {
  await sentBatcher(db).call({ id, status, providerRef });
}

export async function markNotificationFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql.run(`update notifications set status = 'failed', last_error = $2, updated_at = now() where id = $1`, [id, error]);
}

export async function queueNotificationAgain(sql: Sql, id: string, error: string): Promise<void> {
  await sql.run(`update notifications set status = 'queued', last_error = $2, updated_at = now() where id = $1`, [id, error]);
}

/** The citizen's contact details and the state of the submission's confirmation message (nothing once erased). */
export async function confirmationStateOf(
  sql: Sql,
  processId: string,
): Promise<{ email: string | null; phone: string | null; status: string | null } | undefined> {
  return sql.row(
    `select p.contact->>'email' as email, p.contact->>'phone' as phone,
       (select n.status from notifications n where n.process_id = p.id and n.kind = 'submitted' order by n.created_at limit 1) as status
     from processes p where p.id = $1 and p.erased_at is null`,
    [processId],
  );
}

export interface ClaimedSavedFormLink {
  channel: string;
  attempts: number;
  /** Null when the saved form was used, erased or expired meanwhile: there is nothing left to send a link to. */
  service_id: string | null;
  service_version: number | null;
  email: string | null;
  expires_at: Date | null;
}

/**
 * Claims a saved form's e-mail and sets the hash of the link it will carry (each attempt a fresh link: a message that
 * went but was not recorded carries one that no longer works, never two that do). Undefined: no such row to send.
 */
export async function claimSavedFormLink(sql: Sql, id: string, tokenHash: Buffer, leaseMs: number): Promise<ClaimedSavedFormLink | undefined> {
  return sql.row<ClaimedSavedFormLink>(
    `with n as (
       update notifications set status = 'sending', attempts = attempts + 1, updated_at = now()
       where id = $1 and saved_form_id is not null and ${claimableSql('notifications', 3)}
       returning saved_form_id, channel, attempts
     ), f as (
       update saved_forms f set token_hash = $2 from n
       where f.id = n.saved_form_id and f.erased_at is null and f.used_at is null and f.expires_at > now()
       returning f.id, f.service_id, f.service_version, f.email, f.expires_at
     )
     select n.channel, n.attempts, f.service_id, f.service_version, f.email, f.expires_at from n left join f on f.id = n.saved_form_id`,
    [id, tokenHash, leaseMs],
  );
}
