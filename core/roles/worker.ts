// The worker role: the outbox relay, one BullMQ worker per binding (its own concurrency), the notification worker and
// the scheduled jobs. The plumbing is core/jobs; this file only says which job runs what.
// Run as many worker processes as needed against one Postgres and one Redis.
import type { Hub } from '../hub.ts';
import { createRedis, warnIfEvicting } from '../redis.ts';
import { PgListener } from '../db/pg-listener.ts';
import { bindingTakesUpdates, loadBindings } from '../plugins/bindings.ts';
import { loadChannels } from '../plugins/channels.ts';
import { processApiFor } from '../processes/index.ts';
import { deliverOnce, type DeliverDeps } from '../delivery/deliver.ts';
import { sendNotificationOnce, type NotifyDeps } from '../notify/send.ts';
import { deliverUpdateOnce, type DeliverUpdateDeps } from '../replies/index.ts';
import { sendEventOnce, type SendEventDeps } from '../subscriptions/index.ts';
import { runRetention } from '../governance/index.ts';
import { sendAlertDigest } from '../metrics/alert-digest.ts';
import { expireSavedForms } from '../forms/saved-forms.ts';
import {
  ALERT_DIGEST_QUEUE,
  deliveryQueueName,
  isOutboxName,
  JobWorkers,
  NOTIFICATIONS_QUEUE,
  OUTBOX_CHANNEL,
  POLLS_QUEUE,
  Queues,
  Relay,
  RETENTION_QUEUE,
  runPoll,
  SAVED_FORMS_QUEUE,
  SUBSCRIPTIONS_QUEUE,
  scheduleSavedFormsExpiry,
  updateQueueName,
  scheduleAlertDigest,
  schedulePolls,
  scheduleRetention,
} from '../jobs/index.ts';

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

