// The SQL of the staff console's cases: the search (newest first, a page at a time by keyset, counted only up to a
// limit) and what a case page shows beside the process itself: its deliveries and the messages sent to the citizen.
// The indexes that keep the search fast at a million cases are migration 010-case-search's; its expressions are used
// here word for word.
import type { Sql } from '../db/database.ts';
import { EMAIL_EXPRESSION, NAME_EXPRESSION, POSTCODES_EXPRESSION } from '../db/migrations/010-case-search.ts';

export interface CaseSearchFilter {
  /** The services the person may see and asked for (never empty: no services, no search). */
  services: string[];
  statuses?: string[];
  /** Upper case, as stored. */
  reference?: string;
  externalRef?: string;
  /** Lower case; a part of the name (at least 3 characters). */
  name?: string;
  /** Lower case, the whole address. */
  email?: string;
  /** As the answers store it: "SO1 1AA". */
  postcode?: string;
  /** Days of the UK's clock, YYYY-MM-DD, both inclusive. */
  from?: string;
  to?: string;
}

export interface CaseRow {
  id: string;
  reference: string;
  serviceId: string;
  status: string;
  externalRef: string | null;
  name: string | null;
  email: string | null;
  submittedAt: Date;
  erased: boolean;
}

type CaseColumns = {
  id: string;
  reference: string;
  service_id: string;
  status: string;
  external_ref: string | null;
  name: string | null;
  email: string | null;
  submitted_at: Date;
  erased: boolean;
};

const CASE_COLUMNS = `p.id, p.reference, p.service_id, p.status, p.external_ref, p.contact->>'name' as name, p.contact->>'email' as email,
  p.submitted_at, p.erased_at is not null as erased`;

/** Where a page starts: after (older than) or before (newer than) a case of the previous page, by its id. */
export type CasePosition = { after: string } | { before: string } | null;

/**
 * A page of cases, newest first. Without a field that picks out few cases (reference, back-office reference, name,
 * e-mail, postcode), each service (and asked-for status) is read newest first from its own index and the pages merged, so
 * a page costs `limit` rows per service whatever the table holds.
 */
export async function searchCases(sql: Sql, f: CaseSearchFilter, position: CasePosition, limit: number): Promise<CaseRow[]> {
  const values: unknown[] = [];
  const $ = (v: unknown) => `$${values.push(v)}`;
  const where = filterConditions(f, $);
  const backwards = position !== null && 'before' in position;
  if (position) {
    const id = $('after' in position ? position.after : position.before);
    where.push(`(p.submitted_at, p.id) ${backwards ? '>' : '<'} (select submitted_at, id from processes where id = ${id}::uuid)`);
  }
  const order = backwards ? 'p.submitted_at asc, p.id asc' : 'p.submitted_at desc, p.id desc';
  const lim = $(limit);
  let text: string;
  if (exact(f)) {
    // A reference, an e-mail address, a postcode: its own index finds the few cases first (materialized, so that the
    // planner never prefers walking every case newest first in the hope of meeting them early).
    where.push(`p.service_id = any(${$(f.services)}::text[])`);
    text = `with found as materialized (select ${CASE_COLUMNS} from processes p where ${where.join(' and ')})
      select * from found p order by ${order} limit ${lim}`;
  } else if (f.name) {
    // A part of a name: a rare one is found through its trigrams, a common one by walking newest first (the planner
    // chooses from the name index's statistics).
    where.push(`p.service_id = any(${$(f.services)}::text[])`);
    text = `select ${CASE_COLUMNS} from processes p where ${where.join(' and ')} order by ${order} limit ${lim}`;
  } else {
    // One branch per service (and asked-for status), each with its own id as a value: the planner then judges each
    // service by its own statistics and reads it from its (service, [status,] submitted_at, id) index. Joined to a list
    // of services instead, it judged them all alike and could walk every case newest first looking for a service with
    // few cases (87 ms at 50,000 cases, the whole table for a service with none).
    const statuses = f.statuses?.length ? f.statuses : [null];
    const branches = f.services.flatMap((service) =>
      statuses.map((status) => {
        const own = [...where, `p.service_id = ${$(service)}`, ...(status ? [`p.status = ${$(status)}`] : [])];
        return `(select ${CASE_COLUMNS} from processes p where ${own.join(' and ')} order by ${order} limit ${lim})`;
      }),
    );
    text = `select c.* from (${branches.join(' union all ')}) c order by ${order.replaceAll('p.', 'c.')} limit ${lim}`;
  }
  const rows = await sql.rows<CaseColumns>(text, values);
  const cases = rows.map(toRow);
  return backwards ? cases.reverse() : cases;
}

