// What a back office can do to a process: add a note, update a task, close it. The REST API, signed callbacks and
// connector inbound routes all come through here; what the citizen sees of each change (the timeline entries, their
// message and the audit entry) is written by citizen-changes, in the same transaction as the change itself.
import type { Database, Sql } from '../db/database.ts';
import { ConflictError, GoneError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor, TaskStatus } from '../plugins/index.ts';
import { actorData, auditActor, recordCitizenChange, type TimelineEntry } from '../citizen-changes/index.ts';
import { lockProcess as lockProcessRow, setProcessStatus, type LockedProcess } from './processes-repo.ts';
import { addNoteShared, insertNoteIn, type NoteValues } from './notes-repo.ts';
import { findTasks, setTaskDueAt, setTaskStatus } from './tasks-repo.ts';
import { endOfUkDay, isIsoDate, ukDateOf, WorkingCalendar } from '../calendar/index.ts';
import { ukDate } from '@closeloop/sdk';

export interface ActionDeps {
  db: Database;
  /** The config's notifications.combineWindowSeconds. */
  notifyWindowSeconds: number;
  /** The working days of a service's council, for targets counted from a task's start (default: England and Wales's). */
  calendarOf?: (serviceId: string) => WorkingCalendar;
}

const DEFAULT_CALENDAR = new WorkingCalendar({ bankHolidays: 'england-and-wales' });

/** An action runs in the caller's transaction (e.g. one that also records an idempotency key) or in its own. */
export interface ActionOptions {
  transaction?: Sql;
}

function inTransaction<T>(deps: ActionDeps, options: ActionOptions, fn: (t: Sql) => Promise<T>): Promise<T> {
  return options.transaction ? fn(options.transaction) : deps.db.transaction(fn);
}

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  open: 'not started',
  in_progress: 'in progress',
  completed: 'completed',
  cancelled: 'cancelled',
};

async function lockProcess(processId: string, t: Sql): Promise<LockedProcess> {
  const p = await lockProcessRow(t, processId);
  if (!p) throw new NotFoundError('There is no such process');
  return p;
}

/**
 * Adds a note in one statement (notes-repo.ts; outside a transaction, shared with concurrent notes): not to a process
 * erased on the citizen's request (a note may carry personal data). The citizen hears of a public note through the
 * channel stored with the process.
 */
export async function addNote(
  deps: ActionDeps,
  processId: string,
  note: { text: string; visibleToCitizen: boolean },
  actor: Actor,
  options: ActionOptions = {},
): Promise<{ eventId: string }> {
  const text = note.text.trim();
  if (!text) throw new ValidationError('The note is empty', [{ field: 'text', message: 'Enter the note' }]);
  const values: NoteValues = {
    processId,
    visibleToCitizen: note.visibleToCitizen,
    text,
    data: JSON.stringify(actorData(actor)),
    actorName: actor.name,
    auditActor: auditActor(actor),
    auditDetail: JSON.stringify({ visibleToCitizen: note.visibleToCitizen, length: text.length }),
    windowSeconds: deps.notifyWindowSeconds,
  };
  // Outside a transaction, concurrent notes share one statement and one commit (notes-repo.ts).
  const row = options.transaction ? await insertNoteIn(options.transaction, values) : await addNoteShared(deps.db, values);
  if (row?.erased === null || row?.erased === undefined) throw new NotFoundError('There is no such process');
  if (!row.id) throw new GoneError('The personal data of this process was erased; notes can no longer be added');
  return { eventId: row.id };
}

export interface TaskUpdate {
  status: TaskStatus;
  note?: string;
  /** Whether the note is shown to the citizen (the status change always is). Default true. */
  visibleToCitizen?: boolean;
  /** When the task already has this status, do nothing at all (not even the note): for back offices that report state, not changes. */
  onlyIfStatusChanges?: boolean;
}

/** Updates a task and moves the process along: in progress once work starts, completed when every task is done. */
export async function updateTask(
  deps: ActionDeps,
  processId: string,
  taskKey: string,
  update: TaskUpdate,
  actor: Actor,
  options: ActionOptions = {},
): Promise<{ changed: boolean; processStatus: string }> {
  return inTransaction(deps, options, async (t) => {
    const p = await lockProcess(processId, t);
    if (p.status === 'closed') throw new ConflictError('The process is closed; its tasks can no longer change');
    if (p.erased_at && update.note?.trim()) throw new GoneError('The personal data of this process was erased; update the task without a note');
    const tasks = await findTasks(t, processId);
    const task = tasks.find((x) => x.key === taskKey);
    if (!task) throw new NotFoundError(`The process has no task "${taskKey}"`);
    const note = update.note?.trim();
    if (task.status === update.status && (!note || update.onlyIfStatusChanges)) return { changed: false, processStatus: p.status };

    if (task.status !== update.status) {
      await setTaskStatus(t, processId, taskKey, update.status);
      // A target counted from the task's start falls due from the day it first leaves "not started".
      if (task.status === 'open' && task.targetFrom === 'taskStart' && task.targetWorkingDays && !task.dueAt) {
        const calendar = deps.calendarOf?.(p.service_id) ?? DEFAULT_CALENDAR;
        await setTaskDueAt(t, processId, taskKey, calendar.dueAt(new Date(), task.targetWorkingDays));
      }
      task.status = update.status;
    }
    const visible = update.visibleToCitizen ?? true;
    const statusText = `${task.title}: ${TASK_STATUS_LABEL[update.status]}`;
    const entries: TimelineEntry[] = [
      { kind: 'task', text: note && visible ? `${statusText}. ${note}` : statusText, visibleToCitizen: true, data: { task: taskKey, status: update.status } },
    ];
    if (note && !visible) entries.push({ kind: 'note', text: note, visibleToCitizen: false, data: { task: taskKey } });

    const allDone = tasks.every((x) => x.status === 'completed' || x.status === 'cancelled');
    const anyStarted = tasks.some((x) => x.status !== 'open');
    const next = allDone ? 'completed' : anyStarted ? 'in_progress' : p.status === 'completed' ? 'in_progress' : p.status;
    if (next !== p.status) entries.push(await setStatus(t, p, next, null));
    await recordCitizenChange(deps, t, { processId, actor, entries, audit: { action: 'task.updated', detail: { task: taskKey, status: update.status } } });
    return { changed: true, processStatus: next };
  });
}