export async function startWorker(hub: Hub, options: WorkerOptions = {}): Promise<WorkerRole> {
  const { config, log } = hub;
  const notifyWindowSeconds = config.notifications.combineWindowSeconds;
  const bindings = await loadBindings(hub, (binding) =>
    processApiFor(
      { db: hub.db, notifyWindowSeconds, store: hub.store, calendarOf: (serviceId: string) => hub.councils.calendarOf(hub.catalogue, serviceId) },
      binding,
    ),
  );
  const channels = await loadChannels(hub);
  const redis = createRedis(config.redis, 'worker');
  await warnIfEvicting(redis, (msg) => log.warn(msg));
  const queues = new Queues(redis, config.redis.prefix);
  const relay = new Relay(hub.db, queues, redis, log.child({ part: 'relay' }), {
    intervalMs: config.worker.relayIntervalMs,
    batchSize: config.worker.relayBatchSize,
    sweepAfterMs: options.sweepAfterMs ?? 60_000,
    sweepIntervalMs: options.sweepIntervalMs ?? 15_000,
  });
  const listener = new PgListener(config.database.url, OUTBOX_CHANNEL, (payload) => relay.kick(isOutboxName(payload) ? payload : undefined), log);
  await listener.start();
  relay.start();

  const workers = new JobWorkers({ redis: config.redis, lockDurationMs: config.worker.lockDurationMs, log });
  const deliverDeps: DeliverDeps = {
    db: hub.db,
    store: hub.store,
    catalogue: hub.catalogue,
    log,
    xsdDir: config.paths.xsd,
    publicBaseUrl: () => config.server.publicBaseUrl,
    notifyWindowSeconds,
    attemptLeaseMs: config.worker.attemptLeaseMs,
  };
  for (const binding of bindings.values()) {
    workers.start<{ id: string }>({
      queue: deliveryQueueName(binding.name),
      name: 'delivery',
      logFields: { binding: binding.name },
      concurrency: binding.concurrency,
      rateLimit: binding.rateLimit,
      run: (job) => deliverOnce(deliverDeps, binding, job.data.id),
    });
  }
  // Citizens' replies and further evidence, for bindings whose connector takes them: a queue of their own per binding.
  const updateDeps: DeliverUpdateDeps = {
    db: hub.db,
    store: hub.store,
    log,
    publicBaseUrl: () => config.server.publicBaseUrl,
    attemptLeaseMs: config.worker.attemptLeaseMs,
  };
  for (const binding of bindings.values()) {
    if (!bindingTakesUpdates(binding)) continue;
    workers.start<{ id: string }>({
      queue: updateQueueName(binding.name),
      name: 'update delivery',
      logFields: { binding: binding.name },
      concurrency: Math.max(1, Math.ceil(binding.concurrency / 2)),
      rateLimit: binding.rateLimit,
      run: (job) => deliverUpdateOnce(updateDeps, binding, job.data.id),
    });
  }

  const notifyDeps: NotifyDeps = {
    db: hub.db,
    catalogue: hub.catalogue,
    channels,
    log,
    councilOf: (serviceId) => hub.councils.ofService(hub.catalogue, serviceId),
    publicBaseUrl: () => config.server.publicBaseUrl,
    attempts: config.notifications.attempts,
    attemptLeaseMs: config.worker.attemptLeaseMs,
  };
  workers.start<{ id: string }>({
    queue: NOTIFICATIONS_QUEUE,
    name: 'notification',
    concurrency: config.worker.notificationConcurrency,
    run: (job) => sendNotificationOnce(notifyDeps, job.data.id),
  });

  // Outbound event subscriptions: signed events to the URLs admins subscribed, one queue for all of them.
  const eventDeps: SendEventDeps = {
    db: hub.db,
    log,
    retry: config.subscriptions.retry,
    timeoutMs: config.subscriptions.timeoutMs,
    councilOf: (serviceId) => hub.councils.idOfService(hub.catalogue, serviceId),
  };
  workers.start<{ id: string }>({
    queue: SUBSCRIPTIONS_QUEUE,
    name: 'subscription event',
    concurrency: config.subscriptions.concurrency,
    run: (job) => sendEventOnce(eventDeps, job.data.id),
  });

  // Polling fallback for connectors that offer it; each run locks its binding's row in Postgres.
  const polling = await schedulePolls(queues.get(POLLS_QUEUE), bindings.values());
  if (polling.length) {
    workers.start<{ binding: string }>({
      queue: POLLS_QUEUE,
      name: 'poll',
      concurrency: Math.min(polling.length, 4),
      lockDurationMs: 60_000,
      run: async (job) => {
        const binding = bindings.get(job.data.binding);
        return binding ? runPoll(hub.db, binding, log) : { binding: job.data.binding, ran: false };
      },
    });
  }

  // Retention (docs/governance.md): a daily run; it locks its row in Postgres.
  await scheduleRetention(queues.get(RETENTION_QUEUE));
  workers.start({
    queue: RETENTION_QUEUE,
    name: 'retention',
    concurrency: 1,
    lockDurationMs: 5 * 60_000,
    run: () => runRetention({ db: hub.db, store: hub.store, erasers: hub.erasers }, { log }),
  });

  // Saved forms ("save and come back later") past their link's expiry: erased every hour (rows locked, skip locked).
  await scheduleSavedFormsExpiry(queues.get(SAVED_FORMS_QUEUE));
  workers.start({
    queue: SAVED_FORMS_QUEUE,
    name: 'saved forms expiry',
    concurrency: 1,
    lockDurationMs: 5 * 60_000,
    run: () => expireSavedForms({ db: hub.db, store: hub.store, log }),
  });

  // The operators' alert digest (optional): one e-mail per interval whatever the worker count.
  await scheduleAlertDigest(queues.get(ALERT_DIGEST_QUEUE), config.alertDigest?.intervalMinutes ?? null);
  if (config.alertDigest) {
    workers.start({ queue: ALERT_DIGEST_QUEUE, name: 'alert digest', concurrency: 1, run: async () => (await sendAlertDigest(hub)).length });
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
      // Waits for jobs in progress to finish: nothing is left half-done.
      await step('workers', () => workers.close());
      await step('queues', () => queues.close());
      await step('redis', () => redis.quit().catch(() => {}));
    },
  };
}
