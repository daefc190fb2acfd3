// One poll of a back office that cannot call us back (its schedule: schedules.ts). A row lock in Postgres means a poll
// never runs twice at once, and it always resumes from the cursor the last successful poll stored.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import type { BindingRuntime } from '../plugins/bindings.ts';

export interface PollOutcome {
  binding: string;
  /** False when another process was already polling this binding. */
  ran: boolean;
  seen?: number;
  applied?: number;
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
