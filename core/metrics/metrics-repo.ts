// The SQL behind the operator's figures: per-binding alerts (dead, stale), the hub-wide snapshot /metrics reports, and
// the readiness probe's ping. Stale thresholds come in as binds: $1 binding names, $2 their minutes, $3 the default.
import type { Database, Sql } from '../db/database.ts';

/** Each binding's stale threshold: names, minutes (same order), and the minutes for bindings not named. */
export type ThresholdBinds = [string[], number[], number];

/** A CTE `cfg(binding, minutes)` from the binds above. */
const THRESHOLDS_CTE = `cfg as (select * from unnest($1::text[], $2::float8[]) as t(binding, minutes))`;

/** A CTE `stale(binding, n, oldest, cutoff)`: undelivered deliveries older than their binding's threshold. Needs `cfg`. */
const STALE_CTE = `stale as (
    select d.binding, count(*)::bigint as n, min(d.created_at) as oldest, max(now() - interval '1 minute' * coalesce(cfg.minutes, $3)) as cutoff,
      max(coalesce(cfg.minutes, $3)) as minutes
    from deliveries d left join cfg on cfg.binding = d.binding
    where d.status in ('pending', 'queued', 'delivering') and d.created_at < now() - interval '1 minute' * coalesce(cfg.minutes, $3)
    group by d.binding)`;

export interface AlertRow {
  kind: 'dead' | 'stale';
  binding: string;
  /** bigint: a string. */
  n: string;
  /** Seconds since the oldest was created. */
  oldest: number;
  minutes: number | null;
  ids: string[];
}

/** Every binding with dead or stale deliveries, dead first, then by binding; each with its `sample` oldest delivery ids. */
export async function alertRows(sql: Sql, thresholds: ThresholdBinds, sample: number): Promise<AlertRow[]> {
  return sql.rows<AlertRow>(
    `with ${THRESHOLDS_CTE}, ${STALE_CTE},
     dead as (select binding, count(*)::bigint as n, min(created_at) as oldest from deliveries where status = 'dead' group by binding)
     select 'dead' as kind, dead.binding, dead.n, extract(epoch from now() - dead.oldest)::float8 as oldest, null::float8 as minutes,
       array(select x.id from deliveries x where x.binding = dead.binding and x.status = 'dead' order by x.created_at limit $4) as ids
     from dead
     union all
     select 'stale', stale.binding, stale.n, extract(epoch from now() - stale.oldest)::float8, stale.minutes,
       array(select x.id from deliveries x where x.binding = stale.binding and x.status in ('pending', 'queued', 'delivering') and x.created_at < stale.cutoff
             order by x.created_at limit $4)
     from stale
     order by kind, binding`,
    [...thresholds, sample],
  );
}

export interface HubSnapshot {
  submissions: { service: string; n: number }[];
  deliveries: { binding: string; status: string; n: number; oldest: number }[];
  attempts: { binding: string; outcome: string; n: number }[];
  notifications: { channel: string; status: string; n: number }[];
  stale: { binding: string; n: number }[];
  /** Overdue tasks by service (services with none are left out). */
  overdue: { service: string; n: number }[];
}

/** Tasks past their target date, not done, of a process not finished (the partial index tasks_due finds them). */
const OVERDUE_TASKS = `tasks t join processes p on p.id = t.process_id
  where t.due_at < now() and t.status in ('open', 'in_progress') and p.status not in ('completed', 'closed')`;

export interface OverdueRow {
  service: string;
  /** bigint: a string. */
  n: string;
  oldest_due_at: Date;
  process_ids: string[];
}

/** Overdue tasks per service, by service; each with the processes of its `sample` longest-overdue tasks. */
export async function overdueRows(sql: Sql, sample: number): Promise<OverdueRow[]> {
  return sql.rows<OverdueRow>(
    `with o as (select p.service_id, t.process_id, t.due_at from ${OVERDUE_TASKS})
     select service_id as service, count(*)::bigint as n, min(due_at) as oldest_due_at,
       (array_agg(process_id order by due_at, process_id))[1:$1] as process_ids
     from o group by service_id order by service_id`,
    [sample],
  );
}

const SNAPSHOT_SQL = `with ${THRESHOLDS_CTE}, ${STALE_CTE},
  d as (select binding, status, count(*)::bigint as n, min(created_at) as oldest from deliveries group by binding, status)
  select
    (select coalesce(json_agg(json_build_object('service', service_id, 'n', n)), '[]'::json)
       from (select s.id as service_id, coalesce(c.n, 0) as n from services s
             left join (select service_id, count(*)::bigint as n from processes group by service_id) c on c.service_id = s.id) s) as submissions,
    (select coalesce(json_agg(json_build_object('binding', binding, 'status', status, 'n', n, 'oldest', extract(epoch from now() - oldest))), '[]'::json)
       from d) as deliveries,
    (select coalesce(json_agg(json_build_object('binding', binding, 'outcome', outcome, 'n', n)), '[]'::json)
       from (select d.binding, a.outcome, count(*)::bigint as n from delivery_attempts a join deliveries d on d.id = a.delivery_id group by 1, 2) x) as attempts,
    (select coalesce(json_agg(json_build_object('channel', channel, 'status', status, 'n', n)), '[]'::json)
       from (select channel, status, count(*)::bigint as n from notifications group by 1, 2) y) as notifications,
    (select coalesce(json_agg(json_build_object('binding', binding, 'n', n)), '[]'::json) from stale) as stale,
    (select coalesce(json_agg(json_build_object('service', service_id, 'n', n)), '[]'::json)
       from (select p.service_id, count(*)::bigint as n from ${OVERDUE_TASKS} group by p.service_id) o) as overdue`;

/** The hub-wide figures in one statement, which Postgres ends after `timeoutMs`. */
export async function hubSnapshot(db: Database, thresholds: ThresholdBinds, timeoutMs: number): Promise<HubSnapshot> {
  return db.transaction(async (tx) => {
    await tx.run(`set local statement_timeout = ${Number(timeoutMs)}`);
    const row = await tx.row<HubSnapshot>(SNAPSHOT_SQL, thresholds);
    return row!;
  });
}

/** Does Postgres answer? */
export async function pingDatabase(sql: Sql): Promise<void> {
  await sql.run('select 1');
}
