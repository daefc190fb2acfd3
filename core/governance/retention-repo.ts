// The SQL of retention: which published services set a retention period, which processes are past it, and the
// governance_runs row a run locks (FOR UPDATE SKIP LOCKED) so two workers never sweep at once.
import type { Sql } from '../db/database.ts';

/** The published definitions that mention retention, unparsed, by service id. */
export async function publishedDefinitionsWithRetention(sql: Sql): Promise<{ serviceId: string; definition: unknown }[]> {
  const rows = await sql.rows<{ service_id: string; definition: unknown }>(
    `select v.service_id, v.definition from services s join service_versions v on v.service_id = s.id and v.version = s.published_version
     where v.definition ? 'retention' order by v.service_id`,
  );
  return rows.map((r) => ({ serviceId: r.service_id, definition: r.definition }));
}

export interface FinishedProcess {
  id: string;
  reference: string;
  serviceId: string;
  status: string;
  finishedAt: Date;
}

/** Completed or closed, not yet erased processes of a service that finished more than `days` ago, oldest first. */
export async function processesFinishedBefore(sql: Sql, query: { serviceId: string; days: number; skip: string[]; limit: number }): Promise<FinishedProcess[]> {
  const rows = await sql.rows<{ id: string; reference: string; service_id: string; status: string; finished_at: Date }>(
    `select id, reference, service_id, status, finished_at from processes
     where service_id = $1 and erased_at is null and status in ('completed', 'closed') and finished_at is not null
       and finished_at < now() - make_interval(days => $2::int) and not (id = any($3::uuid[]))
     order by finished_at, id limit $4`,
    [query.serviceId, query.days, query.skip, query.limit],
  );
  return rows.map((r) => ({ id: r.id, reference: r.reference, serviceId: r.service_id, status: r.status, finishedAt: r.finished_at }));
}

/** Makes sure the job has its row (the row a run locks). */
export async function ensureGovernanceRun(sql: Sql, job: string): Promise<void> {
  await sql.run('insert into governance_runs (job) values ($1) on conflict do nothing', [job]);
}

/** Locks the job's row for the transaction; false when another transaction holds it (skip locked). */
export async function lockGovernanceRun(tx: Sql, job: string): Promise<boolean> {
  const locked = await tx.rows('select job from governance_runs where job = $1 for update skip locked', [job]);
  return locked.length > 0;
}

export async function recordGovernanceRun(tx: Sql, job: string, startedAt: Date, result: unknown): Promise<void> {
  await tx.run('update governance_runs set started_at = $2, finished_at = now(), runs = runs + 1, last_result = $3::jsonb, last_error = null where job = $1', [
    job,
    startedAt,
    JSON.stringify(result),
  ]);
}

export async function recordGovernanceRunError(sql: Sql, job: string, message: string): Promise<void> {
  await sql.run('update governance_runs set last_error = $2 where job = $1', [job, message]);
}
