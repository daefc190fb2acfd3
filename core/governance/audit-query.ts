// Reading the audit log: filtered, newest first, keyset-paged by (created_at, id) so pages never skip or repeat an entry
// however many are written meanwhile. The cursor carries the exact (microsecond) time of the last entry shown.
import type { Sql } from '../db/database.ts';
import { auditEvents } from './audit-repo.ts';
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
  /** With `services`: also the entries about no process that name this council (its API keys made in the staff console). */
  council?: string | null;
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

export async function queryAudit(sql: Sql, query: AuditQuery): Promise<AuditPage> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await auditEvents(sql, {
    processId: query.processId ?? null,
    actor: query.actor ?? null,
    action: query.action ?? null,
    since: query.since ?? null,
    until: query.until ?? null,
    after,
    services: query.services ?? null,
    council: query.council ?? null,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    events: page.map((r) => ({
      id: r.id,
      at: r.createdAt.toISOString(),
      actor: r.actor,
      action: r.action,
      processId: r.processId,
      reference: r.reference,
      target: r.target,
      detail: r.detail,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.atExact, last.id) : null,
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
