// BullMQ queues: one per binding, so a slow back office never holds up another's deliveries, one for notifications, and
// one per scheduled job (connector polls, retention, the alert digest). Every queue name the hub uses is here.
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from '../redis.ts';

export const NOTIFICATIONS_QUEUE = 'notifications';
export const POLLS_QUEUE = 'connector-polls';
export const RETENTION_QUEUE = 'retention';
export const ALERT_DIGEST_QUEUE = 'alert-digest';

export function deliveryQueueName(binding: string): string {
  return `deliveries-${binding}`;
}

/** Every queue of a hub with these bindings (the queue dashboard lists them). */
export function allQueueNames(bindings: Iterable<string>): string[] {
  return [...[...bindings].map(deliveryQueueName), NOTIFICATIONS_QUEUE, POLLS_QUEUE, RETENTION_QUEUE, ALERT_DIGEST_QUEUE];
}

/** Retries are decided from Postgres (attempt counts survive a Redis loss), so BullMQ is told "many" and a custom backoff. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 1000,
  backoff: { type: 'closeloop' },
  removeOnComplete: true,
  removeOnFail: true,
};

export class Queues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: RedisConnection,
    readonly prefix: string,
  ) {}

  get(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: JOB_OPTIONS });
      q.on('error', () => {}); // connection errors surface through the relay's own error handling
      this.queues.set(name, q);
    }
    return q;
  }

  /** Redis key of a job's hash, for cheap existence checks in a pipeline. */
  jobKey(queueName: string, jobId: string): string {
    return `${this.prefix}:${queueName}:${jobId}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