/** How many cases match, counting no further than `upTo` (a page says "more than 1,000" rather than count a million). */
export async function countCases(sql: Sql, f: CaseSearchFilter, upTo: number): Promise<number> {
  const values: unknown[] = [];
  const $ = (v: unknown) => `$${values.push(v)}`;
  const where = filterConditions(f, $);
  if (f.statuses?.length && !selective(f)) where.push(`p.status = any(${$(f.statuses)}::text[])`);
  where.push(`p.service_id = any(${$(f.services)}::text[])`);
  // A part of a name is counted in the order the page reads (the planner then walks a common name newest first, as
  // the page does, and finds a rare one through its trigrams); unordered, it read every trigram match of a common name
  // first (65 ms for "olivia khan" at 1M cases, 5 ms so).
  const order = f.name && !exact(f) ? ' order by p.submitted_at desc, p.id desc' : '';
  const row = await sql.row<{ n: number }>(
    `select count(*)::int as n from (select 1 from processes p where ${where.join(' and ')}${order} limit ${$(upTo)}) x`,
    values,
  );
  return row?.n ?? 0;
}

/** A field that picks out few cases (others are read newest first, service by service). */
function selective(f: CaseSearchFilter): boolean {
  return exact(f) || !!f.name;
}

function exact(f: CaseSearchFilter): boolean {
  return !!(f.reference || f.externalRef || f.email || f.postcode);
}

function filterConditions(f: CaseSearchFilter, $: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.reference) where.push(`p.reference = ${$(f.reference)}`);
  if (f.externalRef) {
    const ref = $(f.externalRef);
    where.push(`p.id in (select id from processes where external_ref = ${ref} union all select process_id from deliveries where external_ref = ${ref})`);
  }
  if (f.email) where.push(`${EMAIL_EXPRESSION.replace('contact', 'p.contact')} = ${$(f.email)}`);
  if (f.name) where.push(`${NAME_EXPRESSION.replace('contact', 'p.contact')} like ${$(`%${likeEscape(f.name)}%`)}`);
  if (f.postcode) where.push(`${POSTCODES_EXPRESSION.replace('answers', 'p.answers')} @> jsonb_build_array(${$(f.postcode)}::text)`);
  if (f.statuses?.length && selective(f)) where.push(`p.status = any(${$(f.statuses)}::text[])`);
  if (f.from) where.push(`p.submitted_at >= (${$(f.from)}::date::timestamp at time zone 'Europe/London')`);
  if (f.to) where.push(`p.submitted_at < ((${$(f.to)}::date + 1)::timestamp at time zone 'Europe/London')`);
  return where;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toRow(r: CaseColumns): CaseRow {
  return {
    id: r.id,
    reference: r.reference,
    serviceId: r.service_id,
    status: r.status,
    externalRef: r.external_ref,
    name: r.name,
    email: r.email,
    submittedAt: r.submitted_at,
    erased: r.erased,
  };
}

export interface CaseDeliveryRow {
  id: string;
  binding: string;
  status: string;
  externalRef: string | null;
  attempts: number;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A case's deliveries to back offices, oldest first. */
export async function findCaseDeliveries(sql: Sql, processId: string): Promise<CaseDeliveryRow[]> {
  const rows = await sql.rows<{
    id: string;
    binding: string;
    status: string;
    external_ref: string | null;
    attempts: number;
    created_at: Date;
    delivered_at: Date | null;
  }>('select id, binding, status, external_ref, attempts, created_at, delivered_at from deliveries where process_id = $1 order by created_at, binding', [
    processId,
  ]);
  return rows.map((d) => ({
    id: d.id,
    binding: d.binding,
    status: d.status,
    externalRef: d.external_ref,
    attempts: d.attempts,
    createdAt: d.created_at,
    deliveredAt: d.delivered_at,
  }));
}

export interface CaseMessageRow {
  id: string;
  channel: string;
  kind: 'submitted' | 'update';
  status: string;
  updates: { text: string; at: string }[];
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** The messages sent (or waiting to be sent) to the citizen about a case, newest first. */
export async function findCaseMessages(sql: Sql, processId: string): Promise<CaseMessageRow[]> {
  const rows = await sql.rows<{
    id: string;
    channel: string;
    kind: 'submitted' | 'update';
    status: string;
    updates: { text: string; at: string }[];
    attempts: number;
    last_error: string | null;
    created_at: Date;
    sent_at: Date | null;
  }>(
    `select id, channel, kind, status, updates, attempts, last_error, created_at, sent_at from notifications
     where process_id = $1 order by created_at desc, id`,
    [processId],
  );
  return rows.map((n) => ({
    id: n.id,
    channel: n.channel,
    kind: n.kind,
    status: n.status,
    updates: Array.isArray(n.updates) ? n.updates : [],
    attempts: n.attempts,
    lastError: n.last_error,
    createdAt: n.created_at,
    sentAt: n.sent_at,
  }));
}
