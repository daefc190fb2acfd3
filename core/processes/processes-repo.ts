// The SQL of `processes` (and what reads or changes a process with it: its deliveries as a process view shows them, the
// inbound events a connector's change is recorded with; notes-repo.ts writes a note).
import type { Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';

export type ProcessStatus = 'submitted' | 'received' | 'in_progress' | 'completed' | 'closed';

export interface ProcessRecord {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  status: ProcessStatus;
  answers: Record<string, unknown>;
  contact: { name?: string; email?: string; phone?: string };
  externalRef: string | null;
  closedReason: string | null;
  submittedAt: Date;
  updatedAt: Date;
  /** Set by erasure (docs/governance.md); the process's personal data is gone. */
  erasedAt: Date | null;
  /** When it first became completed or closed (set by a trigger; retention counts from here). */
  finishedAt: Date | null;
}

interface ProcessColumns {
  id: string;
  reference: string;
  service_id: string;
  service_version: number;
  status: ProcessStatus;
  answers: Record<string, unknown>;
  contact: ProcessRecord['contact'];
  external_ref: string | null;
  closed_reason: string | null;
  submitted_at: Date;
  updated_at: Date;
  erased_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS =
  'id, reference, service_id, service_version, status, answers, contact, external_ref, closed_reason, submitted_at, updated_at, erased_at, finished_at';

function toRecord(r: ProcessColumns): ProcessRecord {
  return {
    id: r.id,
    reference: r.reference,
    serviceId: r.service_id,
    serviceVersion: r.service_version,
    status: r.status,
    answers: r.answers,
    contact: r.contact,
    externalRef: r.external_ref,
    closedReason: r.closed_reason,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    erasedAt: r.erased_at,
    finishedAt: r.finished_at,
  };
}

/** The whole process row (answers and all). `id` must be a UUID. */
export async function findProcessById(sql: Sql, id: string): Promise<ProcessRecord | undefined> {
  const row = await sql.row<ProcessColumns>(`select ${COLUMNS} from processes where id = $1`, [id]);
  return row && toRecord(row);
}

const PROCESS_SERVICE = preparedStatement('process_service', 'select id::text, service_id from processes where id = $1');

/** The process's id as stored and its service, for an access check: one small prepared query. `id` must be a UUID. */
export async function findProcessService(sql: Sql, id: string): Promise<{ id: string; serviceId: string } | undefined> {
  const [row] = await sql.prepared<{ id: string; service_id: string }>(PROCESS_SERVICE, [id]);
  return row && { id: row.id, serviceId: row.service_id };
}

export interface LockedProcess {
  id: string;
  status: string;
  erased_at: Date | null;
  service_id: string;
}

/** Locks the process row until the transaction ends. */
export async function lockProcess(t: Sql, id: string): Promise<LockedProcess | undefined> {
  return t.row<LockedProcess>('select id, status, erased_at, service_id from processes where id = $1 for update', [id]);
}

export async function setProcessStatus(t: Sql, id: string, status: string, closedReason: string | null): Promise<void> {
  await t.run('update processes set status = $2, closed_reason = $3, updated_at = now() where id = $1', [id, status, closedReason]);
}

/** Records an inbound event id of a source (a binding); false when it was recorded before (a repeat). */
export async function claimInboundEvent(t: Sql, source: string, eventId: string): Promise<boolean> {
  const claimed = await t.rows('insert into inbound_events (source, event_id) values ($1, $2) on conflict do nothing returning 1', [source, eventId]);
  return claimed.length > 0;
}

export interface BindingProcess {
  id: string;
  serviceId: string;
  status: string;
  externalRef: string | null;
}

type BindingProcessColumns = { id: string; service_id: string; status: string; external_ref: string | null };

const toBindingProcess = (r: BindingProcessColumns | undefined): BindingProcess | null =>
  r ? { id: r.id, serviceId: r.service_id, status: r.status, externalRef: r.external_ref } : null;

/** A process delivered to a binding, by its id (a UUID). */
export async function findBindingProcessById(sql: Sql, binding: string, processId: string): Promise<BindingProcess | null> {
  return toBindingProcess(
    await sql.row<BindingProcessColumns>(
      'select p.id, p.service_id, p.status, d.external_ref from processes p join deliveries d on d.process_id = p.id and d.binding = $2 where p.id = $1',
      [processId, binding],
    ),
  );
}

/** A process delivered to a binding, by the reference the back office gave it. */
export async function findBindingProcessByExternalRef(sql: Sql, binding: string, externalRef: string): Promise<BindingProcess | null> {
  return toBindingProcess(
    await sql.row<BindingProcessColumns>(
      `select p.id, p.service_id, p.status, d.external_ref from deliveries d join processes p on p.id = d.process_id
       where d.binding = $1 and d.external_ref = $2 limit 1`,
      [binding, externalRef],
    ),
  );
}

/** A process delivered to a binding, by the citizen's reference (as stored: upper case). */
export async function findBindingProcessByReference(sql: Sql, binding: string, reference: string): Promise<BindingProcess | null> {
  return toBindingProcess(
    await sql.row<BindingProcessColumns>(
      'select p.id, p.service_id, p.status, d.external_ref from processes p join deliveries d on d.process_id = p.id and d.binding = $2 where p.reference = $1',
      [reference, binding],
    ),
  );
}

export interface ProcessDelivery {
  binding: string;
  status: string;
  externalRef: string | null;
  attempts: number;
}

/** A process's deliveries, by binding. */
export async function findDeliveriesOf(sql: Sql, processId: string): Promise<ProcessDelivery[]> {
  const rows = await sql.rows<{ binding: string; status: string; external_ref: string | null; attempts: number }>(
    'select binding, status, external_ref, attempts from deliveries where process_id = $1 order by binding asc',
    [processId],
  );
  return rows.map((d) => ({ binding: d.binding, status: d.status, externalRef: d.external_ref, attempts: d.attempts }));
}

export interface ProcessListFilter {
  /** Only these services (every condition given must hold). */
  serviceIn?: string[][];
  status?: string;
  updatedSince?: Date;
  reference?: string;
  /** Only the process a back office knows by this reference of its own. */
  external?: { binding: string; externalRef: string };
  /** After this (updatedAt, id) position: the page's cursor. */
  after?: { updatedAt: Date; id: string };
  limit: number;
}

export type ProcessListRow = Pick<ProcessRecord, 'id' | 'reference' | 'serviceId' | 'status' | 'externalRef' | 'submittedAt' | 'updatedAt' | 'erasedAt'>;

/**
 * A page of processes, oldest change first. Lookups by either reference use the unique index on processes.reference and
 * deliveries_external_ref.
 */
export async function listProcesses(sql: Sql, f: ProcessListFilter): Promise<ProcessListRow[]> {
  const values: unknown[] = [];
  const $ = (v: unknown) => `$${values.push(v)}`;
  const where: string[] = [];
  for (const ids of f.serviceIn ?? []) where.push(`service_id = any(${$(ids)}::text[])`);
  if (f.status) where.push(`status = ${$(f.status)}`);
  if (f.updatedSince) where.push(`updated_at >= ${$(f.updatedSince)}`);
  if (f.reference) where.push(`reference = ${$(f.reference)}`);
  if (f.external)
    where.push(`id in (select process_id from deliveries where binding = ${$(f.external.binding)} and external_ref = ${$(f.external.externalRef)})`);
  if (f.after) {
    const at = $(f.after.updatedAt);
    where.push(`(updated_at > ${at} or (updated_at = ${at} and id > ${$(f.after.id)}::uuid))`);
  }
  const rows = await sql.rows<ProcessColumns>(
    `select id, reference, service_id, status, external_ref, submitted_at, updated_at, erased_at from processes
     ${where.length ? `where ${where.join(' and ')}` : ''} order by updated_at asc, id asc limit ${$(f.limit)}`,
    values,
  );
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    serviceId: r.service_id,
    status: r.status,
    externalRef: r.external_ref,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    erasedAt: r.erased_at,
  }));
}
