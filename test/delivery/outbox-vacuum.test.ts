// Every outbox table is vacuumed as a queue (migrations 005 and 024): once a few thousand of its rows have moved on,
// however large the table, so the relay's claims do not read past the dead entries those moves leave at the old end of
// the pending index. On a private Postgres with autovacuum on (the machine's shared one has it off), checking every
// second; an ordinary table with the same rows and moves is the control.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectDatabase, type Database } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { OUTBOX_TABLES, OUTBOX_VACUUM_THRESHOLD } from '../../core/db/migrations/024-outbox-vacuum.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../chaos/support/postgres.ts';

// Big enough that the moves are under 20% of the table (the default threshold an ordinary table keeps), no bigger: the
// fill is most of the test's time.
const ROWS = 40_000;
const MOVED = OUTBOX_VACUUM_THRESHOLD + 1000;

/** Each outbox's required columns for a row of its own (foreign keys are off in the filling session). */
const FILL: Record<string, { columns: string; values: string; moved: string }> = {
  notifications: {
    columns: 'id, process_id, channel, kind, status, not_before',
    values: `gen_random_uuid(), gen_random_uuid(), 'email', 'submitted', case when i <= $2 then 'pending' else 'sent' end, now() - interval '1 hour' + i * interval '1 ms'`,
    moved: 'sent',
  },
  deliveries: {
    columns: 'id, process_id, binding, status, created_at',
    values: `gen_random_uuid(), gen_random_uuid(), 'b', case when i <= $2 then 'pending' else 'delivered' end, now() - interval '1 hour' + i * interval '1 ms'`,
    moved: 'delivered',
  },
  update_deliveries: {
    columns: 'id, message_id, process_id, binding, status, created_at',
    values: `gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'b', case when i <= $2 then 'pending' else 'delivered' end, now() - interval '1 hour' + i * interval '1 ms'`,
    moved: 'delivered',
  },
  subscription_deliveries: {
    columns: 'subscription_id, event_type, process_id, payload, status, created_at',
    values: `gen_random_uuid(), 'process.updated', gen_random_uuid(), '{}', case when i <= $2 then 'pending' else 'delivered' end, now() - interval '1 hour' + i * interval '1 ms'`,
    moved: 'delivered',
  },
};

describe('outbox tables are vacuumed as queues', () => {
  let postgres: PrivatePostgres;
  let db: Database;
  let admin: pg.Client;
  before(async () => {
    postgres = await startPrivatePostgres();
    admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('create database closeloop');
    await admin.query(`alter system set autovacuum_naptime = '1s'`);
    await admin.query('select pg_reload_conf()');
    db = connectDatabase({ url: postgres.url, poolMax: 2 });
    await migrate(db, { channels: {} });
  });
  after(async () => {
    await db?.close();
    await admin?.end();
    await postgres?.destroy();
  });

  test(`each ${ROWS.toLocaleString('en-GB')}-row outbox is vacuumed once ${MOVED.toLocaleString('en-GB')} of its rows have moved on; an ordinary table is not`, async () => {
    assert.deepEqual(Object.keys(FILL).sort(), [...OUTBOX_TABLES].sort());
    const c = new pg.Client({ connectionString: postgres.url });
    await c.connect();
    try {
      await c.query('set session_replication_role = replica');
      await c.query('create table ordinary (like notifications including all)');
      const tables = [...OUTBOX_TABLES, 'ordinary'];
      const fill = (t: string) => FILL[t === 'ordinary' ? 'notifications' : t]!;
      for (const t of tables) await c.query(`insert into ${t} (${fill(t).columns}) select ${fill(t).values} from generate_series(1, $1) i`, [ROWS, MOVED]);
      // The inserts' counts reach the shared statistics now, before the vacuum below resets them, and not after it.
      await c.query('select pg_stat_force_next_flush()');
      // Vacuumed by hand once filled: autovacuum also comes for a table's inserts, and it is the moves that count here.
      for (const t of tables) await c.query(`vacuum (analyze) ${t}`);
      const vacuums = async (t: string) =>
        Number((await c.query('select autovacuum_count from pg_stat_user_tables where relname = $1', [t])).rows[0].autovacuum_count);
      // Counted before the moves: autovacuum may have come for the inserts, but none can yet have come for the moves,
      // whose dead rows it sees only once their transaction has committed (below).
      const since = new Map<string, number>();
      for (const t of tables) since.set(t, await vacuums(t));
      const claimReads = async () => {
        const { rows } = await c.query(
          `explain (analyze, buffers, format json) select id from notifications where status = 'pending' and not_before <= now()
           order by not_before limit 50 for update skip locked`,
        );
        const plan = rows[0]['QUERY PLAN'][0].Plan as Record<string, number>;
        assert.match(JSON.stringify(rows[0]), /notifications_pending/, 'the claim reads the pending index');
        return plan['Shared Hit Blocks']! + plan['Shared Read Blocks']!;
      };
      // The oldest rows are sent or delivered, as the relay and the workers move them: their pending entries die. The
      // claim is measured inside the moves' transaction, so that no vacuum can come between the moves and the measure.
      await c.query('begin');
      for (const t of tables) await c.query(`update ${t} set status = '${fill(t).moved}' where status = 'pending'`);
      const before = await claimReads();
      await c.query('commit');
      assert.ok(before > 15, `before a vacuum the relay's claim reads past ${MOVED} dead entries (${before} pages)`);

      const deadline = Date.now() + 60_000;
      for (const t of OUTBOX_TABLES) {
        while ((await vacuums(t)) === since.get(t)) {
          assert.ok(Date.now() < deadline, `autovacuum vacuumed ${t} within 60 s`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      // Autovacuum has been round at least twice more since: the ordinary table, under 20% dead, was left alone.
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(
        await vacuums('ordinary'),
        since.get('ordinary'),
        `an ordinary table with the same rows and moves is not vacuumed (20% of ${ROWS.toLocaleString('en-GB')} is its threshold)`,
      );
      const afterVacuum = await claimReads();
      assert.ok(afterVacuum <= 3, `after the vacuum the relay's claim reads ${afterVacuum} page(s)`);
    } finally {
      await c.end();
    }
  });
});
