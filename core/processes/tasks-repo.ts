// The SQL of `tasks`: a process's steps, in the order its service lists them.
import type { Sql } from '../db/database.ts';
import type { TaskStatus } from '../plugins/index.ts';

export interface TaskRecord {
  key: string;
  title: string;
  status: TaskStatus;
  updatedAt: Date;
  /** When the council aims to have it done (end of a UK working day); null without a target. */
  dueAt: Date | null;
  /** The service's target, kept with the task (a target counted from the task's start is set when it starts). */
  targetWorkingDays: number | null;
  targetFrom: 'submission' | 'taskStart' | null;
}

type TaskColumns = {
  key: string;
  title: string;
  status: TaskStatus;
  updated_at: Date;
  due_at: Date | null;
  target_working_days: number | null;
  target_from: 'submission' | 'taskStart' | null;
};

const COLUMNS = 'key, title, status, updated_at, due_at, target_working_days, target_from';

const toRecord = (t: TaskColumns): TaskRecord => ({
  key: t.key,
  title: t.title,
  status: t.status,
  updatedAt: t.updated_at,
  dueAt: t.due_at,
  targetWorkingDays: t.target_working_days,
  targetFrom: t.target_from,
});

/** A process's tasks in order. */
export async function findTasks(sql: Sql, processId: string): Promise<TaskRecord[]> {
  const rows = await sql.rows<TaskColumns>(`select ${COLUMNS} from tasks where process_id = $1 order by position`, [processId]);
  return rows.map(toRecord);
}

export async function findTask(sql: Sql, processId: string, key: string): Promise<TaskRecord | undefined> {
  const row = await sql.row<TaskColumns>(`select ${COLUMNS} from tasks where process_id = $1 and key = $2`, [processId, key]);
  return row && toRecord(row);
}

export async function setTaskStatus(t: Sql, processId: string, key: string, status: TaskStatus): Promise<void> {
  await t.run('update tasks set status = $3, updated_at = now() where process_id = $1 and key = $2', [processId, key, status]);
}

export async function setTaskDueAt(t: Sql, processId: string, key: string, dueAt: Date): Promise<void> {
  await t.run('update tasks set due_at = $3, updated_at = now() where process_id = $1 and key = $2', [processId, key, dueAt]);
}

/** A process's tasks in order, only when the process was delivered to the binding (a connector sees only its own). */
export async function findTasksForBinding(sql: Sql, processId: string, binding: string): Promise<{ key: string; title: string; status: TaskStatus }[]> {
  return sql.rows<{ key: string; title: string; status: TaskStatus }>(
    `select t.key, t.title, t.status from tasks t
     where t.process_id = $1 and exists (select 1 from deliveries d where d.process_id = $1 and d.binding = $2) order by t.position`,
    [processId, binding],
  );
}
