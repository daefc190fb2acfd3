// The outbox tables under load, found with pg_stat_statements and EXPLAIN ANALYZE under `npm run bench`:
// - the relay takes due messages in the order of their pending index (not_before), so a claim reads only the rows it
//   takes (ordering by created_at read and sorted every due message);
// - the sweep looks for in-flight messages by (updated_at, id); without an index it read the whole table every 15 s
//   per worker process, a table that grows with every message ever sent;
// - every row leaves its outbox's partial "pending" index by an update, leaving a dead index entry behind until a
//   vacuum. With the default thresholds (20% of the table) a busy hub's claims waded through tens of thousands of dead
//   entries (7–12 ms per claim after a surge); vacuuming these two tables after a fixed number of changes keeps a claim
//   at a fraction of a millisecond. (autovacuum_naptime, 1 minute by default, bounds how often it can run.)
import type { Migration } from '../migration-types.ts';

const OUTBOX_VACUUM = `autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
  autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000, autovacuum_vacuum_cost_delay = 0`;

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create index notifications_inflight on notifications (updated_at, id) where status in ('queued', 'sending')`);
  await sql.query(`alter table notifications set (${OUTBOX_VACUUM})`);
  await sql.query(`alter table deliveries set (${OUTBOX_VACUUM})`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop index if exists notifications_inflight');
  for (const table of ['notifications', 'deliveries']) {
    await sql.query(`alter table ${table} reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
      autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_delay)`);
  }
};
