// Operators replay dead deliveries (after fixing the back office or the mapping): they go back to the outbox as pending,
// with a fresh attempt budget; their attempt history is kept.
import { QueryTypes, type Sequelize } from 'sequelize';

export async function replayDeliveries(
  sequelize: Sequelize,
  filter: { id?: string; binding?: string },
  actor: string,
): Promise<string[]> {
  if (!filter.id && !filter.binding) throw new Error('replay needs a delivery id or a binding');
  const rows = await sequelize.query<{ id: string; process_id: string }>(
    `with r as (
       update deliveries set status = 'pending', attempts = 0, updated_at = now()
       where status = 'dead' and ($1::uuid is null or id = $1::uuid) and ($2::text is null or binding = $2::text)
       returning id, process_id
     ), a as (
       insert into audit_events (actor, action, process_id, target, detail)
       select $3, 'delivery.replayed', process_id, id::text, '{}'::jsonb from r
     )
     select id, process_id, pg_notify('closeloop_outbox', '') from r`,
    { bind: [filter.id ?? null, filter.binding ?? null, actor], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.id);
}
