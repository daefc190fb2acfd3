// What the confirmation page may say about the confirmation message: "has been sent" only once the channel accepted it.
// Read from the process (its contact details) and its notification row, so the form session keeps no answers.
import type { Database } from '../db/database.ts';
import { confirmationStateOf } from '../notify/notifications-repo.ts';

export interface ConfirmationNotice {
  /** The e-mail address (or phone number) the confirmation goes to. */
  to: string;
  medium: 'email' | 'text message';
  /** The channel has accepted the message; otherwise it is still waiting to go. */
  sent: boolean;
}

/** Null when no confirmation will be sent (no channel, no contact details, or sending it failed). */
export async function confirmationNotice(db: Database, processId: string): Promise<ConfirmationNotice | null> {
  const row = await confirmationStateOf(db, processId);
  const to = row?.email ?? row?.phone;
  if (!row || !to || !row.status || ['failed', 'skipped'].includes(row.status)) return null;
  return { to, medium: row.email ? 'email' : 'text message', sent: row.status === 'sent' || row.status === 'delivered' };
}
