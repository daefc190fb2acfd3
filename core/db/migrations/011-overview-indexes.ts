// The staff overview's recent figures at a hub's full history: a binding's deliveries in the last hour and day and its
// last success read the delivered deliveries of that binding by time (without this index, every delivered row of the
// binding ever); the failures of the last day read the attempts by time (without it, every attempt ever); the dead
// letters (the overview's and GET /api/v1/admin/alerts's) are counted from their own index, not a scan of every delivery.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create index deliveries_delivered_at on deliveries (binding, delivered_at) where status = 'delivered'`);
  await sql.query(`create index deliveries_dead on deliveries (binding, created_at) where status = 'dead'`);
  await sql.query(`create index delivery_attempts_failed_at on delivery_attempts (ended_at) where outcome <> 'delivered'`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop index if exists deliveries_delivered_at');
  await sql.query('drop index if exists deliveries_dead');
  await sql.query('drop index if exists delivery_attempts_failed_at');
};
