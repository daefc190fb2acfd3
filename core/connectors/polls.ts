// Polling for back offices that cannot call us back: one BullMQ job scheduler per polling binding (Redis keeps a single
// schedule however many worker processes upsert it) and a row lock in Postgres, so a poll never runs twice at once and
// always resumes from the cursor the last successful poll stored.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import type { Queue } from 'bullmq';
import type { BindingRuntime } from '../delivery/deliver.ts';

export const POLLS_QUEUE = 'connector-polls';
const SCHEDULER_PREFIX = 'poll:';

export interface PollOutcome {
  binding: string;
  /** False when another process was already polling this binding. */
  ran: boolean;
  seen?: number;
  applied?: number;
}

/** The polling interval of a binding, or null when its connector does not poll or its config turns polling off. */
export function pollIntervalOf(binding: BindingRuntime): number | null {
  const { connector, context } = binding;
  if (!connector.poll || !connector.pollIntervalMs) return null;
  const ms = connector.pollIntervalMs(context.config);
  return ms && ms > 0 ? ms : null;
}

/** Makes the queue's schedules match the config: one per polling binding, none for bindings that stopped polling. */
export async function schedulePolls(queue: Queue, bindings: Iterable<BindingRuntime>): Promise<string[]> {
  const wanted = new Map<string, number>();
  for (const b of bindings) {
    const every = pollIntervalOf(b);
    if (every) wanted.set(b.name, every);
  }
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const binding = s.key.startsWith(SCHEDULER_PREFIX) ? s.key.slice(SCHEDULER_PREFIX.length) : null;
    if (binding !== null && !wanted.has(binding)) await queue.removeJobScheduler(s.key);
  }
  for (const [binding, every] of wanted) {
    await queue.upsertJobScheduler(
      `${SCHEDULER_PREFIX}${binding}`,
      { every },
      // A failed poll is not retried: the next scheduled one starts from the same stored cursor.
      { name: 'poll', data: { binding }, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
    );
  }
  return [...wanted.keys()];
}

/** Runs one poll of a binding unless another process holds it; stores the new cursor only when the poll succeeds. */
export async function runPoll(sequelize: Sequelize, binding: BindingRuntime, log: Logger): Promise<PollOutcome> {
  const { connector, context, name } = binding;
  if (!connector.poll) return { binding: name, ran: false };
  await sequelize.query('insert into connector_polls (binding) values ($1) on conflict do nothing', { bind: [name] });
  try {
    return await sequelize.transaction(async (t) => {
      // The row lock is held for the whole poll: a second worker's job for the same binding skips instead of waiting.
      const rows = await sequelize.query<{ cursor: string | null }>('select cursor from connector_polls where binding = $1 for update skip locked', {
        bind: [name],
        type: QueryTypes.SELECT,
        transaction: t,
      });
      if (!rows.length) return { binding: name, ran: false };
      const result = await connector.poll!(context, rows[0]!.cursor);
      await sequelize.query('update connector_polls set cursor = $2, polled_at = now(), runs = runs + 1, last_error = null where binding = $1', {
        bind: [name, result.cursor],
        transaction: t,
      });
      if (result.applied) log.info({ binding: name, seen: result.seen, applied: result.applied }, 'poll applied changes');
      return { binding: name, ran: true, seen: result.seen, applied: result.applied };
    });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    await sequelize.query('update connector_polls set last_error = $2 where binding = $1', { bind: [name, message.slice(0, 1000)] }).catch(() => {});
    log.warn({ binding: name, err: message }, 'poll failed; the next one starts from the same cursor');
    throw err;
  }
}
