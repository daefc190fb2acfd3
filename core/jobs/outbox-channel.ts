// The Postgres NOTIFY channel that wakes the outbox relay, and the payloads that say which outbox has new rows.
// NOTIFY takes a database-wide lock at commit, so hot paths that can wait for the relay's timer (submissions, deliveries'
// follow-up messages) do not send one; only changes a person is waiting on (a back office's note reaching the citizen,
// an operator's replay) do.
export const OUTBOX_CHANNEL = 'closeloop_outbox';

export type OutboxName = 'deliveries' | 'notifications' | 'update_deliveries' | 'subscription_deliveries';

export function isOutboxName(payload: string | undefined): payload is OutboxName {
  return payload === 'deliveries' || payload === 'notifications' || payload === 'update_deliveries' || payload === 'subscription_deliveries';
}
