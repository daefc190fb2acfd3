// The SQL of saved_forms: unfinished forms kept for "save and come back later", under the SHA-256 of a one-time link.
import type { Sql } from '../db/database.ts';
import { OUTBOX_CHANNEL } from '../jobs/outbox-channel.ts';
import type { SessionFile } from './session-types.ts';

export interface NewSavedForm {
  id: string;
  serviceId: string;
  serviceVersion: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
  email: string;
  channel: string;
  expiresAt: Date;
}

/** What a link finds: the form while it can be used, or why it cannot. */
export interface SavedFormRow {
  id: string;
  service_id: string;
  created_at: Date;
  expires_at: Date;
  used: boolean;
  expired: boolean;
}

export interface RestoredRow {
  service_id: string;
  service_version: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
}

/** Keeps the form and queues the e-mail with its link, in one statement; the relay is woken (a citizen waits for it). */
export async function insertSavedForm(sql: Sql, f: NewSavedForm): Promise<void> {
  await sql.run(
    `with s as (
       insert into saved_forms (id, service_id, service_version, answers, files, email, channel, expires_at)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8) returning id, channel
     ), n as (
       insert into notifications (id, saved_form_id, channel, kind, status)
       select uuid_v7(), s.id, s.channel, 'saved-form', 'pending' from s returning 1
     )
     select pg_notify('${OUTBOX_CHANNEL}', 'notifications') from n`,
    [f.id, f.serviceId, f.serviceVersion, JSON.stringify(f.answers), JSON.stringify(f.files), f.email, f.channel, f.expiresAt],
  );
}

/** The saved form a link's hash names (used or expired ones too, until the expiry job deletes them). */
export async function findSavedForm(sql: Sql, tokenHash: Buffer): Promise<SavedFormRow | undefined> {
  return sql.row<SavedFormRow>(
    `select id, service_id, created_at, expires_at, used_at is not null as used, (used_at is null and (expires_at <= now() or erased_at is not null)) as expired
     from saved_forms where token_hash = $1`,
    [tokenHash],
  );
}

/**
 * Uses the link, once: of two requests only one gets the answers. The row keeps only why the link no longer works; its
 * address, answers and files' references go (the files now belong to the form session they were restored into).
 */
export async function consumeSavedForm(sql: Sql, tokenHash: Buffer): Promise<RestoredRow | undefined> {
  return sql.row<RestoredRow>(
    `with old as (
       select id, service_id, service_version, answers, files from saved_forms
       where token_hash = $1 and used_at is null and erased_at is null and expires_at > now() for update
     )
     update saved_forms s set used_at = now(), erased_at = now(), answers = '{}'::jsonb, files = '[]'::jsonb, email = null
     from old where s.id = old.id
     returning old.service_id, old.service_version, old.answers, old.files`,
    [tokenHash],
  );
}

/** Where the confirmation page's address and date come from: a form saved moments ago by this browser. */
export async function savedFormNotice(
  sql: Sql,
  id: string,
): Promise<{ service_id: string; email: string; expires_at: Date; status: string | null } | undefined> {
  return sql.row(
    `select s.service_id, s.email, s.expires_at, (select n.status from notifications n where n.saved_form_id = s.id order by n.created_at limit 1) as status
     from saved_forms s where s.id = $1 and s.erased_at is null`,
    [id],
  );
}

/**
 * Erases expired saved forms that still hold answers: clears the row (kept as a tombstone so the link can say "expired")
 * and answers the blob keys their files used.
 */
export async function eraseExpired(sql: Sql, limit: number): Promise<{ id: string; keys: string[] }[]> {
  const rows = await sql.rows<{ id: string; keys: string[] | null }>(
    `with old as (
       select id, files from saved_forms where erased_at is null and expires_at <= now() order by expires_at limit $1 for update skip locked
     )
     update saved_forms s set erased_at = now(), answers = '{}'::jsonb, files = '[]'::jsonb, email = null
     from old where s.id = old.id
     returning s.id, (select array_agg(f->>'key') from jsonb_array_elements(old.files) f) as keys`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, keys: r.keys ?? [] }));
}

/** Deletes tombstones: a link expired (or used) this long ago finds nothing any more. */
export async function deleteOldSavedForms(sql: Sql, keepDays: number): Promise<number> {
  const row = await sql.row<{ n: number }>(
    `with x as (delete from saved_forms where erased_at is not null and greatest(expires_at, erased_at) < now() - make_interval(days => $1::int) returning 1)
     select count(*)::int as n from x`,
    [keepDays],
  );
  return row?.n ?? 0;
}

/** Whether a document, a form in progress or a saved form still refers to a stored blob. */
export async function blobInUse(sql: Sql, storageKey: string): Promise<boolean> {
  const use = await sql.row<{ used: boolean }>(
    `select exists (select 1 from documents where storage_key = $1)
       or exists (select 1 from form_sessions s, jsonb_array_elements(s.files) f where f->>'key' = $1)
       or exists (select 1 from saved_forms s, jsonb_array_elements(s.files) f where f->>'key' = $1) as used`,
    [storageKey],
  );
  return !!use?.used;
}
