// The two outboxes added after migration 005 (citizens' update deliveries, 019; subscription deliveries, 020) are
// vacuumed as 005 has the first two vacuumed: after a fixed number of dead rows, not after 20% of the table. Each of
// their rows leaves its partial pending index by an update, and the dead entries left at the index's old end are read
// by every claim until a vacuum removes them (see 005 for what that cost the first two).
import type { Migration } from '../migration-types.ts';

/** The outbox tables, all four vacuumed alike from here on. */
export const OUTBOX_TABLES = ['deliveries', 'notifications', 'update_deliveries', 'subscription_deliveries'];

/** Dead rows that start a vacuum of an outbox table, as 005 set them. */
export const OUTBOX_VACUUM_THRESHOLD = 5000;

// The same settings as 005's (a migration is frozen once released, so they are written out again here).
const OUTBOX_VACUUM = `autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = ${OUTBOX_VACUUM_THRESHOLD},
  autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000, autovacuum_vacuum_cost_delay = 0`;

export const up: Migration = async ({ context: sql }) => {
  for (const table of ['update_deliveries', 'subscription_deliveries']) await sql.query(`alter table ${table} set (${OUTBOX_VACUUM})`);
};

export const down: Migration = async ({ context: sql }) => {
  for (const table of ['update_deliveries', 'subscription_deliveries']) {
    await sql.query(`alter table ${table} reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
      autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_delay)`);
  }
};
