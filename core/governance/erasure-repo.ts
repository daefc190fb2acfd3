// The SQL of erasure: reading a process's personal data (its row locked) and overwriting every copy of it.
// Every function takes the erasure's transaction; erase.ts decides what is replaced with what.
import type { Sql } from '../db/database.ts';

export interface LockedProcess {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  answers: Record<string, unknown>;
  contact: Record<string, unknown>;
  erasedAt: Date | null;
}

/** The process id for a human reference (case and spaces forgiven), or null. */
export async function processIdByReference(sql: Sql, reference: string): Promise<string | null> {
  const row = await sql.row<{ id: string }>('select id from processes where reference = $1', [reference.trim().toUpperCase()]);
  return row?.id ?? null;
}

/** When a process was erased (null: it was not). */
export async function erasedAtOf(sql: Sql, processId: string): Promise<Date | null> {
  const row = await sql.row<{ erased_at: Date | null }>('select erased_at from processes where id = $1', [processId]);
  return row?.erased_at ?? null;
}

/** The service of a process (undefined: there is no such process). */
export async function serviceIdOfProcess(sql: Sql, processId: string): Promise<string | undefined> {
  const row = await sql.row<{ service_id: string }>('select service_id from processes where id = $1', [processId]);
  return row?.service_id;
}

/** The process, locked (FOR UPDATE) until the transaction ends. */
export async function lockProcessForErasure(tx: Sql, processId: string): Promise<LockedProcess | undefined> {
  const p = await tx.row<{
    id: string;
    reference: string;
    service_id: string;
    service_version: number;
    answers: Record<string, unknown>;
    contact: Record<string, unknown>;
    erased_at: Date | null;
  }>('select id, reference, service_id, service_version, answers, contact, erased_at from processes where id = $1 for update', [processId]);
  if (!p) return undefined;
  return {
    id: p.id,
    reference: p.reference,
    serviceId: p.service_id,
    serviceVersion: p.service_version,
    answers: p.answers,
    contact: p.contact,
    erasedAt: p.erased_at,
  };
}

/** The transaction's time (the erasure's timestamp everywhere). */
export async function transactionNow(tx: Sql): Promise<Date> {
  const row = await tx.row<{ now: Date }>('select now() as now');
  return row!.now;
}

/** The stored definition of a service version, unparsed (undefined: none). */
export async function serviceVersionDefinition(tx: Sql, serviceId: string, version: number): Promise<unknown> {
  const row = await tx.row<{ definition: unknown }>('select definition from service_versions where service_id = $1 and version = $2', [serviceId, version]);
  return row?.definition;
}

export interface ProcessDocument {
  id: string;
  kind: string;
  name: string;
  storageKey: string | null;
}

export async function documentsOfProcess(tx: Sql, processId: string): Promise<ProcessDocument[]> {
  const rows = await tx.rows<{ id: string; kind: string; name: string; storage_key: string | null }>(
    'select id, kind, name, storage_key from documents where process_id = $1',
    [processId],
  );
  return rows.map((d) => ({ id: d.id, kind: d.kind, name: d.name, storageKey: d.storage_key }));
}

/** Replaces a document's bytes with a stand-in (kept in the row; the file it was stored in is no longer referred to). */
export async function replaceDocument(tx: Sql, id: string, stand: { content: Buffer; sha256: string; name: string }): Promise<void> {
  await tx.run('update documents set content = $2, storage_key = null, size = $3, sha256 = $4, name = $5, title = null where id = $1', [
    id,
    stand.content,
    stand.content.length,
    stand.sha256,
    stand.name,
  ]);
}

/** Deletes the finished form sessions that made the process; answers how many. */
export async function deleteFormSessionsOfProcess(tx: Sql, processId: string): Promise<number> {
  return count(tx, `with x as (delete from form_sessions where result->>'processId' = $1 returning 1) select count(*)::int as n from x`, [processId]);
}

/** Whether a document, a form in progress or a saved form ("save and come back later") still refers to a stored blob. */
export async function blobInUse(tx: Sql, storageKey: string): Promise<boolean> {
  const use = await tx.row<{ used: boolean }>(
    `select exists (select 1 from documents where storage_key = $1)
       or exists (select 1 from form_sessions s, jsonb_array_elements(s.files) f where f->>'key' = $1)
       or exists (select 1 from saved_forms s, jsonb_array_elements(s.files) f where f->>'key' = $1) as used`,
    [storageKey],
  );
  return !!use?.used;
}

