// A replay used to reset a delivery's `attempts` to 0 (for a fresh retry budget), so a replayed delivery showed fewer
// attempts than its attempt log listed. Now `attempts` counts every try over the delivery's life and a replay records
// where its round started: the budget is `attempts - attempts_before_replay`.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query('alter table deliveries add column attempts_before_replay int not null default 0');
  // Deliveries replayed before this migration: their tries are the logged ones (plus one in flight); keep the current
  // round's count as it was, so their budget does not change.
  await sql.query(`
    with counted as (
      select d.id, greatest(d.attempts, a.logged + case when d.status = 'delivering' then 1 else 0 end) as total
      from deliveries d join (select delivery_id, count(*)::int as logged from delivery_attempts group by delivery_id) a on a.delivery_id = d.id
    )
    update deliveries d set attempts_before_replay = counted.total - d.attempts, attempts = counted.total
    from counted where counted.id = d.id and counted.total > d.attempts`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('update deliveries set attempts = attempts - attempts_before_replay where attempts_before_replay > 0');
  await sql.query('alter table deliveries drop column attempts_before_replay');
};
