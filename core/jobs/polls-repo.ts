// The SQL of connector polls: one row per polled binding holds the cursor the next poll resumes from, and is locked
// (FOR UPDATE SKIP LOCKED) for the whole of a poll, so a poll never runs twice at once.
import type { Sql } from '../db/database.ts';

/** Makes sure the binding has its row. */
export async function ensurePollRow(sql: Sql, binding: string): Promise<void> {
  await sql.run('insert into connector_polls (binding) values ($1) on conflict do nothing', [binding]);
}

/** Locks the binding's row for the transaction and answers its cursor; undefined when another poll holds the row. */
export async function lockPollCursor(tx: Sql, binding: string): Promise<{ cursor: string | null } | undefined> {
  return tx.row<{ cursor: string | null }>('select cursor from connector_polls where binding = $1 for update skip locked', [binding]);
}

export async function recordPollSuccess(tx: Sql, binding: string, cursor: string | null): Promise<void> {
  await tx.run('update connector_polls set cursor = $2, polled_at = now(), runs = runs + 1, last_error = null where binding = $1', [binding, cursor]);
}

export async function recordPollError(sql: Sql, binding: string, message: string): Promise<void> {
  await sql.run('update connector_polls set last_error = $2 where binding = $1', [binding, message]);
}
