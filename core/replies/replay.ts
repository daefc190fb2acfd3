// Operators replay dead update deliveries (after fixing the back office): back to the outbox as pending, with a fresh
// attempt budget, audited.
import type { Database } from '../db/database.ts';
import { requeueDeadUpdates } from './replies-repo.ts';

export async function replayUpdates(db: Database, filter: { id?: string; binding?: string; services?: string[] | null }, actor: string): Promise<string[]> {
  if (!filter.id && !filter.binding) throw new Error('replay needs an update id or a binding');
  return requeueDeadUpdates(db, filter, actor);
}
