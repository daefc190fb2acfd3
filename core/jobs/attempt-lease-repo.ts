// An attempt holds the outbox row it claimed (status 'delivering' or 'sending') for a lease, renewed while it runs.
// BullMQ runs a job a second time when its first worker looks stalled: a dead process, but also a busy or paused one
// whose job lock lapsed while it was still waiting for the back office. The second run finds the row held and waits for
// the lease, so the back office (or the citizen) gets one send, not two. A worker that really died stops renewing; its
// lease lapses and the next attempt takes the row over.
import type { Sql } from '../db/database.ts';
import { RetryLater } from './retry-later.ts';

export type LeasedTable = 'deliveries' | 'update_deliveries' | 'notifications';

const BUSY: Record<LeasedTable, string> = { deliveries: 'delivering', update_deliveries: 'delivering', notifications: 'sending' };

/**
 * A claim's condition on a row: waiting to be sent, or busy under a lease that has lapsed. `$param` binds the lease in
 * milliseconds; `updated_at` is the lease's start (the claim and each renewal set it).
 */
export function claimableSql(table: LeasedTable, param: number): string {
  return `(status in ('pending', 'queued') or (status = '${BUSY[table]}' and updated_at < now() - $${param}::int * interval '1 millisecond'))`;
}

/** Runs `work` while renewing the row's lease every third of it (a quick attempt never renews). */
export async function withLease<T>(sql: Sql, table: LeasedTable, id: string, leaseMs: number, work: () => Promise<T>): Promise<T> {
  const renew = setInterval(
    () => {
      sql.run(`update ${table} set updated_at = now() where id = $1 and status = '${BUSY[table]}'`, [id]).catch(() => {
        // The next renewal tries again; a lease that lapses meanwhile costs at worst one repeated send.
      });
    },
    Math.floor(leaseMs / 3),
  );
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
  }
}

/**
 * After a claim came back empty: when another attempt holds the row, a RetryLater for just after its lease lapses (by
 * then it has finished, or its worker is gone); null when the row is done or gone.
 */
export async function heldElsewhere(sql: Sql, table: LeasedTable, id: string, leaseMs: number): Promise<RetryLater | null> {
  const row = await sql.row<{ remaining_ms: number }>(
    `select greatest(0, ceil(extract(epoch from (updated_at + $2::int * interval '1 millisecond' - now())) * 1000))::int as remaining_ms
     from ${table} where id = $1 and status = '${BUSY[table]}'`,
    [id, leaseMs],
  );
  if (!row) return null;
  return new RetryLater(`another attempt holds this ${table === 'notifications' ? 'message' : 'delivery'}`, row.remaining_ms + 250);
}

/** What a job does when its claim came back empty: waits (a RetryLater) while another attempt holds the row, else skips. */
export async function skippedUnlessHeld(sql: Sql, table: LeasedTable, id: string, leaseMs: number): Promise<'skipped'> {
  const held = await heldElsewhere(sql, table, id, leaseMs);
  if (held) throw held;
  return 'skipped';
}
