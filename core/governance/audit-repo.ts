// The audit log's SQL: appending an entry, and reading a filtered, keyset-paged slice of it (newest first).
// The table is append-only: the database refuses updates and deletes.
import type { Sql } from '../db/database.ts';

export interface NewAuditEvent {
  /** "api-client:<key name>", "cli:<user>", "retention", … */
  actor: string;
  action: string;
  processId?: string | null;
  target?: string | null;
  /** Never personal data. Absent: {}. */
  detail?: Record<string, unknown>;
  /** Absent: now(). */
  at?: Date;
}

/** Appends one entry to the audit log. */
export async function insertAuditEvent(sql: Sql, event: NewAuditEvent): Promise<void> {
  await sql.run(
    `insert into audit_events (actor, action, process_id, target, detail, created_at)
     values ($1, $2, $3, $4, coalesce($5::jsonb, '{}'::jsonb), coalesce($6::timestamptz, now()))`,
    [
      event.actor,
      event.action,
      event.processId ?? null,
      event.target ?? null,
      event.detail === undefined ? null : JSON.stringify(event.detail),
      event.at ?? null,
    ],
  );
}

export interface AuditFilter {
  processId: string | null;
  actor: string | null;
  action: string | null;
  since: Date | null;
  until: Date | null;
  /** Keyset: entries strictly older than this (exact UTC time as text, microseconds) and id. */
  after: { at: string; id: string } | null;
  services: string[] | null;
  /**
   * With `services`: also the entries about no process that name this council in their detail (its API keys being
   * created or revoked in the staff console).
   */
  council: string | null;
  limit: number;
}

export interface AuditRow {
  id: string;
  createdAt: Date;
  /** created_at in UTC with its microseconds, for the cursor (a JS Date would drop them). */
  atExact: string;
  actor: string;
  action: string;
  processId: string | null;
  reference: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

interface Row {
  id: string;
  created_at: Date;
  at_exact: string;
  actor: string;
  action: string;
  process_id: string | null;
  reference: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

/** Up to `limit` entries matching the filter, newest first. */
export async function auditEvents(sql: Sql, filter: AuditFilter): Promise<AuditRow[]> {
  const rows = await sql.rows<Row>(
    `select a.id::text as id, a.created_at, to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at_exact,
       a.actor, a.action, a.process_id, p.reference, a.target, a.detail
     from audit_events a left join processes p on p.id = a.process_id
     where ($1::uuid is null or a.process_id = $1::uuid)
       and ($2::text is null or a.actor = $2::text or substr(a.actor, strpos(a.actor, ':') + 1) = $2::text)
       and ($3::text is null or a.action = $3::text or (right($3::text, 1) = '*' and left(a.action, length($3::text) - 1) = left($3::text, length($3::text) - 1)))
       and ($4::timestamptz is null or a.created_at >= $4::timestamptz)
       and ($5::timestamptz is null or a.created_at < $5::timestamptz)
       and ($6::text is null or (a.created_at, a.id) < (($6::text)::timestamp at time zone 'UTC', $7::bigint))
       and ($8::text[] is null or p.service_id = any($8::text[])
            or (a.process_id is null and a.action like 'service.%' and split_part(a.target, '@', 1) = any($8::text[]))
            or (a.process_id is null and $10::text is not null and a.detail->>'council' = $10::text))
     order by a.created_at desc, a.id desc
     limit $9`,
    [
      filter.processId,
      filter.actor,
      filter.action,
      filter.since,
      filter.until,
      filter.after?.at ?? null,
      filter.after?.id ?? null,
      filter.services,
      filter.limit,
      filter.council,
    ],
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    atExact: r.at_exact,
    actor: r.actor,
    action: r.action,
    processId: r.process_id,
    reference: r.reference,
    target: r.target,
    detail: r.detail,
  }));
}
