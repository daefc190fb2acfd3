// BullMQ queues: one per binding, so a slow back office never holds up another's deliveries, one for notifications, and
// one per scheduled job (connector polls, retention, the alert digest, saved forms' expiry). Every queue name the hub uses is here.
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from '../redis.ts';

export const NOTIFICATIONS_QUEUE = 'notifications';
export const POLLS_QUEUE = 'connector-polls';
export const RETENTION_QUEUE = 'retention';
export const ALERT_DIGEST_QUEUE = 'alert-digest';
export const SAVED_FORMS_QUEUE = 'saved-forms';
/** Signed events for outbound subscriptions (core/subscriptions). */
export const SUBSCRIPTIONS_QUEUE = 'subscriptions';

export function deliveryQueueName(binding: string): string {
  return `deliveries-${binding}`;
}

/** A binding's queue of citizens' updates (replies and further evidence), apart from its deliveries. */
export function updateQueueName(binding: string): string {
  return `updates-${binding}`;
}

/** Every queue of a hub with these bindings, `updates` naming those that take citizens' updates (the queue dashboard lists them). */
export function allQueueNames(bindings: Iterable<string>, updates: Iterable<string> = []): string[] {
  return [
    ...[...bindings].map(deliveryQueueName),
    ...[...updates].map(updateQueueName),
    NOTIFICATIONS_QUEUE,
    POLLS_QUEUE,
    RETENTION_QUEUE,
    ALERT_DIGEST_QUEUE,
    SAVED_FORMS_QUEUE,
    SUBSCRIPTIONS_QUEUE,
  ];
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
