// The SQL of the operators' delivery views: deliveries with their process's reference and service, one delivery's
// attempt log, and the XML document that was sent. `services` limits rows to a council's services (null: every one).
import type { Sql } from '../db/database.ts';

export interface DeliveryRow {
  id: string;
  processId: string;
  reference: string;
  serviceId: string;
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
  binding: string;
  status: string;
  attempts: number;
  external_ref: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select d.id, d.process_id, p.reference, p.service_id, d.binding, d.status, d.attempts, d.external_ref, d.last_error, d.created_at, d.updated_at
  from deliveries d join processes p on p.id = d.process_id`;

function deliveryRow(r: Row): DeliveryRow {
  return {
    id: r.id,
    processId: r.process_id,
    reference: r.reference,
    serviceId: r.service_id,
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
