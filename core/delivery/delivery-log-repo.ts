// The SQL of the operators' delivery views: deliveries with their process's reference and service, one delivery's
// attempt log, and the XML document that was sent. `services` limits rows to a council's services (null: every one).
import type { Sql } from '../db/database.ts';

export interface DeliveryRow {
  id: string;
  processId: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  binding: string;
  status: string;
  attempts: number;
  externalRef: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  process_id: string;
  reference: string;
  service_id: string;
  service_version: number;
  binding: string;
  status: string;
  attempts: number;
  external_ref: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select d.id, d.process_id, p.reference, p.service_id, p.service_version, d.binding, d.status, d.attempts, d.external_ref, d.last_error, d.created_at, d.updated_at
  from deliveries d join processes p on p.id = d.process_id`;

function deliveryRow(r: Row): DeliveryRow {
  return {
    id: r.id,
    processId: r.process_id,
    reference: r.reference,
    serviceId: r.service_id,
    serviceVersion: r.service_version,
    binding: r.binding,
    status: r.status,
    attempts: r.attempts,
    externalRef: r.external_ref,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Deliveries newest first, filtered by status, binding and creation time (before). */
export async function listDeliveries(
  sql: Sql,
  filter: { status: string | null; binding: string | null; before: string | null; limit: number; services: string[] | null },
): Promise<DeliveryRow[]> {
  const rows = await sql.rows<Row>(
    `${SELECT} where ($1::text is null or d.status = $1) and ($2::text is null or d.binding = $2) and ($3::timestamptz is null or d.created_at < $3)
       and ($5::text[] is null or p.service_id = any($5))
     order by d.created_at desc limit $4`,
    [filter.status, filter.binding, filter.before, filter.limit, filter.services],
  );
  return rows.map(deliveryRow);
}

export interface DeliverySearch {
  status: string | null;
  binding: string | null;
  serviceId: string | null;
  /** The process's submission day, UK time ("2026-10-01"), from and to (both included). */
  submittedFrom: string | null;
  submittedTo: string | null;
  /** A council's services (null: every one). */
  services: string[] | null;
  limit: number;
  offset: number;
  /** Counted no further than this (a page says "more than 1,000" rather than count a million). */
  countUpTo: number;
}

const SEARCH_WHERE = `where ($1::text is null or d.status = $1) and ($2::text is null or d.binding = $2) and ($3::text is null or p.service_id = $3)
  and ($4::date is null or p.submitted_at >= ($4::date)::timestamp at time zone 'Europe/London')
  and ($5::date is null or p.submitted_at < ($5::date + 1)::timestamp at time zone 'Europe/London')
  and ($6::text[] is null or p.service_id = any($6))`;

function searchBinds(f: DeliverySearch): unknown[] {
  return [f.status, f.binding, f.serviceId, f.submittedFrom, f.submittedTo, f.services];
}

/**
 * One page of the deliveries matching a search (most recently changed first, from the deliveries_updated index) and how
 * many match, counted up to `countUpTo` (a count of every match read every delivery ever made: a second at a million).
 */
export async function searchDeliveries(sql: Sql, filter: DeliverySearch): Promise<{ rows: DeliveryRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    sql.rows<Row>(`${SELECT} ${SEARCH_WHERE} order by d.updated_at desc, d.id limit $7 offset $8`, [...searchBinds(filter), filter.limit, filter.offset]),
    sql.row<{ n: number }>(`select count(*)::int as n from (select 1 from deliveries d join processes p on p.id = d.process_id ${SEARCH_WHERE} limit $7) x`, [
      ...searchBinds(filter),
      filter.countUpTo,
    ]),
  ]);
  return { rows: rows.map(deliveryRow), total: count?.n ?? 0 };
}

/** How many dead deliveries of a binding a replay would send again (erased processes' are never replayed). */
export async function countReplayableDead(sql: Sql, binding: string, services: string[] | null): Promise<number> {
  const row = await sql.row<{ n: string }>(
    `select count(*) as n from deliveries d join processes p on p.id = d.process_id
     where d.status = 'dead' and d.binding = $1 and p.erased_at is null and ($2::text[] is null or p.service_id = any($2))`,
    [binding, services],
  );
  return Number(row?.n ?? 0);
}

export async function findDelivery(sql: Sql, id: string, services: string[] | null): Promise<DeliveryRow | undefined> {
  const row = await sql.row<Row>(`${SELECT} where d.id = $1 and ($2::text[] is null or p.service_id = any($2))`, [id, services]);
  return row && deliveryRow(row);
}

export interface AttemptRow {
  number: number;
  startedAt: Date;
  endedAt: Date;
  outcome: string;
  error: string | null;
  responseExcerpt: string | null;
}

/** A delivery's attempt log, in order. */
export async function deliveryAttempts(sql: Sql, deliveryId: string): Promise<AttemptRow[]> {
  const rows = await sql.rows<{ number: number; started_at: Date; ended_at: Date; outcome: string; error: string | null; response_excerpt: string | null }>(
    'select number, started_at, ended_at, outcome, error, response_excerpt from delivery_attempts where delivery_id = $1 order by number',
    [deliveryId],
  );
  return rows.map((a) => ({
    number: a.number,
    startedAt: a.started_at,
    endedAt: a.ended_at,
    outcome: a.outcome,
    error: a.error,
    responseExcerpt: a.response_excerpt,
  }));
}

/** Where the process's XML is: in the row (content) or in the document store (storageKey). */
export async function processXmlDocument(sql: Sql, processId: string): Promise<{ storageKey: string | null; content: Buffer | null } | undefined> {
  const row = await sql.row<{ storage_key: string | null; content: Buffer | null }>(
    `select storage_key, content from documents where process_id = $1 and kind = 'xml'`,
    [processId],
  );
  return row && { storageKey: row.storage_key, content: row.content };
}
