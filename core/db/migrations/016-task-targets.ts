// Task targets: when the council aims to have each task done (the end of a working day in the UK), set from the service's
// `target` when the task starts (at submission, or when it leaves "not started"), or moved by a back office. The target
// itself is kept with the task, so a task that starts later is counted by the definition the process was submitted with.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`alter table tasks
    add column due_at timestamptz,
    add column target_working_days int,
    add column target_from text check (target_from in ('submission', 'taskStart'))`);
  // Overdue tasks (for /metrics and the alerts) are the few with a date that are not done yet.
  await sql.query(`create index tasks_due on tasks (due_at) where due_at is not null and status in ('open', 'in_progress')`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop index if exists tasks_due');
  await sql.query('alter table tasks drop column if exists due_at, drop column if exists target_working_days, drop column if exists target_from');
};
