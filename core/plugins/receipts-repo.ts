// The SQL of a channel's delivery receipts (a provider saying a message arrived or bounced). It writes the
// notifications table like core/notify/notifications-repo.ts, but lives here: notify uses plugins, never the reverse.
import type { Sql } from '../db/database.ts';

/** A channel's delivery receipt: moves a sent message to its final state; false when no such message of this channel. */
export async function recordNotificationReceipt(sql: Sql, id: string, channel: string, status: string, error: string | null): Promise<boolean> {
  const rows = await sql.rows(
    `update notifications set status = $2, last_error = $3, updated_at = now()
     where id = $1 and channel = $4 and status in ('sent', 'delivered', 'failed') returning id`,
    [id, status, error, channel],
  );
  return rows.length > 0;
}
