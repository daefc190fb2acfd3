// Task targets: when a task falls due. A target counted from the submission is set as the process is written; one counted
// from the task's start is set when the task first leaves "not started"; a back office may move either (with a reason
// the citizen sees). A task is overdue once its date has passed and it is neither done nor its process finished.
import type { WorkingCalendar } from '../calendar/index.ts';
import type { Task } from '../services/index.ts';
import type { SubmissionTask } from './submissions-repo.ts';

/** The task rows of a new submission, with the due dates of targets counted from it. */
export function taskRowsAtSubmission(tasks: Task[], calendar: WorkingCalendar, submittedAt: Date): SubmissionTask[] {
  return tasks.map((t) => ({
    key: t.key,
    title: t.title,
    dueAt: t.target?.from === 'submission' ? calendar.dueAt(submittedAt, t.target.workingDays) : null,
    targetWorkingDays: t.target?.workingDays ?? null,
    targetFrom: t.target?.from ?? null,
  }));
}

/** Task states that are not finished: only these can be overdue. */
export const UNFINISHED_TASK = ['open', 'in_progress'] as const;

/** Process states in which nothing is awaited any more. */
export const FINISHED_PROCESS = ['completed', 'closed'] as const;

/** Whether a task is overdue at `now`. */
export function isOverdue(task: { status: string; dueAt: Date | null }, processStatus: string, now: Date = new Date()): boolean {
  return (
    task.dueAt !== null &&
    task.dueAt.getTime() < now.getTime() &&
    (UNFINISHED_TASK as readonly string[]).includes(task.status) &&
    !(FINISHED_PROCESS as readonly string[]).includes(processStatus)
  );
}
