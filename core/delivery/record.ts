// The SQL that records a delivery's progress. Each outcome is one statement, so it commits whole.
import { QueryTypes, type Sequelize } from 'sequelize';
import { NOTIFY_SQL } from '../notify/outbox-sql.ts';

export interface ClaimedDelivery {
  processId: string;
  binding: string;
  /** This attempt's number within the current round (resets on replay). */
  attempt: number;
  /** This attempt's number over the delivery's whole life (for the attempts log). */
  attemptNumber: number;
}

/** Marks a delivery as being delivered. Null if it is already delivered or dead (a stale or duplicate job). */
export async function claimDelivery(sequelize: Sequelize, id: string): Promise<ClaimedDelivery | null> {
  const rows = await sequelize.query<{ process_id: string; binding: string; attempts: number; total: number }>(
    `update deliveries set status = 'delivering', attempts = attempts + 1, updated_at = now()
     where id = $1 and status in ('pending', 'queued', 'delivering')
     returning process_id, binding, attempts, (select count(*)::int + 1 from delivery_attempts where delivery_id = $1) as total`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  const r = rows[0];
  return r ? { processId: r.process_id, binding: r.binding, attempt: r.attempts, attemptNumber: r.total } : null;
}

export interface AttemptRecord {
  deliveryId: string;
  number: number;
  startedAt: Date;
  error?: string;
  responseExcerpt?: string;
}

/** Logs the attempt only when the CTE `d` changed the delivery (a stale job records nothing). */
const INSERT_ATTEMPT_IF_D = `insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome, error, response_excerpt)
  select $1, $2, $3, now(), $4, $5, $6 where exists (select 1 from d)`;

/**
 * Delivered: the delivery, its attempt, the process's status and back-office reference, a citizen-visible timeline entry
 * and (when the citizen can be told) a notification, all in one statement.
 */
export async function recordDelivered(
  sequelize: Sequelize,
  a: AttemptRecord,
  externalRef: string | null,
  timelineText: string,
  notify: { channel: string | null; windowSeconds: number },
): Promise<boolean> {
  const rows = await sequelize.query<{ n: number }>(
    `with d as (
       update deliveries set status = 'delivered', external_ref = $7, delivered_at = now(), updated_at = now(), last_error = null
       where id = $1 and status = 'delivering' returning process_id, binding
     ), a as (
       ${INSERT_ATTEMPT_IF_D}
     ), p as (
       update processes set status = case when status = 'submitted' then 'received' else status end,
         external_ref = coalesce(external_ref, $7), updated_at = now()
       where id = (select process_id from d) returning id, status, contact
     ), e as (
       insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor)
       select d.process_id, 'received', true, $8, jsonb_build_object('binding', d.binding, 'externalRef', $7::text), 'system' from d
     ), n as (
       ${NOTIFY_SQL('(select id from p)', '(select contact from p)', '$9', '$8', '$10')}
     )
     select (select count(*)::int from d) as n, pg_notify('closeloop_outbox', '')`,
    {
      bind: [a.deliveryId, a.number, a.startedAt, 'delivered', null, a.responseExcerpt ?? null, externalRef, timelineText, notify.channel, notify.windowSeconds],
      type: QueryTypes.SELECT,
    },
  );
  return (rows[0]?.n ?? 0) > 0;
}

/** A failed attempt that will be retried. */
export async function recordRetry(sequelize: Sequelize, a: AttemptRecord): Promise<void> {
  await sequelize.query(
    `with d as (update deliveries set status = 'queued', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id)
     ${INSERT_ATTEMPT_IF_D}`,
    { bind: [a.deliveryId, a.number, a.startedAt, 'retry', a.error ?? null, a.responseExcerpt ?? null] },
  );
}

/** A failed attempt that ends the delivery: permanent error or no attempts left. */
export async function recordDead(sequelize: Sequelize, a: AttemptRecord): Promise<void> {
  await sequelize.query(
    `with d as (update deliveries set status = 'dead', last_error = $5, updated_at = now() where id = $1 and status = 'delivering' returning id)
     ${INSERT_ATTEMPT_IF_D}`,
    { bind: [a.deliveryId, a.number, a.startedAt, 'dead', a.error ?? null, a.responseExcerpt ?? null] },
  );
}

