// The outbox relay: moves pending delivery and notification rows from Postgres into BullMQ, and puts back any job Redis
// no longer holds (e.g. after a restart without persistence). Safe to run in every worker process at once:
// rows are claimed with SKIP LOCKED and job ids are row ids, so a job is never queued twice.
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

export class Relay {
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private sweepCursor: Record<string, Date> = {};

  constructor(
    private readonly sequelize: Sequelize,
    private readonly queues: Queues,
    private readonly redis: RedisConnection,
    private readonly log: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
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
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await this.running;
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

  /** Finds in-flight rows whose job Redis no longer has, and queues them again. Returns how many were re-queued. */
  async sweepOnce(): Promise<number> {
    let requeued = 0;
    for (const box of OUTBOXES) {
      const cursor = this.sweepCursor[box.table] ?? new Date(0);
      const rows = await this.sequelize.query<{ id: string; binding?: string; since: Date }>(
        `select id${box.table === 'deliveries' ? ', binding, enqueued_at as since' : ', updated_at as since'} from ${box.table}
         where status = any($1::text[]) and ${box.table === 'deliveries' ? 'enqueued_at' : 'updated_at'} > $2
           and ${box.table === 'deliveries' ? 'enqueued_at' : 'updated_at'} < now() - ($3::int * interval '1 millisecond')
         order by ${box.table === 'deliveries' ? 'enqueued_at' : 'updated_at'} limit $4`,
        { bind: [box.inflight, cursor, this.options.sweepAfterMs, this.options.batchSize], type: QueryTypes.SELECT },
      );
      // A full pass ends when a batch comes back short; the next pass starts from the beginning.
      this.sweepCursor[box.table] = rows.length === this.options.batchSize ? rows[rows.length - 1]!.since : new Date(0);
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
