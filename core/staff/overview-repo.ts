// The SQL of the staff overview's figures that /metrics does not have: deliveries and failures in recent windows, the
// last success per binding, and submissions per service today and this week (days and weeks of the UK's clock).
import type { Sql } from '../db/database.ts';

export interface BindingWindowRow {
  binding: string;
  delivered_hour: number;
  delivered_day: number;
  failed_day: number;
  last_success: Date | null;
}

export async function bindingWindows(sql: Sql, bindings: string[]): Promise<BindingWindowRow[]> {
  return sql.rows<BindingWindowRow>(
    `select b.binding,
       (select count(*) from deliveries d where d.binding = b.binding and d.status = 'delivered' and d.delivered_at > now() - interval '1 hour')::int as delivered_hour,
       (select count(*) from deliveries d where d.binding = b.binding and d.status = 'delivered' and d.delivered_at > now() - interval '1 day')::int as delivered_day,
       (select count(*) from delivery_attempts a join deliveries d on d.id = a.delivery_id
         where d.binding = b.binding and a.outcome <> 'delivered' and a.ended_at > now() - interval '1 day')::int as failed_day,
       (select max(d.delivered_at) from deliveries d where d.binding = b.binding and d.status = 'delivered') as last_success
     from unnest($1::text[]) as b(binding)`,
    [bindings],
  );
}

export interface BindingQueueRow {
  binding: string;
  status: 'pending' | 'queued' | 'delivering' | 'dead';
  n: number;
  /** Seconds since the oldest was created. */
  oldest: number;
}

/**
 * Per binding, the deliveries not delivered (by status) and the oldest's age: read from the (binding, status, created_at)
 * index, so only the undelivered and dead rows are touched, not every delivery ever made (as /metrics's snapshot does).
 */
export async function bindingQueues(sql: Sql, bindings: string[]): Promise<BindingQueueRow[]> {
  return sql.rows<BindingQueueRow>(
    `select d.binding, d.status, count(*)::int as n, extract(epoch from now() - min(d.created_at))::float8 as oldest
     from deliveries d
     where d.binding = any($1::text[]) and d.status in ('pending', 'queued', 'delivering', 'dead')
     group by d.binding, d.status`,
    [bindings],
  );
}

export interface ServiceSubmissionsRow {
  service_id: string;
  today: number;
  week: number;
}

/**
 * Submissions today and this week per service, in one pass over the week's cases (a service with none has no row). Not
 * one count per service and window: each of those read every case of the window and kept its service's, so with 21
 * services and 60,000 cases sent today (the bench's full run) the overview took 11 s and Postgres 1.3 cores.
 */
export async function serviceSubmissions(sql: Sql, services: string[]): Promise<ServiceSubmissionsRow[]> {
  return sql.rows<ServiceSubmissionsRow>(
    // The day's and week's starts are written out (not taken from a CTE): the planner then estimates from their values
    // (a week's cases) instead of guessing a third of the table. The day is within the week (weeks start on Monday).
    `select p.service_id,
       count(*) filter (where p.submitted_at >= (date_trunc('day', now() at time zone 'Europe/London') at time zone 'Europe/London'))::int as today,
       count(*)::int as week
     from processes p
     where p.service_id = any($1::text[])
       and p.submitted_at >= (date_trunc('week', now() at time zone 'Europe/London') at time zone 'Europe/London')
     group by p.service_id`,
    [services],
  );
}
