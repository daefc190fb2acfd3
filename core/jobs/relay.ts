// The outbox relay: moves pending delivery and notification rows from Postgres into BullMQ, and puts back any job Redis
// no longer holds (e.g. after a restart without persistence). Safe to run in every worker process at once:
// rows are claimed with SKIP LOCKED and job ids are row ids, so a job is never queued twice.
// When Redis comes back after a loss of connection (a restart without persistence loses every job), the relay sweeps at
// once, without waiting for rows to age past sweepAfterMs: delayed retries and queued jobs are back within seconds.
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import type { RedisConnection } from '../redis.ts';
import { deliveryQueueName, NOTIFICATIONS_QUEUE, SUBSCRIPTIONS_QUEUE, updateQueueName, type Queues } from './queues.ts';
import type { OutboxName } from './outbox-channel.ts';
import { claimPending, inflightRows, putBackPending, type InflightCursor, type OutboxRow } from './outbox-repo.ts';

export interface RelayOptions {
  intervalMs: number;
  batchSize: number;
  /** Rows queued longer ago than this are checked against Redis by the sweep. */
  sweepAfterMs: number;
  sweepIntervalMs: number;
}

interface Outbox {
  table: OutboxName;
  queueOf(row: OutboxRow): string;
}

const OUTBOXES: Outbox[] = [
  { table: 'deliveries', queueOf: (r) => deliveryQueueName(r.binding!) },
  { table: 'update_deliveries', queueOf: (r) => updateQueueName(r.binding!) },
  { table: 'notifications', queueOf: () => NOTIFICATIONS_QUEUE },
  { table: 'subscription_deliveries', queueOf: () => SUBSCRIPTIONS_QUEUE },
];

/** Where a sweep pass is: rows are walked in (queued time, id) order, so rows queued in one batch (one timestamp) are not skipped. */
type SweepCursor = InflightCursor;

const SWEEP_START: SweepCursor = { since: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

export class Relay {
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Outboxes asked for since the current pass began. */
  private readonly dirty = new Set<Outbox>();
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
    private readonly db: Database,
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

  /**
   * Relay now (called on a Postgres NOTIFY naming one outbox, or by the timer for both); overlapping calls coalesce
   * into one more pass over the outboxes asked for.
   */
  kick(only?: OutboxName): void {
    for (const box of OUTBOXES) if (!only || box.table === only) this.dirty.add(box);
    if (this.running) return;
    this.running = (async () => {
      while (this.dirty.size && !this.stopped) {
        const boxes = [...this.dirty];
        this.dirty.clear();
        try {
          for (const box of boxes) {
            // A full batch means there may be more: go on until a batch comes back short.
            while ((await this.relayOnce(box)) === this.options.batchSize && !this.stopped);
          }
        } catch (err) {
          this.log.warn({ err }, 'outbox relay failed; will retry');
        }
      }
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

  /**
   * Moves one batch of pending rows into their queues: one statement claims them (queued), then Redis gets their jobs.
   * If Redis refuses, the rows go back to pending for the next pass; if this process dies in between, the sweep finds
   * the queued rows Redis does not hold and queues them again. Job ids are row ids, so a job is never queued twice.
   */
  async relayOnce(box: Outbox): Promise<number> {
    const rows = await claimPending(this.db, box.table, this.options.batchSize);
    if (!rows.length) return 0;
    try {
      await this.enqueue(box, rows);
    } catch (err) {
      await putBackPending(
        this.db,
        box.table,
        rows.map((r) => r.id),
      ).catch((e) => this.log.warn({ err: e }, 'could not put rows back to pending; the sweep will queue them'));
      throw err;
    }
    return rows.length;
  }

  private async enqueue(box: Outbox, rows: OutboxRow[]): Promise<void> {
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
      const rows = await inflightRows(this.db, box.table, cursor, afterMs, this.options.batchSize);
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
