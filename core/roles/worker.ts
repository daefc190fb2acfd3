// The worker role: the outbox relay, one BullMQ worker per binding (its own concurrency) and the notification worker.
// Run as many worker processes as needed against one Postgres and one Redis.
import { Worker, type Job } from 'bullmq';
import type { Hub } from '../hub.ts';
import { createRedis, warnIfEvicting, type RedisConnection } from '../redis.ts';
import { deliverOnce, RetryLater, type DeliverDeps } from '../delivery/deliver.ts';
import { PgListener } from '../db/pg-listener.ts';
import { deliveryQueueName, NOTIFICATIONS_QUEUE, Queues } from '../delivery/queues.ts';
import { Relay } from '../delivery/relay.ts';
import { isOutboxName, OUTBOX_CHANNEL } from '../delivery/outbox-channel.ts';
import { loadBindings } from '../plugins/bindings.ts';
import { loadChannels } from '../plugins/channels.ts';
import { sendNotificationOnce, type NotifyDeps } from '../notify/send.ts';
import { POLLS_QUEUE, runPoll, schedulePolls } from '../connectors/polls.ts';
import { RETENTION_QUEUE, runRetention, scheduleRetention } from '../governance/retention.ts';
import { ALERT_DIGEST_QUEUE, sendAlertDigest } from '../metrics/alert-digest.ts';

export interface WorkerRole {
  relay: Relay;
  queues: Queues;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** How long a queued row may be missing from Redis before the sweep puts it back (tests shorten it). */
  sweepAfterMs?: number;
  sweepIntervalMs?: number;
}

/** BullMQ asks this for the delay before a retry; the processor already computed it from Postgres's attempt count. */
function backoffStrategy(_attemptsMade: number, _type?: string, err?: Error): number {
  return err instanceof RetryLater ? err.delayMs : 5000;
}

