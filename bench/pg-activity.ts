// What Postgres was doing during one run of a phase, so a tail can be put down to a cause: checkpoints finished (and how
// much of the run a checkpoint was in progress), vacuum runs on the bench database's tables, and what its active
// backends were waiting on, sampled from pg_stat_activity every 100 ms.
import pg from 'pg';
import { AUTOVACUUM_STAND_IN } from './autovacuum.ts';

export interface PgActivity {
  /** Checkpoints finished during the run (cluster-wide: a checkpoint writes every database's pages). */
  checkpoints: { timed: number; requested: number; buffers: number; writeMs: number; syncMs: number };
  /** Samples in which the checkpointer was writing or syncing (not idle), of `samples`. */
  checkpointingSamples: number;
  /** Autovacuum and autoanalyze runs per table of the bench database (pg_stat_user_tables deltas). */
  autovacuum: Record<string, number>;
  autoanalyze: Record<string, number>;
  /** Vacuum and analyse runs not by autovacuum: with autovacuum off, the harness's stand-in for it (bench/autovacuum.ts). */
  vacuum: Record<string, number>;
  analyze: Record<string, number>;
  /** Backend-samples per wait event of the bench database's active backends ('CPU': active, waiting on nothing). */
  waits: Record<string, number>;
  samples: number;
  /**
   * The longest one backend was seen waiting on one event (consecutive samples, about 100 ms each): a stall that the
   * counts of `waits` spread thin, e.g. one commit waiting 400 ms for the disk.
   */
  longestWait: { wait: string; samples: number } | null;
  /** The longest time between two samples: well over 100 ms means the sampler itself was held up (a stalled machine). */
  longestSampleGapMs: number;
  /** Dead rows in the outbox tables at the end of the run. */
  deadRows: Record<string, number>;
  /**
   * WAL written during the run (pg_stat_wal, cluster-wide): its bytes and the full-page images in it. The first change
   * to a page after a checkpoint writes the whole 8 KB page, so a phase that touches many pages once pays in WAL.
   */
  wal: { bytes: number; fullPageImages: number; records: number };
  /** The bench database's blocks found in shared buffers and read from outside them (pg_stat_database). */
  blocks: { hit: number; read: number };
}

interface Counters {
  checkpoints: PgActivity['checkpoints'];
  wal: PgActivity['wal'];
  blocks: PgActivity['blocks'];
  tables: Map<string, { autovacuum: number; autoanalyze: number; vacuum: number; analyze: number; dead: number }>;
}

const SAMPLE_MS = 100;
const OUTBOX_TABLES = ['deliveries', 'notifications'];

export interface PostgresWatch {
  /** Server facts to print once: version and whether autovacuum is on. */
  server: { version: string; autovacuum: boolean };
  /** Backend pids of the watch's own connections (the bench leaves them out of the hub's CPU). */
  pids: number[];
  start(): Promise<void>;
  stop(): Promise<PgActivity>;
  close(): Promise<void>;
}

/**
 * Opens two connections: one to the admin database for the samples (so the sampler is not a backend of the bench
 * database) and one to the bench database for its table statistics. `exclude` gives other harness backends to leave out.
 */
