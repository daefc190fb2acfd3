// Operators replay dead deliveries (after fixing the back office or the mapping): they go back to the outbox as pending,
// with a fresh attempt budget; their attempt history and count are kept (the new round starts after `attempts`).
import { OUTBOX_CHANNEL } from '../jobs/index.ts';
import { QueryTypes, type Sequelize } from 'sequelize';

export async function replayDeliveries(
  sequelize: Sequelize,
  /** `services`: only deliveries of these services' processes (a council admin's scope); null or absent: any. */
  filter: { id?: string; binding?: string; services?: string[] | null },
  actor: string,
): Promise<string[]> {
  if (!filter.id && !filter.binding) throw new Error('replay needs a delivery id or a binding');
  const rows = await sequelize.query<{ id: string; process_id: string }>(
    `with r as (
       update deliveries set status = 'pending', attempts_before_replay = attempts, updated_at = now()
       where status = 'dead' and ($1::uuid is null or id = $1::uuid) and ($2::text is null or binding = $2::text)
         and ($4::text[] is null or process_id in (select id from processes where service_id = any($4::text[])))
         -- An erased process's delivery would send stand-ins and "[erased]" answers: never replayed.
         and not exists (select 1 from processes p where p.id = deliveries.process_id and p.erased_at is not null)
       returning id, process_id
     ), a as (
       insert into audit_events (actor, action, process_id, target, detail)
       select $3, 'delivery.replayed', process_id, id::text, '{}'::jsonb from r
     )
     select id, process_id, pg_notify('${OUTBOX_CHANNEL}', 'deliveries') from r`,
    { bind: [filter.id ?? null, filter.binding ?? null, actor, filter.services ?? null], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.id);
}
