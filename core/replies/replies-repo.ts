// The SQL of citizens' messages (replies and further evidence from the tracking page) and of the update deliveries
// that carry them to back offices: writing a message with its files and outbox rows in one statement, claiming an update
// delivery, recording each outcome, and replaying dead ones.
import type { Sql } from '../db/database.ts';
import { claimableSql, OUTBOX_CHANNEL } from '../jobs/index.ts';
import type { DocumentColumns } from '../documents/index.ts';

/** The process a tracking token opens, as sending a message needs it (locked for the caller's transaction). */
export interface MessageTarget {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  status: string;
  erased: boolean;
  /** Bindings the process was delivered to (or is being), which may take its updates. */
  bindings: string[];
}

export async function lockTrackedProcess(tx: Sql, tokenHash: Buffer): Promise<MessageTarget | undefined> {
  const row = await tx.row<{ id: string; reference: string; service_id: string; service_version: number; status: string; erased: boolean; bindings: string[] }>(
    `select p.id, p.reference, p.service_id, p.service_version, p.status, p.erased_at is not null as erased,
       array(select d.binding from deliveries d where d.process_id = p.id order by d.binding) as bindings
     from tracking_tokens k join processes p on p.id = k.process_id where k.hash = $1
     for update of p`,
    [tokenHash],
  );
  return (
    row && {
      id: row.id,
      reference: row.reference,
      serviceId: row.service_id,
      serviceVersion: row.service_version,
      status: row.status,
      erased: row.erased,
      bindings: row.bindings,
    }
  );
}

export interface MessageFile {
  documentId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
}

export interface NewMessage {
  id: string;
  processId: string;
  text: string;
  files: MessageFile[];
  /** Bindings that take updates: one pending update delivery each. */
  bindings: string[];
}

/** The message, its files (evidence documents naming it) and its update deliveries; wakes the relay when there are any. */
export async function insertMessage(tx: Sql, m: NewMessage): Promise<void> {
  await tx.run(
    `with m as (
       insert into citizen_messages (id, process_id, text) values ($1, $2, $3) returning id
     ), d as (
       insert into documents (id, process_id, kind, field_id, name, content_type, size, sha256, storage_key, message_id)
       select x.id, $2, 'evidence', 'message', x.name, x.content_type, x.size, x.sha256, x.storage_key, $1
       from unnest($4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[]) as x(id, name, content_type, size, sha256, storage_key)
     ), u as (
       insert into update_deliveries (id, message_id, process_id, binding, status)
       select uuid_v7(), $1, $2, b, 'pending' from unnest($10::text[]) as b
       returning id
     )
     select pg_notify('${OUTBOX_CHANNEL}', 'update_deliveries') from u limit 1`,
    [
      m.id,
      m.processId,
      m.text,
      m.files.map((f) => f.documentId),
      m.files.map((f) => f.name),
      m.files.map((f) => f.contentType),
      m.files.map((f) => f.size),
      m.files.map((f) => f.sha256),
      m.files.map((f) => f.storageKey),
      m.bindings,
    ],
  );
}

export interface MessageRecord {
  id: string;
  text: string;
  sentAt: Date;
  documents: { id: string; name: string; contentType: string; size: number; sha256: string }[];
  updates: { binding: string; status: string; attempts: number; externalRef: string | null }[];
}

/** A process's messages, oldest first, with their files and where their update deliveries are. */
export async function findMessagesOf(sql: Sql, processId: string): Promise<MessageRecord[]> {
  const rows = await sql.rows<{
    id: string;
    text: string;
    created_at: Date;
    documents: MessageRecord['documents'] | null;
    updates: MessageRecord['updates'] | null;
  }>(
    `select m.id, m.text, m.created_at,
       (select json_agg(json_build_object('id', d.id, 'name', d.name, 'contentType', d.content_type, 'size', d.size, 'sha256', d.sha256) order by d.created_at, d.id)
          from documents d where d.message_id = m.id) as documents,
       (select json_agg(json_build_object('binding', u.binding, 'status', u.status, 'attempts', u.attempts, 'externalRef', u.external_ref) order by u.binding)
          from update_deliveries u where u.message_id = m.id) as updates
     from citizen_messages m where m.process_id = $1 order by m.created_at, m.id`,
    [processId],
  );
  return rows.map((r) => ({
    id: r.id,
    text: r.text,
    sentAt: r.created_at,
    documents: (r.documents ?? []).map((d) => ({ ...d, size: Number(d.size) })),
    updates: r.updates ?? [],
  }));
}

export interface ClaimedUpdate {
  id: string;
  binding: string;
  messageId: string;
  text: string;
  sentAt: Date;
  process: { id: string; reference: string; serviceId: string; externalRef: string | null };
  /** This round's attempt number (restarts on replay) and the number over the update's whole life. */
  attempt: number;
  attemptNumber: number;
  documents: DocumentColumns[];
}

