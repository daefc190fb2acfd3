// The SQL of deliveries and their attempt log: claiming a delivery and recording each outcome, one statement each, so it commits whole.
import type { Database, Sql } from '../db/database.ts';
import { citizenMessageSql, messageUpdate, timelineEntrySql } from '../citizen-changes/index.ts';
import type { DocumentColumns } from '../documents/index.ts';
import { preparedStatement } from '../db/prepared.ts';
import { claimableSql } from '../jobs/attempt-lease-repo.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';
import { firstRowPerId, GroupBatcher, isIntegrityViolation, perDatabase } from '../db/group-batcher.ts';

export type ClaimedDocument = DocumentColumns;

export interface ClaimedDelivery {
  processId: string;
  binding: string;
  /** This attempt's number within the current round (restarts on replay): what the retry budget counts. */
  attempt: number;
  /** This attempt's number over the delivery's whole life, replays included (`deliveries.attempts`, the attempt log's number). */
  attemptNumber: number;
  process: { reference: string; serviceId: string; serviceVersion: number; submittedAt: Date; externalRef: string | null; answers: Record<string, unknown> };
  documents: ClaimedDocument[];
}

const CLAIM_DELIVERIES = preparedStatement(
  'claim_deliveries',
  `with c as (
       update deliveries set status = 'delivering', attempts = attempts + 1, updated_at = now()
       where id = any($1::uuid[]) and ${claimableSql('deliveries', 2)}
       returning id, process_id, binding, attempts, attempts - attempts_before_replay as round
     )
     select c.id, c.process_id, c.binding, c.attempts, c.round,
       p.reference, p.service_id, p.service_version, p.submitted_at, p.external_ref, p.answers,
       (select json_agg(json_build_object('id', d.id, 'kind', d.kind, 'field_id', d.field_id, 'name', d.name, 'content_type', d.content_type,
          'size', d.size, 'sha256', d.sha256, 'storage_key', d.storage_key) order by d.created_at, d.kind)
        from documents d where d.process_id = p.id and d.kind <> 'xml' and d.message_id is null) as documents
     from c join processes p on p.id = c.process_id`,
);

interface ClaimRow {
  id: string;
  process_id: string;
  binding: string;
  attempts: number;
  round: number;
  reference: string;
  service_id: string;
  service_version: number;
  submitted_at: Date;
  external_ref: string | null;
  answers: Record<string, unknown>;
  documents: ClaimedDocument[] | null;
}

/** The claims of concurrent jobs share a statement (see GroupBatcher); they share the worker's lease too. */
const claimBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher(async (claims: { id: string; leaseMs: number }[]) => {
      const ids = claims.map((c) => c.id);
      return firstRowPerId(ids, await db.prepared<ClaimRow>(CLAIM_DELIVERIES, [ids, claims[0]!.leaseMs]));
    }),
);

/**
 * Marks a delivery as being delivered and loads what it carries, in one round trip (shared with concurrent claims).
 * Null if it is already delivered or dead (a stale or duplicate job), or another attempt holds its lease.
 */
export async function claimDelivery(db: Database, id: string, leaseMs: number): Promise<ClaimedDelivery | null> {
  const r = await claimBatcher(db).call({ id, leaseMs });
  if (!r) return null;
  return {
    processId: r.process_id,
    binding: r.binding,
    attempt: r.round,
    attemptNumber: r.attempts,
    process: {
      reference: r.reference,
      serviceId: r.service_id,
      serviceVersion: r.service_version,
      submittedAt: r.submitted_at,
      externalRef: r.external_ref,
      answers: r.answers,
    },
    documents: (r.documents ?? []).map((d) => ({ ...d, size: Number(d.size) })),
  };
}

export interface AttemptRecord {
  deliveryId: string;
  /** The delivery's process. */
  processId: string;
  number: number;
  startedAt: Date;
  error?: string;
  responseExcerpt?: string;
  /** The XML that was sent, kept (once per process) as the process's `xml` document in the same statement. */
  xml?: { reference: string; bytes: Buffer; sha256: string };
}

/** Logs the attempt only when the CTE `d` changed the delivery (a stale job records nothing). */
const INSERT_ATTEMPT_IF_D = `insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome, error, response_excerpt)
  select $1, $2, $3, now(), $4, $5, $6 where exists (select 1 from d)`;

