// Operators replay dead deliveries (after fixing the back office or the mapping): they go back to the outbox as pending,
// with a fresh attempt budget; their attempt history and count are kept (the new round starts after `attempts`).
import type { Database } from '../db/database.ts';
import { requeueDeadDeliveries } from './deliveries-repo.ts';

export async function replayDeliveries(
  db: Database,
  /** `services`: only deliveries of these services' processes (a council admin's scope); null or absent: any. */
  filter: { id?: string; binding?: string; services?: string[] | null },
  actor: string,
): Promise<string[]> {
  if (!filter.id && !filter.binding) throw new Error('replay needs a delivery id or a binding');
  return requeueDeadDeliveries(db, filter, actor);
}
