// The SQL that records a delivery's progress. Each outcome is one statement, so it commits whole.
import { QueryTypes, type Sequelize } from 'sequelize';
import { NOTIFY_SQL } from '../notify/outbox-sql.ts';
import type { DocumentColumns } from '../documents/index.ts';
import { preparedStatement, runPrepared } from '../db/prepared.ts';

export type ClaimedDocument = DocumentColumns;

export interface ClaimedDelivery {
  processId: string;
  binding: string;
  /** This attempt's number within the current round (resets on replay). */
  attempt: number;
  /** This attempt's number over the delivery's whole life (for the attempts log). */
  attemptNumber: number;
  process: { reference: string; serviceId: string; serviceVersion: number; submittedAt: Date; externalRef: string | null; answers: Record<string, unknown> };
  documents: ClaimedDocument[];
}

const CLAIM_DELIVERY = preparedStatement(
  'claim_delivery',
  `with c as (
       update deliveries set status = 'delivering', attempts = attempts + 1, updated_at = now()
       where id = $1 and status in ('pending', 'queued', 'delivering')
       returning process_id, binding, attempts
     )
     select c.process_id, c.binding, c.attempts, (select count(*)::int + 1 from delivery_attempts where delivery_id = $1) as total,
       p.reference, p.service_id, p.service_version, p.submitted_at, p.external_ref, p.answers,
       (select json_agg(json_build_object('id', d.id, 'kind', d.kind, 'field_id', d.field_id, 'name', d.name, 'content_type', d.content_type,
          'size', d.size, 'sha256', d.sha256, 'storage_key', d.storage_key) order by d.created_at, d.kind)
        from documents d where d.process_id = p.id and d.kind <> 'xml') as documents
     from c join processes p on p.id = c.process_id`,
);

/**
 * Marks a delivery as being delivered and loads what it carries, in one round trip. Null if it is already delivered or
 * dead (a stale or duplicate job).
 */
export async function claimDelivery(sequelize: Sequelize, id: string): Promise<ClaimedDelivery | null> {
  const rows = await runPrepared<{
    process_id: string; binding: string; attempts: number; total: number; reference: string; service_id: string; service_version: number;
    submitted_at: Date; external_ref: string | null; answers: Record<string, unknown>; documents: ClaimedDocument[] | null;
  }>(sequelize, CLAIM_DELIVERY, [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    processId: r.process_id,
    binding: r.binding,
    attempt: r.attempts,
    attemptNumber: r.total,
    process: { reference: r.reference, serviceId: r.service_id, serviceVersion: r.service_version, submittedAt: r.submitted_at, externalRef: r.external_ref, answers: r.answers },
    documents: (r.documents ?? []).map((d) => ({ ...d, size: Number(d.size) })),
  };
}

export interface AttemptRecord {
  deliveryId: string;
  number: number;
  startedAt: Date;
  error?: string;
  responseExcerpt?: string;
  /** The XML that was sent, kept (once per process) as the process's `xml` document in the same statement. */
  xml?: { processId: string; reference: string; bytes: Buffer; sha256: string };
}

/** Logs the attempt only when the CTE `d` changed the delivery (a stale job records nothing). */
const INSERT_ATTEMPT_IF_D = `insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome, error, response_excerpt)
  select $1, $2, $3, now(), $4, $5, $6 where exists (select 1 from d)`;

/** Keeps the XML sent ($x1 process id, $x2 name, $x3 bytes, $x4 sha256) unless the process already has it. */
function keepXml(first: number): string {
  return `insert into documents (id, process_id, kind, name, content_type, size, sha256, content)
    select gen_random_uuid(), $${first}::uuid, 'xml', $${first + 1}, 'application/xml', length($${first + 2}::bytea), $${first + 3}, $${first + 2}::bytea
    where $${first}::uuid is not null and exists (select 1 from d)
    on conflict (process_id) where kind = 'xml' do nothing`;
}

function xmlBinds(a: AttemptRecord): unknown[] {
  return a.xml ? [a.xml.processId, `${a.xml.reference}.xml`, a.xml.bytes, a.xml.sha256] : [null, null, null, null];
}

const RECORD_DELIVERED = preparedStatement(
  'record_delivered',
  `with d as (
       update deliveries set status = 'delivered', external_ref = $7, delivered_at = now(), updated_at = now(), last_error = null
       where id = $1 and status = 'delivering' returning process_id, binding
     ), a as (
       ${INSERT_ATTEMPT_IF_D}
     ), p as (
       update processes set status = case when status = 'submitted' then 'received' else status end,
         external_ref = coalesce(external_ref, $7), updated_at = now()
       where id = (select process_id from d) returning id, status, contact
     ), e as (
       insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor)
       select d.process_id, 'received', true, $8, jsonb_build_object('binding', d.binding, 'externalRef', $7::text), 'system' from d
     ), n as (
       ${NOTIFY_SQL('(select id from p)', '(select contact from p)', '$9', '$8', '$10')}
     ), x as (
       ${keepXml(11)}
     )
     select (select count(*)::int from d) as n`,
);

/**
 * Delivered: the delivery, its attempt, the process's status and back-office reference, a citizen-visible timeline entry
 * and (when the citizen can be told) a notification, all in one statement. No NOTIFY: it would serialise every
 * worker's commits on Postgres's notify lock; the relay's timer picks the message up within its interval.
 */
export async function recordDelivered(
  sequelize: Sequelize,
  a: AttemptRecord,
  externalRef: string | null,
  timelineText: string,
  notify: { channel: string | null; windowSeconds: number },
): Promise<boolean> {
  const rows = await runPrepared<{ n: number }>(
    sequelize,
    RECORD_DELIVERED,
    [a.deliveryId, a.number, a.startedAt, 'delivered', null, a.responseExcerpt ?? null, externalRef, timelineText, notify.channel, notify.windowSeconds, ...xmlBinds(a)],
  );
  return (rows[0]?.n ?? 0) > 0;
}

/** A failed attempt that will be retried. */
export async function recordRetry(sequelize: Sequelize, a: AttemptRecord): Promise<void> {
  await sequelize.query(
    `with d as (update deliveries set status = 'queued', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id),
     x as (${keepXml(7)})
     ${INSERT_ATTEMPT_IF_D}`,
    { bind: [a.deliveryId, a.number, a.startedAt, 'retry', a.error ?? null, a.responseExcerpt ?? null, ...xmlBinds(a)] },
  );
}

/** A failed attempt that ends the delivery: permanent error or no attempts left. */
export async function recordDead(sequelize: Sequelize, a: AttemptRecord): Promise<void> {
  await sequelize.query(
    `with d as (update deliveries set status = 'dead', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id),
     x as (${keepXml(7)})
     ${INSERT_ATTEMPT_IF_D}`,
    { bind: [a.deliveryId, a.number, a.startedAt, 'dead', a.error ?? null, a.responseExcerpt ?? null, ...xmlBinds(a)] },
  );
}

