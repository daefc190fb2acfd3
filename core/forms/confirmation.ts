// What the confirmation page may say about the confirmation message: "has been sent" only once the channel accepted it.
// Read from the process (its contact details) and its notification row, so the form session keeps no answers.
import { QueryTypes, type Sequelize } from 'sequelize';

export interface ConfirmationNotice {
  /** The e-mail address (or phone number) the confirmation goes to. */
  to: string;
  medium: 'email' | 'text message';
  /** The channel has accepted the message; otherwise it is still waiting to go. */
  sent: boolean;
}

/** Null when no confirmation will be sent (no channel, no contact details, or sending it failed). */
export async function confirmationNotice(sequelize: Sequelize, processId: string): Promise<ConfirmationNotice | null> {
  const [row] = await sequelize.query<{ email: string | null; phone: string | null; status: string | null }>(
    `select p.contact->>'email' as email, p.contact->>'phone' as phone,
       (select n.status from notifications n where n.process_id = p.id and n.kind = 'submitted' order by n.created_at limit 1) as status
     from processes p where p.id = $1 and p.erased_at is null`,
    { bind: [processId], type: QueryTypes.SELECT },
  );
  const to = row?.email ?? row?.phone;
  if (!row || !to || !row.status || ['failed', 'skipped'].includes(row.status)) return null;
  return { to, medium: row.email ? 'email' : 'text message', sent: row.status === 'sent' || row.status === 'delivered' };
}