export async function startWorker(hub: Hub, options: WorkerOptions = {}): Promise<WorkerRole> {
  const { config, log } = hub;
  const bindings = await loadBindings(hub);
  const channels = await loadChannels(hub);
  const redis = createRedis(config.redis, 'worker');
  await warnIfEvicting(redis, (msg) => log.warn(msg));
  const queues = new Queues(redis, config.redis.prefix);
  const relay = new Relay(hub.sequelize, queues, redis, log.child({ part: 'relay' }), {
    intervalMs: config.worker.relayIntervalMs,
    batchSize: config.worker.relayBatchSize,
    sweepAfterMs: options.sweepAfterMs ?? 60_000,
    sweepIntervalMs: options.sweepIntervalMs ?? 15_000,
  });
  const listener = new PgListener(config.database.url, OUTBOX_CHANNEL, (payload) => relay.kick(isOutboxName(payload) ? payload : undefined), log);
  await listener.start();
  relay.start();

  const deliverDeps: DeliverDeps = {
    sequelize: hub.sequelize,
    store: hub.store,
    catalogue: hub.catalogue,
    log,
    xsdDir: config.paths.xsd,
    publicBaseUrl: () => config.server.publicBaseUrl,
    notifyWindowSeconds: config.notifications.combineWindowSeconds,
  };
  const workers: Worker[] = [];
  const connections: RedisConnection[] = [];
  const connection = () => {
    const c = createRedis(config.redis, 'worker');
    connections.push(c);
    return c;
  };
  for (const binding of bindings.values()) {
    const worker = new Worker(deliveryQueueName(binding.name), async (job: Job<{ id: string }>) => deliverOnce(deliverDeps, binding, job.data.id), {
      connection: connection(),
      prefix: config.redis.prefix,
      concurrency: binding.concurrency,
      ...(binding.rateLimit ? { limiter: { max: binding.rateLimit.max, duration: binding.rateLimit.durationMs } } : {}),
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
      // A job whose worker died is run again (the row's state and the back office's idempotency make that safe);
      // allow several such restarts before BullMQ gives up on it (the sweep would re-queue it even then).
      maxStalledCount: 10,
      settings: { backoffStrategy },
    });
    worker.on('error', (err) => log.warn({ err: err.message, binding: binding.name }, 'delivery worker error'));
    workers.push(worker);
  }

  const notifyDeps: NotifyDeps = {
    sequelize: hub.sequelize,
    catalogue: hub.catalogue,
    channels,
    log,
    councilOf: (serviceId) => hub.councils.ofService(hub.catalogue, serviceId),
    publicBaseUrl: () => config.server.publicBaseUrl,
    attempts: config.notifications.attempts,
  };
  const notifier = new Worker(NOTIFICATIONS_QUEUE, async (job: Job<{ id: string }>) => sendNotificationOnce(notifyDeps, job.data.id), {
    connection: connection(),
    prefix: config.redis.prefix,
    concurrency: config.worker.notificationConcurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.lockDurationMs,
    maxStalledCount: 10,
    settings: { backoffStrategy },
  });
  notifier.on('error', (err) => log.warn({ err: err.message }, 'notification worker error'));
  workers.push(notifier);

  // Polling fallback for connectors that offer it: the schedule lives in Redis (one per binding whatever the number of
  // worker processes); each run locks its binding's row in Postgres.
  const polling = await schedulePolls(queues.get(POLLS_QUEUE), bindings.values());
  if (polling.length) {
    const poller = new Worker(
      POLLS_QUEUE,
      async (job: Job<{ binding: string }>) => {
        const binding = bindings.get(job.data.binding);
        return binding ? runPoll(hub.sequelize, binding, log) : { binding: job.data.binding, ran: false };
      },
      { connection: connection(), prefix: config.redis.prefix, concurrency: Math.min(polling.length, 4), lockDuration: 60_000 },
    );
    poller.on('error', (err) => log.warn({ err: err.message }, 'poll worker error'));
    workers.push(poller);
  }

  // Retention (docs/governance.md): one daily schedule in Redis for every worker process; a run locks its row in Postgres.
  await scheduleRetention(queues.get(RETENTION_QUEUE));
  const retention = new Worker(RETENTION_QUEUE, async () => runRetention({ sequelize: hub.sequelize, store: hub.store, erasers: hub.erasers }, { log }), {
    connection: connection(), prefix: config.redis.prefix, concurrency: 1, lockDuration: 5 * 60_000,
  });
  retention.on('error', (err) => log.warn({ err: err.message }, 'retention worker error'));
  workers.push(retention);

  // The operators' alert digest (optional): one schedule in Redis, so one e-mail per interval whatever the worker count.
  const digestQueue = queues.get(ALERT_DIGEST_QUEUE);
  if (config.alertDigest) {
    await digestQueue.upsertJobScheduler('alert-digest', { every: config.alertDigest.intervalMinutes * 60_000 }, { name: 'digest', opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } });
    const digest = new Worker(ALERT_DIGEST_QUEUE, async () => (await sendAlertDigest(hub)).length, { connection: connection(), prefix: config.redis.prefix, concurrency: 1 });
    digest.on('error', (err) => log.warn({ err: err.message }, 'alert digest worker error'));
    workers.push(digest);
  } else {
    await digestQueue.removeJobScheduler('alert-digest');
  }

  log.info({ bindings: [...bindings.keys()], channels: [...channels.keys()], polling }, 'worker started');
  return {
    relay,
    queues,
    async close() {
      const step = async (name: string, fn: () => Promise<unknown>) => {
        const started = Date.now();
        await fn();
        log.debug({ step: name, ms: Date.now() - started }, 'worker stopped part');
      };
      await step('relay', () => relay.stop());
      await step('listener', () => listener.stop());
      // close() waits for jobs in progress to finish: nothing is left half-done.
      await step('workers', () => Promise.all(workers.map((w) => w.close())));
      await step('queues', () => queues.close());
      await step('redis', () => Promise.all([redis, ...connections].map((c) => c.quit().catch(() => {}))));
    },
  };
}
