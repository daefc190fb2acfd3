// Job plumbing: BullMQ queues and their names, the outbox relay that fills them from Postgres, retry timing, the
// scheduled jobs and the one factory every worker is made with. What the jobs do lives in their own folders
// (delivery/, notify/, governance/, metrics/); the worker role (roles/worker.ts) puts the two together.
export {
  Queues,
  JOB_OPTIONS,
  NOTIFICATIONS_QUEUE,
  POLLS_QUEUE,
  RETENTION_QUEUE,
  ALERT_DIGEST_QUEUE,
  SAVED_FORMS_QUEUE,
  SUBSCRIPTIONS_QUEUE,
  deliveryQueueName,
  updateQueueName,
  allQueueNames,
} from './queues.ts';
export { retryDelayMs, horizonSeconds, type RetryPolicy } from './backoff.ts';
export { RetryLater, backoffStrategy } from './retry-later.ts';
export { claimableSql, heldElsewhere, skippedUnlessHeld, withLease, type LeasedTable } from './attempt-lease-repo.ts';
export { OUTBOX_CHANNEL, isOutboxName, type OutboxName } from './outbox-channel.ts';
export { Relay, type RelayOptions } from './relay.ts';
export {
  pollIntervalOf,
  schedulePolls,
  scheduleRetention,
  scheduleAlertDigest,
  scheduleSavedFormsExpiry,
  SAVED_FORMS_SCHEDULER,
  RETENTION_SCHEDULER,
  RETENTION_SCHEDULE,
} from './schedules.ts';
export { runPoll, type PollOutcome } from './polls.ts';
export { JobWorkers, type JobWorkerSpec, type JobWorkersOptions } from './workers.ts';