export async function deliveriesOfProcess(tx: Sql, processId: string): Promise<{ id: string; status: string; lastError: string | null }[]> {
  const rows = await tx.rows<{ id: string; status: string; last_error: string | null }>('select id, status, last_error from deliveries where process_id = $1', [
    processId,
  ]);
  return rows.map((d) => ({ id: d.id, status: d.status, lastError: d.last_error }));
}

export async function setDeliveryStatusAndError(tx: Sql, id: string, status: string, lastError: string | null): Promise<void> {
  await tx.run(`update deliveries set status = $2, last_error = $3, updated_at = now() where id = $1`, [id, status, lastError]);
}

export async function deliveryAttemptsOfProcess(tx: Sql, processId: string): Promise<{ id: string; error: string | null; responseExcerpt: string | null }[]> {
  const rows = await tx.rows<{ id: string; error: string | null; response_excerpt: string | null }>(
    'select a.id, a.error, a.response_excerpt from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.process_id = $1',
    [processId],
  );
  return rows.map((a) => ({ id: a.id, error: a.error, responseExcerpt: a.response_excerpt }));
}

export async function setAttemptErrorAndExcerpt(tx: Sql, id: string, error: string | null, responseExcerpt: string | null): Promise<void> {
  await tx.run('update delivery_attempts set error = $2, response_excerpt = $3 where id = $1', [id, error, responseExcerpt]);
}

/** Messages: texts and errors become `placeholder` (the times and channel stay); messages not yet sent never will be. */
/** Events for outbound subscriptions (their public text, the subscriber's errors): gone, sent or not. */
export async function deleteSubscriptionEventsOfProcess(tx: Sql, processId: string): Promise<void> {
  await tx.run('delete from subscription_deliveries where process_id = $1', [processId]);
}

export async function eraseNotificationsOfProcess(tx: Sql, processId: string, placeholder: string): Promise<number> {
  return count(
    tx,
    `with x as (
       update notifications set
         updates = coalesce((select jsonb_agg(jsonb_build_object('text', $2::text, 'at', u->'at')) from jsonb_array_elements(updates) u), '[]'::jsonb),
         last_error = case when last_error is null then null else $2 end,
         status = case when status in ('pending', 'queued', 'sending') then 'skipped' else status end,
         updated_at = now()
       where process_id = $1 returning 1)
     select count(*)::int as n from x`,
    [processId, placeholder],
  );
}

/** Task titles of the process, by key. */
export async function taskTitlesOfProcess(tx: Sql, processId: string): Promise<Map<string, string>> {
  const rows = await tx.rows<{ key: string; title: string }>('select key, title from tasks where process_id = $1', [processId]);
  return new Map(rows.map((r) => [r.key, r.title]));
}

export async function timelineOfProcess(tx: Sql, processId: string): Promise<{ id: string; kind: string; text: string; data: Record<string, unknown> }[]> {
  return tx.rows<{ id: string; kind: string; text: string; data: Record<string, unknown> }>(
    'select id, kind, text, data from timeline_events where process_id = $1',
    [processId],
  );
}

export async function setTimelineText(tx: Sql, id: string, text: string): Promise<void> {
  await tx.run('update timeline_events set text = $2 where id = $1', [id, text]);
}

export async function deleteTrackingTokensOfProcess(tx: Sql, processId: string): Promise<number> {
  return count(tx, 'with x as (delete from tracking_tokens where process_id = $1 returning 1) select count(*)::int as n from x', [processId]);
}

/** The process keeps redacted answers, no contact details, no channel; a closing reason becomes `placeholder`. */
export async function markProcessErased(
  tx: Sql,
  processId: string,
  change: { answers: Record<string, unknown>; placeholder: string; erasedAt: Date },
): Promise<void> {
  await tx.run(
    `update processes set answers = $2::jsonb, contact = '{}'::jsonb, channel = null, closed_reason = case when closed_reason is null then null else $3 end,
       erased_at = $4, updated_at = now() where id = $1`,
    [processId, JSON.stringify(change.answers), change.placeholder, change.erasedAt],
  );
}

async function count(tx: Sql, text: string, values: unknown[]): Promise<number> {
  const row = await tx.row<{ n: number }>(text, values);
  return row?.n ?? 0;
}

/**
 * The citizen's messages from the tracking page lose their words; their update deliveries not yet made never will be
 * (their files are documents, erased with the others).
 */
export async function eraseCitizenMessagesOfProcess(tx: Sql, processId: string, placeholder: string): Promise<number> {
  await tx.run(
    `update update_deliveries set status = 'dead', last_error = 'Not delivered: the personal data was erased', updated_at = now()
     where process_id = $1 and status in ('pending', 'queued', 'delivering')`,
    [processId],
  );
  return tx.run('update citizen_messages set text = $2 where process_id = $1 and text <> $2', [processId, placeholder]);
}
