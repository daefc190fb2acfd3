// The outbox relay: moves pending delivery and notification rows from Postgres into BullMQ, and puts back any job Redis
// no longer holds (e.g. after a restart without persistence). Safe to run in every worker process at once:
// rows are claimed with SKIP LOCKED and job ids are row ids, so a job is never queued twice.
// When Redis comes back after a loss of connection (a restart without persistence loses every job), the relay sweeps at
// once, without waiting for rows to age past sweepAfterMs: delayed retries and queued jobs are back within seconds.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import type { RedisConnection } from '../redis.ts';
import { deliveryQueueName, NOTIFICATIONS_QUEUE, type Queues } from './queues.ts';

export interface RelayOptions {
  intervalMs: number;
  batchSize: number;
  /** Rows queued longer ago than this are checked against Redis by the sweep. */
  sweepAfterMs: number;
  sweepIntervalMs: number;
}

interface Outbox {
  table: 'deliveries' | 'notifications';
  pendingWhere: string;
  queueOf(row: { id: string; binding?: string }): string;
  inflight: string[];
}

const OUTBOXES: Outbox[] = [
  { table: 'deliveries', pendingWhere: `status = 'pending'`, queueOf: (r) => deliveryQueueName(r.binding!), inflight: ['queued', 'delivering'] },
  { table: 'notifications', pendingWhere: `status = 'pending' and not_before <= now()`, queueOf: () => NOTIFICATIONS_QUEUE, inflight: ['queued', 'sending'] },
];

export const OUTBOX_CHANNEL = 'closeloop_outbox';

/** Where a sweep pass is: rows are walked in (queued time, id) order, so rows queued in one batch (one timestamp) are not skipped. */
interface SweepCursor {
  /** The timestamp as Postgres wrote it (text keeps its microseconds; a JS Date would drop them). */
  since: string;
  id: string;
}

