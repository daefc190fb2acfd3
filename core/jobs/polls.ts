// One poll of a back office that cannot call us back (its schedule: schedules.ts). A row lock in Postgres means a poll
// never runs twice at once, and it always resumes from the cursor the last successful poll stored.
import type { Database } from '../db/database.ts';
import type { Logger } from 'pino';
import type { BindingRuntime } from '../plugins/bindings.ts';
import { ensurePollRow, lockPollCursor, recordPollError, recordPollSuccess } from './polls-repo.ts';

export interface PollOutcome {
  binding: string;
  /** False when another process was already polling this binding. */
  ran: boolean;
  seen?: number;
  applied?: number;
}

/** Runs one poll of a binding unless another process holds it; stores the new cursor only when the poll succeeds. */
export async function runPoll(db: Database, binding: BindingRuntime, log: Logger): Promise<PollOutcome> {
  const { connector, context, name } = binding;
  if (!connector.poll) return { binding: name, ran: false };
  await ensurePollRow(db, name);
  try {
    return await db.transaction(async (t) => {
      // The row lock is held for the whole poll: a second worker's job for the same binding skips instead of waiting.
      const locked = await lockPollCursor(t, name);
      if (!locked) return { binding: name, ran: false };
      const result = await connector.poll!(context, locked.cursor);
      await recordPollSuccess(t, name, result.cursor);
      if (result.applied) log.info({ binding: name, seen: result.seen, applied: result.applied }, 'poll applied changes');
      return { binding: name, ran: true, seen: result.seen, applied: result.applied };
    });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    await recordPollError(db, name, message.slice(0, 1000)).catch(() => {});
    log.warn({ binding: name, err: message }, 'poll failed; the next one starts from the same cursor');
    throw err;
  }
}
