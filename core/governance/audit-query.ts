// Reading the audit log: filtered, newest first, keyset-paged by (created_at, id) so pages never skip or repeat an entry
// however many are written meanwhile. The cursor carries the exact (microsecond) time of the last entry shown.
import { QueryTypes, type Sequelize } from 'sequelize';
import { BadRequestError } from '../errors.ts';

export interface AuditQuery {
  processId?: string;
  /** Exact actor ("api-client:Alloy EH", "cli:jo", "retention") or the name after its kind ("Alloy EH"). */
  actor?: string;
  /** Exact action ("process.erased") or a prefix ending in * ("delivery.*"). */
  action?: string;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
  cursor?: string;
  limit: number;
  /** Only entries about these services (a council admin's scope); null or absent: every entry. */
  services?: string[] | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  processId: string | null;
  reference: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AuditPage {
  events: AuditEntry[];
  nextCursor: string | null;
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

export async function queryAudit(sequelize: Sequelize, query: AuditQuery): Promise<AuditPage> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await sequelize.query<Row>(
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
            or (a.process_id is null and a.action like 'service.%' and split_part(a.target, '@', 1) = any($8::text[])))
     order by a.created_at desc, a.id desc
     limit $9`,
    {
      bind: [
        query.processId ?? null,
        query.actor ?? null,
        query.action ?? null,
        query.since ?? null,
        query.until ?? null,
        after?.at ?? null,
        after?.id ?? null,
        query.services ?? null,
        query.limit + 1,
      ],
      type: QueryTypes.SELECT,
    },
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    events: page.map((r) => ({
      id: r.id,
      at: r.created_at.toISOString(),
      actor: r.actor,
      action: r.action,
      processId: r.process_id,
      reference: r.reference,
      target: r.target,
      detail: r.detail,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.at_exact, last.id) : null,
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/.test(at ?? '') || !/^\d{1,19}$/.test(id ?? '')) throw new BadRequestError('The cursor is not valid');
  return { at: at!, id: id! };
}
