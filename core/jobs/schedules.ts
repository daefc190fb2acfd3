// The hub's scheduled jobs, as BullMQ job schedulers: Redis keeps one schedule per key however many worker processes
// upsert it, so each runs once per interval for the whole hub. Each run also locks its own row in Postgres (see the
// processors), so two runs never overlap even if a schedule fires twice.
import type { Queue } from 'bullmq';
import type { BindingRuntime } from '../plugins/bindings.ts';

/** A scheduled run that fails is not retried: the next one starts again from what Postgres holds. */
const ONCE = { attempts: 1, removeOnComplete: true, removeOnFail: 100 };

const POLL_SCHEDULER_PREFIX = 'poll:';

/** The polling interval of a binding, or null when its connector does not poll or its config turns polling off. */
export function pollIntervalOf(binding: Pick<BindingRuntime, 'connector' | 'context'>): number | null {
  const { connector, context } = binding;
  if (!connector.poll || !connector.pollIntervalMs) return null;
  const ms = connector.pollIntervalMs(context.config);
  return ms && ms > 0 ? ms : null;
}

/**
 * Polling for back offices that cannot call us back: makes the queue's schedules match the config, one per polling
 * binding and none for bindings that stopped polling. Returns the polling bindings' names.
 */
export async function schedulePolls(queue: Queue, bindings: Iterable<Pick<BindingRuntime, 'name' | 'connector' | 'context'>>): Promise<string[]> {
  const wanted = new Map<string, number>();
  for (const b of bindings) {
    const every = pollIntervalOf(b);
    if (every) wanted.set(b.name, every);
  }
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const binding = s.key.startsWith(POLL_SCHEDULER_PREFIX) ? s.key.slice(POLL_SCHEDULER_PREFIX.length) : null;
    if (binding !== null && !wanted.has(binding)) await queue.removeJobScheduler(s.key);
  }
  // A failed poll is not retried: the next scheduled one starts from the same stored cursor.
  for (const [binding, every] of wanted)
    await queue.upsertJobScheduler(`${POLL_SCHEDULER_PREFIX}${binding}`, { every }, { name: 'poll', data: { binding }, opts: ONCE });
  return [...wanted.keys()];
}

export const RETENTION_SCHEDULER = 'retention';
/** Every night at 03:17 UK time (a quiet hour, off the hour when other jobs start). */
export const RETENTION_SCHEDULE = { pattern: '17 3 * * *', tz: 'Europe/London' } as const;

/** Retention's daily run (docs/governance.md). A failed run is not retried: tomorrow's finds the same processes. */
export async function scheduleRetention(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(RETENTION_SCHEDULER, { ...RETENTION_SCHEDULE }, { name: 'retention', data: {}, opts: ONCE });
}

const ALERT_DIGEST_SCHEDULER = 'alert-digest';

/** The operators' alert digest every `intervalMinutes`, or no schedule at all when the digest is not configured. */
export async function scheduleAlertDigest(queue: Queue, intervalMinutes: number | null): Promise<void> {
  if (intervalMinutes === null) await queue.removeJobScheduler(ALERT_DIGEST_SCHEDULER);
  else await queue.upsertJobScheduler(ALERT_DIGEST_SCHEDULER, { every: intervalMinutes * 60_000 }, { name: 'digest', opts: ONCE });
}

export const SAVED_FORMS_SCHEDULER = 'saved-forms-expiry';

/** Every hour: erase the saved forms ("save and come back later") whose link has expired. */
export async function scheduleSavedFormsExpiry(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(SAVED_FORMS_SCHEDULER, { every: 60 * 60_000 }, { name: 'expire', data: {}, opts: ONCE });
}