export async function watchPostgres(adminUrl: string, dbUrl: string, dbName: string, exclude: () => number[]): Promise<PostgresWatch> {
  const admin = new pg.Client({ connectionString: adminUrl });
  const bench = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  await bench.connect();
  const { rows: facts } = await admin.query(
    `select current_setting('server_version') as version, current_setting('server_version_num')::int as num, current_setting('autovacuum') = 'on' as autovacuum`,
  );
  const { version, num, autovacuum } = facts[0] as { version: string; num: number; autovacuum: boolean };
  // Postgres 17 moved the checkpointer's counters from pg_stat_bgwriter to pg_stat_checkpointer.
  const checkpointSql =
    num >= 170000
      ? `select num_timed as timed, num_requested as requested, buffers_written as buffers, write_time as write, sync_time as sync from pg_stat_checkpointer`
      : `select checkpoints_timed as timed, checkpoints_req as requested, buffers_checkpoint as buffers, checkpoint_write_time as write, checkpoint_sync_time as sync from pg_stat_bgwriter`;
  const own = [
    (await admin.query('select pg_backend_pid() as pid')).rows[0].pid as number,
    (await bench.query('select pg_backend_pid() as pid')).rows[0].pid as number,
  ];

  async function counters(): Promise<Counters> {
    const { rows: c } = await admin.query(checkpointSql);
    const r = c[0] as Record<string, string | number>;
    const { rows: w } = await admin.query(
      `select wal_bytes::float8 as bytes, wal_fpi::float8 as fpi, wal_records::float8 as records, d.blks_hit::float8 as hit, d.blks_read::float8 as read
       from pg_stat_wal, pg_stat_database d where d.datname = $1`,
      [dbName],
    );
    const v = w[0] as Record<string, number>;
    // pg_stat_user_tables is per database: hence the connection to the bench database.
    const { rows: t } = await bench.query(
      `select relname, autovacuum_count::int as av, autoanalyze_count::int as aa, vacuum_count::int as v, analyze_count::int as a, n_dead_tup::int as dead
       from pg_stat_user_tables`,
    );
    return {
      checkpoints: { timed: Number(r.timed), requested: Number(r.requested), buffers: Number(r.buffers), writeMs: Number(r.write), syncMs: Number(r.sync) },
      wal: { bytes: v.bytes!, fullPageImages: v.fpi!, records: v.records! },
      blocks: { hit: v.hit!, read: v.read! },
      tables: new Map(
        t.map((row) => [
          row.relname as string,
          { autovacuum: row.av as number, autoanalyze: row.aa as number, vacuum: row.v as number, analyze: row.a as number, dead: row.dead as number },
        ]),
      ),
    };
  }

  let before: Counters | undefined;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let current = fresh();
  function fresh() {
    return {
      waits: new Map<string, number>(),
      samples: 0,
      checkpointing: 0,
      /** Each backend's current run of samples on one wait event. */
      streaks: new Map<number, { wait: string; samples: number }>(),
      longestWait: null as { wait: string; samples: number } | null,
      lastSampleAt: 0,
      longestGapMs: 0,
    };
  }

  async function sample() {
    if (busy) return; // the previous sample is still out: skip rather than queue
    busy = true;
    try {
      const { rows } = await admin.query(
        `select pid, backend_type, application_name, coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait
         from pg_stat_activity
         where (datname = $1 and state = 'active' and backend_type in ('client backend', 'autovacuum worker') and not (pid = any($2::int[])))
            or backend_type = 'checkpointer'`,
        [dbName, [...own, ...exclude()]],
      );
      current.samples++;
      const now = performance.now();
      if (current.lastSampleAt) current.longestGapMs = Math.max(current.longestGapMs, now - current.lastSampleAt);
      current.lastSampleAt = now;
      const streaks = new Map<number, { wait: string; samples: number }>();
      for (const row of rows as { pid: number; backend_type: string; application_name: string; wait: string }[]) {
        if (row.backend_type === 'checkpointer') {
          // Idle, it waits on CheckpointerMain; anything else is a checkpoint (or a restartpoint) at work.
          if (row.wait !== 'Activity:CheckpointerMain') current.checkpointing++;
          continue;
        }
        const key = row.backend_type === 'autovacuum worker' || row.application_name === AUTOVACUUM_STAND_IN ? `autovacuum ${row.wait}` : row.wait;
        current.waits.set(key, (current.waits.get(key) ?? 0) + 1);
        if (key === 'CPU') continue;
        const previous = current.streaks.get(row.pid);
        const streak = { wait: key, samples: previous?.wait === key ? previous.samples + 1 : 1 };
        streaks.set(row.pid, streak);
        if (streak.samples > (current.longestWait?.samples ?? 0)) current.longestWait = streak;
      }
      current.streaks = streaks;
    } catch {
      // the connection is closing at the end of the bench
    } finally {
      busy = false;
    }
  }

  return {
    server: { version, autovacuum },
    pids: own,
    async start() {
      before = await counters();
      current = fresh();
      timer = setInterval(() => void sample(), SAMPLE_MS);
    },
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 5));
      const after = await counters();
      const b = before!;
      const delta = (key: 'autovacuum' | 'autoanalyze' | 'vacuum' | 'analyze') =>
        Object.fromEntries([...after.tables].map(([table, n]) => [table, n[key] - (b.tables.get(table)?.[key] ?? 0)] as const).filter(([, n]) => n > 0));
      return {
        checkpoints: {
          timed: after.checkpoints.timed - b.checkpoints.timed,
          requested: after.checkpoints.requested - b.checkpoints.requested,
          buffers: after.checkpoints.buffers - b.checkpoints.buffers,
          writeMs: after.checkpoints.writeMs - b.checkpoints.writeMs,
          syncMs: after.checkpoints.syncMs - b.checkpoints.syncMs,
        },
        checkpointingSamples: current.checkpointing,
        autovacuum: delta('autovacuum'),
        autoanalyze: delta('autoanalyze'),
        vacuum: delta('vacuum'),
        analyze: delta('analyze'),
        waits: Object.fromEntries([...current.waits].sort((x, y) => y[1] - x[1])),
        samples: current.samples,
        longestWait: current.longestWait,
        longestSampleGapMs: Math.round(current.longestGapMs),
        deadRows: Object.fromEntries(OUTBOX_TABLES.map((t) => [t, after.tables.get(t)?.dead ?? 0])),
        wal: {
          bytes: after.wal.bytes - b.wal.bytes,
          fullPageImages: after.wal.fullPageImages - b.wal.fullPageImages,
          records: after.wal.records - b.wal.records,
        },
        blocks: { hit: after.blocks.hit - b.blocks.hit, read: after.blocks.read - b.blocks.read },
      };
    },
    async close() {
      clearInterval(timer);
      await admin.end();
      await bench.end();
    },
  };
}