const SWEEP_START: SweepCursor = { since: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

export class Relay {
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private sweepCursor: Record<string, SweepCursor> = {};
  /** Redis has been ready once: a later 'ready' is a reconnection, after which jobs may be gone. */
  private wasReady = false;
  private reconnectSweep: Promise<void> | null = null;
  private readonly onRedisReady = () => {
    if (this.wasReady && !this.stopped) this.sweepAfterReconnect();
    this.wasReady = true;
  };

  constructor(
    private readonly sequelize: Sequelize,
    private readonly queues: Queues,
    private readonly redis: RedisConnection,
    private readonly log: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    this.wasReady = (this.redis as { status?: string }).status === 'ready';
    this.redis.on('ready', this.onRedisReady);
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.options.intervalMs);
    };
    tick();
    const sweep = () => {
      if (this.stopped) return;
      this.sweepOnce()
        .catch((err) => this.log.warn({ err }, 'outbox sweep failed'))
        .finally(() => {
          if (!this.stopped) this.sweepTimer = setTimeout(sweep, this.options.sweepIntervalMs);
        });
    };
    this.sweepTimer = setTimeout(sweep, this.options.sweepIntervalMs);
  }

  /** Relay now (called on a Postgres NOTIFY or a timer); overlapping calls coalesce into one more pass. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          let moved: number;
          do {
            moved = 0;
            for (const box of OUTBOXES) moved += await this.relayOnce(box);
          } while (moved > 0 && !this.stopped);
        } catch (err) {
          this.log.warn({ err }, 'outbox relay failed; will retry');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.off('ready', this.onRedisReady);
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await this.running;
    await this.reconnectSweep;
  }

  /**
   * After Redis reconnects: every in-flight row (whatever its age) whose job Redis no longer has is queued again, in
   * full passes. Its job runs at once (a retry's remaining backoff is not known here); the back office's idempotency makes
   * an early retry harmless.
   */
  private sweepAfterReconnect(): void {
    if (this.reconnectSweep) return;
    this.reconnectSweep = (async () => {
      let requeued = 0;
      try {
        const cursor: Record<string, SweepCursor> = {};
        for (;;) {
          requeued += await this.sweepOnce(0, cursor);
          if (Object.values(cursor).every((c) => c === SWEEP_START)) break;
        }
        this.log.warn({ requeued }, 'Redis reconnected: swept the outbox for lost jobs');
      } catch (err) {
        // The periodic sweep will do it later.
        this.log.warn({ err }, 'outbox sweep after a Redis reconnect failed');
      }
    })().finally(() => {
      this.reconnectSweep = null;
    });
  }

  /** Moves one batch of pending rows into their queues. Rows stay pending if Redis refuses them. */
  async relayOnce(box: Outbox): Promise<number> {
    return this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string; binding?: string }>(
        `select id${box.table === 'deliveries' ? ', binding' : ''} from ${box.table} where ${box.pendingWhere}
         order by created_at limit $1 for update skip locked`,
        { bind: [this.options.batchSize], type: QueryTypes.SELECT, transaction },
      );
      if (!rows.length) return 0;
      await this.enqueue(box, rows);
      await this.sequelize.query(`update ${box.table} set status = 'queued', updated_at = now()${box.table === 'deliveries' ? ', enqueued_at = now()' : ''} where id = any($1::uuid[])`, {
        bind: [rows.map((r) => r.id)],
        transaction,
      });
      return rows.length;
    });
  }

  private async enqueue(box: Outbox, rows: { id: string; binding?: string }[]): Promise<void> {
    const byQueue = new Map<string, string[]>();
    for (const r of rows) {
      const q = box.queueOf(r);
      byQueue.set(q, [...(byQueue.get(q) ?? []), r.id]);
    }
    await Promise.all(
      [...byQueue].map(([name, ids]) => this.queues.get(name).addBulk(ids.map((id) => ({ name: box.table, data: { id }, opts: { jobId: id } })))),
    );
  }

  /**
   * Finds in-flight rows (queued more than `afterMs` ago) whose job Redis no longer has, and queues them again; one batch
   * per outbox from `cursors` (advanced, or reset to the start when a pass ends). Returns how many were re-queued.
   */
  async sweepOnce(afterMs = this.options.sweepAfterMs, cursors: Record<string, SweepCursor> = this.sweepCursor): Promise<number> {
    let requeued = 0;
    for (const box of OUTBOXES) {
      const cursor = cursors[box.table] ?? SWEEP_START;
      const ts = box.table === 'deliveries' ? 'enqueued_at' : 'updated_at';
      const rows = await this.sequelize.query<{ id: string; binding?: string; since: string }>(
        `select id${box.table === 'deliveries' ? ', binding' : ''}, ${ts}::text as since from ${box.table}
         where status = any($1::text[]) and (${ts}, id) > ($2::timestamptz, $3::uuid)
           and ${ts} < now() - ($4::int * interval '1 millisecond')
         order by ${ts}, id limit $5`,
        { bind: [box.inflight, cursor.since, cursor.id, afterMs, this.options.batchSize], type: QueryTypes.SELECT },
      );
      // A full pass ends when a batch comes back short; the next pass starts from the beginning.
      const last = rows[rows.length - 1];
      cursors[box.table] = rows.length === this.options.batchSize && last ? { since: last.since, id: last.id } : SWEEP_START;
      if (!rows.length) continue;
      const pipeline = this.redis.pipeline();
      for (const r of rows) pipeline.exists(this.queues.jobKey(box.queueOf(r), r.id));
      const results = (await pipeline.exec()) ?? [];
      const missing = rows.filter((_, i) => results[i]?.[1] === 0);
      if (!missing.length) continue;
      await this.enqueue(box, missing);
      requeued += missing.length;
      this.log.warn({ table: box.table, count: missing.length }, 're-queued rows that Redis had lost');
    }
    return requeued;
  }
}
