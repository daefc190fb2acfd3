// The SQL of sandbox_inbox (the sandbox connector's own table, made by its migration): what the sandbox back office received.
import type { PluginDatabase } from '@closeloop/sdk';

/** Keeps a delivery once per webhook-id; answers its sequence number (the first one's, for a repeat). */
export async function keepReceived(db: PluginDatabase, webhookId: string, reference: string, body: string): Promise<string> {
  const [row] = await db.query<{ seq: string }>(
    `with ins as (insert into sandbox_inbox (webhook_id, reference, body) values ($1, $2, $3) on conflict (webhook_id) do nothing returning seq)
     select seq from ins union all select seq from sandbox_inbox where webhook_id = $1 limit 1`,
    [webhookId, reference, body],
  );
  return row!.seq;
}

/** The 50 most recent deliveries, newest first. */
export function latestReceived(db: PluginDatabase): Promise<{ seq: string; reference: string; received_at: Date }[]> {
  return db.query('select seq, reference, received_at from sandbox_inbox order by seq desc limit 50');
}

/** Replaces what was received for a process with the erasure placeholder; answers how many rows changed. */
export async function eraseReceived(db: PluginDatabase, reference: string, placeholder: string): Promise<number> {
  const rows = await db.query('update sandbox_inbox set body = $2 where reference = $1 and body <> $2 returning 1', [reference, placeholder]);
  return rows.length;
}