export interface TargetChange {
  /** The new target date, YYYY-MM-DD: the task is due by the end of that day in the UK. */
  dueDate: string;
  /** Why it is set or moved: the citizen sees it on their timeline. */
  reason: string;
}

/**
 * Sets or moves a task's target date, telling the citizen why ("Inspect the premises: we now aim to do this by 12
 * December 2026. The officer is away."). Refused for a closed process, a finished task, a date that has passed, and on a
 * process whose personal data was erased (the reason may carry some).
 */
export async function setTaskTarget(
  deps: ActionDeps,
  processId: string,
  taskKey: string,
  change: TargetChange,
  actor: Actor,
  options: ActionOptions = {},
): Promise<{ changed: boolean; dueAt: Date; processStatus: string }> {
  const reason = change.reason.trim();
  if (!reason) throw new ValidationError('A reason is needed', [{ field: 'targetReason', message: 'Enter why the target date is set or moved' }]);
  if (!isIsoDate(change.dueDate)) throw new ValidationError('The date is not valid', [{ field: 'dueDate', message: 'Enter a real date, as YYYY-MM-DD' }]);
  if (change.dueDate < ukDateOf(new Date()))
    throw new ValidationError('The date has passed', [{ field: 'dueDate', message: 'The target date must be today or in the future' }]);
  const dueAt = endOfUkDay(change.dueDate);
  return inTransaction(deps, options, async (t) => {
    const p = await lockProcess(processId, t);
    if (p.status === 'closed') throw new ConflictError('The process is closed; its tasks can no longer change');
    if (p.erased_at) throw new GoneError('The personal data of this process was erased; its targets can no longer be moved');
    const task = (await findTasks(t, processId)).find((x) => x.key === taskKey);
    if (!task) throw new NotFoundError(`The process has no task "${taskKey}"`);
    if (task.status === 'completed' || task.status === 'cancelled')
      throw new ConflictError(`The task is ${TASK_STATUS_LABEL[task.status]}; its target can no longer move`);
    if (task.dueAt?.getTime() === dueAt.getTime()) return { changed: false, dueAt, processStatus: p.status };
    await setTaskDueAt(t, processId, taskKey, dueAt);
    const text = `${task.title}: we now aim to do this by ${ukDate(dueAt)}. ${reason}`;
    const entry: TimelineEntry = {
      kind: 'task',
      text,
      visibleToCitizen: true,
      data: { task: taskKey, dueDate: change.dueDate, previousDueAt: task.dueAt?.toISOString() ?? null },
    };
    await recordCitizenChange(deps, t, {
      processId,
      actor,
      entries: [entry],
      audit: { action: 'task.target-set', detail: { task: taskKey, dueDate: change.dueDate } },
    });
    return { changed: true, dueAt, processStatus: p.status };
  });
}

export const PROCESS_STATUS_TEXT: Record<string, string> = {
  submitted: 'Submitted',
  received: 'Received by the team',
  in_progress: 'Work has started',
  completed: 'Completed',
  closed: 'Closed',
};

/** Moves the process to `status`; returns the timeline entry that tells the citizen. */
async function setStatus(t: Sql, p: LockedProcess, status: string, reason: string | null): Promise<TimelineEntry> {
  await setProcessStatus(t, p.id, status, reason);
  const text = reason ? `${PROCESS_STATUS_TEXT[status]}: ${reason}` : PROCESS_STATUS_TEXT[status]!;
  return { kind: 'status', text, visibleToCitizen: true, data: { status, from: p.status } };
}

export async function closeProcess(
  deps: ActionDeps,
  processId: string,
  reason: string,
  actor: Actor,
  options: ActionOptions = {},
): Promise<{ changed: boolean }> {
  const text = reason.trim();
  if (!text) throw new ValidationError('A reason is needed', [{ field: 'reason', message: 'Enter why the process is closed' }]);
  return inTransaction(deps, options, async (t) => {
    const p = await lockProcess(processId, t);
    if (p.status === 'closed') return { changed: false };
    const entry = await setStatus(t, p, 'closed', text);
    await recordCitizenChange(deps, t, { processId, actor, entries: [entry], audit: { action: 'process.closed' } });
    return { changed: true };
  });
}