/** One line for the printed table: "checkpoints 0 (checkpointing 40% of the run); autovacuum none; waits …". */
export function describeActivity(a: PgActivity, autovacuumOn: boolean): string {
  const c = a.checkpoints;
  const done = c.timed + c.requested;
  const checkpoint =
    `checkpoints ${done}${done ? ` (${c.timed} timed, ${c.requested} requested, ${c.buffers} buffers, write ${(c.writeMs / 1000).toFixed(1)} s, sync ${(c.syncMs / 1000).toFixed(1)} s)` : ''}` +
    `, checkpointing ${a.samples ? Math.round((a.checkpointingSamples / a.samples) * 100) : 0}% of samples`;
  const runs = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([t, n]) => `${t}×${n}`)
      .join(' ') || 'none';
  const vacuum = autovacuumOn
    ? `autovacuum ${runs(a.autovacuum)}, autoanalyze ${runs(a.autoanalyze)}`
    : `autovacuum off on this server (its stand-in runs before each run), vacuumed in the run ${runs(a.vacuum)}, analysed ${runs(a.analyze)}`;
  const waits =
    Object.entries(a.waits)
      .slice(0, 6)
      .map(([w, n]) => `${w} ${n}`)
      .join(', ') || 'no active backend seen';
  const dead = Object.entries(a.deadRows)
    .map(([t, n]) => `${t} ${n.toLocaleString('en-GB')}`)
    .join(', ');
  const longest = a.longestWait ? `${a.longestWait.wait} for ${a.longestWait.samples} sample(s) in a row` : 'none';
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const wal = `WAL ${(a.wal.bytes / 1048576).toFixed(1)} MB (${n(a.wal.records)} records, ${n(a.wal.fullPageImages)} full-page images)`;
  const blocks = `blocks read from outside shared buffers ${n(a.blocks.read)} of ${n(a.blocks.read + a.blocks.hit)}`;
  return (
    `${checkpoint}; ${wal}; ${blocks}; ${vacuum}; active backends' waits over ${a.samples} samples: ${waits}; longest wait of one backend: ${longest}; ` +
    `longest gap between samples ${a.longestSampleGapMs} ms; outbox dead rows: ${dead}`
  );
}