/**
 * Marks an update delivery as being delivered and loads what it carries. Null if it is already delivered or dead (a
 * stale or duplicate job). The back-office reference is the case delivery's to the same binding.
 */
export async function claimUpdate(sql: Sql, id: string, leaseMs: number): Promise<ClaimedUpdate | null> {
  const row = await sql.row<{
    id: string;
    binding: string;
    message_id: string;
    text: string;
    sent_at: Date;
    process_id: string;
    reference: string;
    service_id: string;
    external_ref: string | null;
    attempts: number;
    round: number;
    documents: DocumentColumns[] | null;
  }>(
    `with c as (
       update update_deliveries set status = 'delivering', attempts = attempts + 1, updated_at = now()
       where id = $1 and ${claimableSql('update_deliveries', 2)}
       returning id, binding, message_id, process_id, attempts, attempts - attempts_before_replay as round
     )
     select c.id, c.binding, c.message_id, m.text, m.created_at as sent_at, p.id as process_id, p.reference, p.service_id,
       coalesce((select d.external_ref from deliveries d where d.process_id = p.id and d.binding = c.binding), p.external_ref) as external_ref,
       c.attempts, c.round,
       (select json_agg(json_build_object('id', d.id, 'kind', d.kind, 'field_id', d.field_id, 'name', d.name, 'content_type', d.content_type,
          'size', d.size, 'sha256', d.sha256, 'storage_key', d.storage_key) order by d.created_at, d.id)
        from documents d where d.message_id = c.message_id) as documents
     from c join citizen_messages m on m.id = c.message_id join processes p on p.id = c.process_id`,
    [id, leaseMs],
  );
  if (!row) return null;
  return {
    id: row.id,
    binding: row.binding,
    messageId: row.message_id,
    text: row.text,
    sentAt: row.sent_at,
    process: { id: row.process_id, reference: row.reference, serviceId: row.service_id, externalRef: row.external_ref },
    attempt: row.round,
    attemptNumber: row.attempts,
    documents: (row.documents ?? []).map((d) => ({ ...d, size: Number(d.size) })),
  };
}

/** Delivered: false if it was no longer being delivered (a stale job). */
export async function recordUpdateDelivered(sql: Sql, id: string, externalRef: string | null): Promise<boolean> {
  const rows = await sql.rows(
    `update update_deliveries set status = 'delivered', external_ref = $2, delivered_at = now(), updated_at = now(), last_error = null
     where id = $1 and status = 'delivering' returning id`,
    [id, externalRef],
  );
  return rows.length > 0;
}

/** A failed attempt: back to queued (another attempt follows) or dead. */
export async function recordUpdateFailed(sql: Sql, id: string, outcome: 'retry' | 'dead', error: string): Promise<void> {
  await sql.run(`update update_deliveries set status = $2, last_error = $3, updated_at = now() where id = $1 and status = 'delivering'`, [
    id,
    outcome === 'retry' ? 'queued' : 'dead',
    error,
  ]);
}

/** Dead update deliveries back to pending with a fresh attempt budget, audited, the relay woken. Returns their ids. */
export async function requeueDeadUpdates(sql: Sql, filter: { id?: string; binding?: string; services?: string[] | null }, actor: string): Promise<string[]> {
  const rows = await sql.rows<{ id: string }>(
    `with r as (
       update update_deliveries set status = 'pending', attempts_before_replay = attempts, updated_at = now()
       where status = 'dead' and ($1::uuid is null or id = $1::uuid) and ($2::text is null or binding = $2::text)
         and ($4::text[] is null or process_id in (select id from processes where service_id = any($4::text[])))
         and not exists (select 1 from processes p where p.id = update_deliveries.process_id and p.erased_at is not null)
       returning id, process_id
     ), a as (
       insert into audit_events (actor, action, process_id, target, detail)
       select $3, 'update.replayed', process_id, id::text, '{}'::jsonb from r
     )
     select id, pg_notify('${OUTBOX_CHANNEL}', 'update_deliveries') from r`,
    [filter.id ?? null, filter.binding ?? null, actor, filter.services ?? null],
  );
  return rows.map((r) => r.id);
}

/** Update deliveries that are dead (for operators), newest first. */
export async function findDeadUpdates(sql: Sql, limit = 100): Promise<{ id: string; processId: string; binding: string; lastError: string | null }[]> {
  const rows = await sql.rows<{ id: string; process_id: string; binding: string; last_error: string | null }>(
    `select id, process_id, binding, last_error from update_deliveries where status = 'dead' order by updated_at desc limit $1`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, processId: r.process_id, binding: r.binding, lastError: r.last_error }));
}
