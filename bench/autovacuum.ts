// Autovacuum's work, done by the harness when the server has autovacuum off (this machine's shared Postgres). A
// council's Postgres runs autovacuum; without it the outbox tables are never vacuumed, the relay's claims read past
// every dead entry their rows' moves left in the pending indexes, and a phase pays for the phases before it (with the
// 420,000 dead messages a full run leaves, a claim read 175 index pages, 5.7 ms, to find no message at all).
//
// As one pass of autovacuum's launcher would: each table of the bench database whose dead rows exceed its vacuum
// threshold (autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × its rows, the table's own settings first,
// as migrations 005 and 024 set them for the outboxes) is vacuumed, and each whose changes since the last analyse
// exceed its analyse threshold is analysed, one table at a time, at autovacuum's cost-based pace. The bench runs a pass
// before each measured run rather than every naptime: on a 60 s timer a pass landed inside some runs and not others
// (an analyse of the form copies' table took 1.6 s of the first run at a million cases), so a run's figures depended
// on where the timer fell. Its work is therefore not in any run's CPU; it is logged with its time. Not done: the
// vacuums autovacuum starts for inserts alone (visibility map, freezing), which no phase here depends on.
import pg from 'pg';

/** The application_name of the stand-in's connection: the activity samples count its waits as autovacuum's. */
export const AUTOVACUUM_STAND_IN = 'bench: autovacuum stand-in';

interface Candidate {
  table: string;
  vacuum: boolean;
  analyze: boolean;
  /** The table's own autovacuum_vacuum_cost_delay (ms), when it has one. */
  costDelay: string | null;
}

// Postgres's thresholds, read from pg_settings and each table's reloptions, in one statement.
const CANDIDATES = `
  with s as (
    select current_setting('autovacuum_vacuum_threshold')::float8 as vt, current_setting('autovacuum_vacuum_scale_factor')::float8 as vs,
      current_setting('autovacuum_analyze_threshold')::float8 as at, current_setting('autovacuum_analyze_scale_factor')::float8 as as_
  ), t as (
    select c.relname, greatest(c.reltuples, 0) as tuples, st.n_dead_tup as dead, st.n_mod_since_analyze as changed,
      (select option_value from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_vacuum_threshold')::float8 as vt,
      (select option_value from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_vacuum_scale_factor')::float8 as vs,
      (select option_value from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_analyze_threshold')::float8 as at,
      (select option_value from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_analyze_scale_factor')::float8 as as_,
      (select option_value from pg_options_to_table(c.reloptions) where option_name = 'autovacuum_vacuum_cost_delay') as cost_delay
    from pg_class c join pg_stat_user_tables st on st.relid = c.oid
  )
  select t.relname as table, t.cost_delay as "costDelay",
    t.dead > coalesce(t.vt, s.vt) + coalesce(t.vs, s.vs) * t.tuples as vacuum,
    t.changed > coalesce(t.at, s.at) + coalesce(t.as_, s.as_) * t.tuples as analyze
  from t, s`;

export interface AutovacuumStandIn {
  /** One pass over the tables; returns what it did ('' for nothing). */
  pass(): Promise<string>;
  stop(): Promise<void>;
}

export async function standInForAutovacuum(dbUrl: string): Promise<AutovacuumStandIn> {
  const client = new pg.Client({ connectionString: dbUrl, application_name: AUTOVACUUM_STAND_IN });
  await client.connect();
  return {
    async pass() {
      const { rows } = await client.query<Candidate>(CANDIDATES);
      const done: string[] = [];
      for (const c of rows.filter((r) => r.vacuum || r.analyze)) {
        // Autovacuum's pace (autovacuum_vacuum_cost_delay, 2 ms by default), or the table's own (0 for the outboxes).
        await client.query(`set vacuum_cost_delay = '${c.costDelay ?? '2'}ms'`);
        const t0 = Date.now();
        await client.query(c.vacuum ? `vacuum ${c.analyze ? '(analyze) ' : ''}"${c.table}"` : `analyze "${c.table}"`);
        done.push(`${c.vacuum ? 'vacuum' : ''}${c.vacuum && c.analyze ? ' and ' : ''}${c.analyze ? 'analyse' : ''} ${c.table} ${Date.now() - t0} ms`);
      }
      return done.join(', ');
    },
    async stop() {
      await client.end();
    },
  };
}
