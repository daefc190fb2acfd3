// The one place BullMQ workers are made. Every worker of the hub (deliveries per binding, notifications, polls,
// retention, the alert digest) gets the same treatment: its own Redis connection (a worker blocks on it), the hub's
// prefix, the custom backoff that RetryLater feeds, stalled-job recovery and a logged 'error' event.
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { createRedis, type RedisConnection, type RedisTarget } from '../redis.ts';
import { backoffStrategy } from './retry-later.ts';

export interface JobWorkerSpec<Data> {
  queue: string;
  /** Names the worker in its log lines ("delivery", "notification", …). */
  name: string;
  /** Jobs this worker process runs at once. */
  concurrency: number;
  run(job: Job<Data>): Promise<unknown>;
  /** At most `max` jobs per `durationMs` (a back office's rate limit). */
  rateLimit?: { max: number; durationMs: number };
  /** How long a job's lock lasts (it is renewed while the job runs); by default the config's `worker.lockDurationMs`. */
  lockDurationMs?: number;
  /** Extra fields for the worker's log lines (e.g. the binding). */
  logFields?: Record<string, unknown>;
}

export interface JobWorkersOptions {
  redis: RedisTarget & { prefix: string };
  /** The config's `worker.lockDurationMs`: a worker that dies holding a job is noticed after about this long. */
  lockDurationMs: number;
  log: Logger;
}

/** The worker role's BullMQ workers; close() waits for jobs in progress, then drops the workers' connections. */
export class JobWorkers {
  private readonly workers: Worker[] = [];
  private readonly connections: RedisConnection[] = [];

  constructor(private readonly options: JobWorkersOptions) {}

  start<Data>(spec: JobWorkerSpec<Data>): Worker<Data> {
    const { redis, log } = this.options;
    const connection = createRedis(redis, 'worker');
    this.connections.push(connection);
    const lockDuration = spec.lockDurationMs ?? this.options.lockDurationMs;
    const worker = new Worker<Data>(spec.queue, (job) => spec.run(job), {
      connection,
      prefix: redis.prefix,
      concurrency: spec.concurrency,
      ...(spec.rateLimit ? { limiter: { max: spec.rateLimit.max, duration: spec.rateLimit.durationMs } } : {}),
      lockDuration,
      stalledInterval: lockDuration,
      // A job whose worker died is run again (row state in Postgres and the back office's idempotency make that safe;
      // scheduled jobs lock their own row); allow several such restarts before BullMQ gives up on it (the relay's
      // sweep would queue an outbox row again even then).
      maxStalledCount: 10,
      settings: { backoffStrategy },
    });
    worker.on('error', (err) => log.warn({ err: err.message, ...spec.logFields }, `${spec.name} worker error`));
    this.workers.push(worker as Worker);
    return worker;
  }

  get count(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    // close() waits for jobs in progress to finish: nothing is left half-done.
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => {})));
    this.workers.length = 0;
    this.connections.length = 0;
  }
}
