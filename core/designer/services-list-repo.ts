// The SQL of the designer's services list and versions page: every service with its live version (or, never published,
// its newest), submissions per service, and the audit entries of a service's versions (who published, who rolled back).
import type { Sql } from '../db/database.ts';

export interface ServiceListRow {
  id: string;
  title: string;
  publishedVersion: number | null;
  publishedAt: Date | null;
  /** Of the published version, else the newest stored one. */
  council: string | null;
  bindings: string[];
  referencePrefix: string | null;
}

interface ServiceListColumns {
  id: string;
  title: string;
  published_version: number | null;
  published_at: Date | null;
  council: string | null;
  bindings: unknown;
  reference_prefix: string | null;
}

/** Every stored service, one row each, by title. */
export async function listServiceRows(sql: Sql): Promise<ServiceListRow[]> {
  const rows = await sql.rows<ServiceListColumns>(
    `select s.id, s.title, s.published_version, v.published_at, v.definition->>'council' as council, v.definition->'bindings' as bindings,
            v.definition->>'referencePrefix' as reference_prefix
     from services s
     join lateral (
       select definition, published_at from service_versions
       where service_id = s.id and (s.published_version is null or version = s.published_version)
       order by version desc limit 1
     ) v on true
     order by s.title, s.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    publishedVersion: r.published_version,
    publishedAt: r.published_at,
    council: r.council,
    bindings: Array.isArray(r.bindings) ? r.bindings.map(String) : [],
    referencePrefix: r.reference_prefix,
  }));
}

/**
 * Submissions (processes) per service submitted after `after` and up to `upTo` (either absent: unbounded): one grouped
 * count, read from the processes' (service_id, submitted_at) index.
 */
export async function countSubmissions(sql: Sql, serviceIds: string[], after: Date | null, upTo: Date | null): Promise<Map<string, number>> {
  if (!serviceIds.length) return new Map();
  const rows = await sql.rows<{ service_id: string; n: number }>(
    `select service_id, count(*)::int as n from processes
     where service_id = any($1::text[]) and ($2::timestamptz is null or submitted_at > $2) and ($3::timestamptz is null or submitted_at <= $3)
     group by service_id`,
    [serviceIds, after, upTo],
  );
  return new Map(rows.map((r) => [r.service_id, r.n]));
}

export interface VersionEventRow {
  version: number;
  action: 'service.published' | 'service.rolled-back';
  actor: string;
  at: Date;
}

/** Who published each version of a service and who rolled back to it, oldest first (audit_events_service_versions index). */
export async function versionEvents(sql: Sql, serviceId: string): Promise<VersionEventRow[]> {
  const rows = await sql.rows<{ target: string; action: VersionEventRow['action']; actor: string; created_at: Date }>(
    `select target, action, actor, created_at from audit_events
     where action in ('service.published', 'service.rolled-back') and target like $1 order by id`,
    [`${serviceId.replace(/[\\%_]/g, '\\$&')}@%`],
  );
  return rows
    .map((r) => ({ version: Number(r.target.slice(serviceId.length + 1)), action: r.action, actor: r.actor, at: r.created_at }))
    .filter((r) => Number.isInteger(r.version));
}
