// Alerts on tasks past their target date, per service: the same figures as the closeloop_overdue_tasks gauge, with the
// cases to open.
import type { Sql } from '../db/database.ts';
import { overdueRows } from './metrics-repo.ts';

export interface OverdueAlert {
  service: string;
  /** Tasks overdue. */
  count: number;
  /** The earliest target date among them (the longest overdue). */
  oldestDueAt: Date;
  /** The processes of the longest-overdue few (a process may appear twice when two of its tasks are overdue). */
  processIds: string[];
}

/** Every service with overdue tasks, by service id. */
export async function readOverdueTasks(sql: Sql, sample = 5): Promise<OverdueAlert[]> {
  const rows = await overdueRows(sql, sample);
  return rows.map((r) => ({ service: r.service, count: Number(r.n), oldestDueAt: r.oldest_due_at, processIds: r.process_ids }));
}