/** Keeps the XML sent ($x1 process id, $x2 name, $x3 bytes, $x4 sha256) unless the process already has it. */
function keepXml(first: number): string {
  return `insert into documents (id, process_id, kind, name, content_type, size, sha256, content)
    select uuid_v7(), $${first}::uuid, 'xml', $${first + 1}, 'application/xml', length($${first + 2}::bytea), $${first + 3}, $${first + 2}::bytea
    where $${first}::uuid is not null and exists (select 1 from d)
    on conflict (process_id) where kind = 'xml' do nothing`;
}

function xmlBinds(a: AttemptRecord): unknown[] {
  return a.xml ? [a.processId, `${a.xml.reference}.xml`, a.xml.bytes, a.xml.sha256] : [null, null, null, null];
}

const RECORD_DELIVERIES = preparedStatement(
  'record_deliveries',
  `with x as (
       select * from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::bytea[], $10::text[])
         as x(id, number, started_at, excerpt, external_ref, timeline_text, window_seconds, xml_name, xml_bytes, xml_sha)
     ), d as (
       update deliveries t set status = 'delivered', external_ref = x.external_ref, delivered_at = now(), updated_at = now(), last_error = null
       from x where t.id = x.id and t.status = 'delivering'
       returning t.id, t.process_id, t.binding
     ), dx as (
       select d.id, d.process_id, d.binding, x.number, x.started_at, x.excerpt, x.external_ref, x.timeline_text, x.window_seconds,
         x.xml_name, x.xml_bytes, x.xml_sha
       from d join x on x.id = d.id
     ), a as (
       insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome, error, response_excerpt)
       select id, number, started_at, now(), 'delivered', null, excerpt from dx
     ), p as (
       update processes set status = case when processes.status = 'submitted' then 'received' else processes.status end,
         external_ref = coalesce(processes.external_ref, dx.external_ref), updated_at = now()
       from dx where processes.id = dx.process_id
       returning processes.id, processes.channel, processes.contact
     ), e as (
       ${timelineEntrySql({
         from: 'dx',
         processId: 'process_id',
         kind: "'received'",
         visibleToCitizen: 'true',
         text: 'timeline_text',
         data: "jsonb_build_object('binding', binding, 'externalRef', external_ref)",
         actor: "'system'",
       })}
     ), c as (
       -- "Passed to the team" joins the confirmation not yet claimed for sending: one still waiting out its window (it
       -- then leaves at the relay's next pass), or one the relay has queued whose turn has not come (under a backlog the
       -- queue holds it for seconds; its job sends what the row holds when it claims it). Never one claimed for sending,
       -- nor one tried before (attempts > 0): that one may be on its way. The row lock orders this against the claim.
       update notifications n set updates = n.updates || ${messageUpdate('j.timeline_text')}, not_before = now(), updated_at = now()
       from (select distinct on (process_id) id, process_id, timeline_text from dx order by process_id, id) j
       where n.process_id = j.process_id and n.kind = 'submitted' and n.status in ('pending', 'queued') and n.attempts = 0
         and n.not_before > n.created_at -- it was given a window: one sent at once (window 0) is never held back
       returning j.id
     ), n as (
       ${citizenMessageSql({
         from: 'dx join p on p.id = dx.process_id',
         where: 'dx.id not in (select id from c)',
         processId: 'dx.process_id',
         channel: 'p.channel',
         contact: 'p.contact',
         kind: 'update',
         updates: messageUpdate('dx.timeline_text'),
         windowSeconds: 'dx.window_seconds',
       })}
     ), k as (
       insert into documents (id, process_id, kind, name, content_type, size, sha256, content)
       select uuid_v7(), process_id, 'xml', xml_name, 'application/xml', length(xml_bytes), xml_sha, xml_bytes from dx
       where xml_bytes is not null
       on conflict (process_id) where kind = 'xml' do nothing
     )
     select id from d`,
);

interface DeliveredRecord {
  attempt: AttemptRecord;
  externalRef: string | null;
  timelineText: string;
  windowSeconds: number;
}

/**
 * A batch Postgres chose to abort to break a deadlock (40P01) with another statement that locks several processes (a
 * batch of notes, notes-repo.ts) rolled back whole: each record is simply made again, alone.
 */
const retryDeliveredAlone = (err: unknown) => isIntegrityViolation(err) || (err as { code?: string }).code === '40P01';

const recordBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher(
      async (records: DeliveredRecord[]) => {
        const cols: unknown[][] = Array.from({ length: 10 }, () => []);
        for (const r of records) {
          const a = r.attempt;
          [
            a.deliveryId,
            a.number,
            a.startedAt,
            a.responseExcerpt ?? null,
            r.externalRef,
            r.timelineText,
            r.windowSeconds,
            a.xml ? `${a.xml.reference}.xml` : null,
            a.xml?.bytes ?? null,
            a.xml?.sha256 ?? null,
          ].forEach((v, i) => cols[i]!.push(v));
        }
        const done = new Set((await db.prepared<{ id: string }>(RECORD_DELIVERIES, cols)).map((r) => r.id));
        return records.map((r) => done.has(r.attempt.deliveryId));
      },
      // Two deliveries of one process in one statement would upsert its pending message twice (Postgres refuses: 21000):
      // a process's records go one statement after another.
      { retryAlone: retryDeliveredAlone, key: (r) => r.attempt.processId },
    ),
);

/**
 * Delivered: the delivery, its attempt, the process's status and back-office reference, a citizen-visible timeline entry,
 * (when the process has a channel) the citizen's message and the XML sent (once per process), all in one statement,
 * shared with concurrent deliveries. No NOTIFY: it would serialise every worker's commits on Postgres's notify lock; the relay's
 * timer picks the message up within its interval. False if the delivery was no longer being delivered (a stale job).
 */
export async function recordDelivered(
  db: Database,
  a: AttemptRecord,
  externalRef: string | null,
  timelineText: string,
  notify: { windowSeconds: number },
): Promise<boolean> {
  return recordBatcher(db).call({ attempt: a, externalRef, timelineText, windowSeconds: notify.windowSeconds });
}

/** A failed attempt that will be retried. */
export async function recordRetry(db: Database, a: AttemptRecord): Promise<void> {
  await db.run(
    `with d as (update deliveries set status = 'queued', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id),
     x as (${keepXml(7)})
     ${INSERT_ATTEMPT_IF_D}`,
    [a.deliveryId, a.number, a.startedAt, 'retry', a.error ?? null, a.responseExcerpt ?? null, ...xmlBinds(a)],
  );
}

/** A failed attempt that ends the delivery: permanent error or no attempts left. */
export async function recordDead(db: Database, a: AttemptRecord): Promise<void> {
  await db.run(
    `with d as (update deliveries set status = 'dead', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id),
     x as (${keepXml(7)})
     ${INSERT_ATTEMPT_IF_D}`,
    [a.deliveryId, a.number, a.startedAt, 'dead', a.error ?? null, a.responseExcerpt ?? null, ...xmlBinds(a)],
  );
}

/**
 * Dead deliveries back to pending, with a fresh attempt budget (the round restarts after `attempts`), audited and the
 * relay woken, in one statement. Returns their ids.
 */
export async function requeueDeadDeliveries(sql: Sql, filter: { id?: string; binding?: string; services?: string[] | null }, actor: string): Promise<string[]> {
  const rows = await sql.rows<{ id: string; process_id: string }>(
    `with r as (
       update deliveries set status = 'pending', attempts_before_replay = attempts, updated_at = now()
       where status = 'dead' and ($1::uuid is null or id = $1::uuid) and ($2::text is null or binding = $2::text)
         and ($4::text[] is null or process_id in (select id from processes where service_id = any($4::text[])))
         -- An erased process's delivery would send stand-ins and "[erased]" answers: never replayed.
         and not exists (select 1 from processes p where p.id = deliveries.process_id and p.erased_at is not null)
       returning id, process_id
     ), a as (
       insert into audit_events (actor, action, process_id, target, detail)
       select $3, 'delivery.replayed', process_id, id::text, '{}'::jsonb from r
     )
     select id, process_id, pg_notify('${OUTBOX_CHANNEL}', 'deliveries') from r`,
    [filter.id ?? null, filter.binding ?? null, actor, filter.services ?? null],
  );
  return rows.map((r) => r.id);
}

/** The bytes of a document kept inline in Postgres (one with no storage key, see documents/store.ts). */
export async function inlineDocumentContent(sql: Sql, id: string): Promise<Buffer> {
  const [row] = await sql.rows<{ content: Buffer }>('select content from documents where id = $1', [id]);
  return row!.content;
}
