// What a back office can do to a process: add a note, update a task, close it. The REST API, signed callbacks and
// connector inbound routes all come through here, so the timeline, the process status, the citizen's notification and the
// audit entry are always written together, in one transaction.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ConflictError, GoneError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor, TaskStatus } from '../plugins/index.ts';
import { NOTIFY_SQL } from '../notify/outbox-sql.ts';
import type { ServiceCatalogue } from '../services/index.ts';
import { OUTBOX_CHANNEL } from '../delivery/outbox-channel.ts';
import { preparedStatement, runPrepared } from '../db/prepared.ts';

export interface ActionDeps {
  sequelize: Sequelize;
  catalogue: ServiceCatalogue;
  notifyWindowSeconds: number;
}

/** An action runs in the caller's transaction (e.g. one that also records an idempotency key) or in its own. */
export interface ActionOptions {
  transaction?: Transaction;
}

function inTransaction<T>(deps: ActionDeps, options: ActionOptions, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return options.transaction ? fn(options.transaction) : deps.sequelize.transaction(fn);
}

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  open: 'not started',
  in_progress: 'in progress',
  completed: 'completed',
  cancelled: 'cancelled',
};

interface LockedProcess {
  id: string;
  service_id: string;
  service_version: number;
  status: string;
  erased_at: Date | null;
}

async function lockProcess(deps: ActionDeps, processId: string, t: Transaction): Promise<LockedProcess & { channel: string | null }> {
  const rows = await deps.sequelize.query<LockedProcess>(
    'select id, service_id, service_version, status, erased_at from processes where id = $1 for update',
    { bind: [processId], type: QueryTypes.SELECT, transaction: t },
  );
  const p = rows[0];
  if (!p) throw new NotFoundError('There is no such process');
  const sv = await deps.catalogue.getVersion(p.service_id, p.service_version);
  return { ...p, channel: sv.definition.notify.channel ?? null };
}

/** A timeline entry, plus a notification when the citizen can see it. */
async function addEvent(
  deps: ActionDeps,
  t: Transaction,
  p: { id: string; channel: string | null },
  e: { kind: 'note' | 'task' | 'status'; text: string; visible: boolean; data: Record<string, unknown>; actor: Actor },
): Promise<void> {
  await deps.sequelize.query(
    `with e as (
       insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor)
       values ($1, $2, $3, $4, $5::jsonb, $6) returning process_id
     ), u as (
       update processes set updated_at = now() where id = $1 returning contact
     ), n as (
       ${NOTIFY_SQL('$1::uuid', '(select contact from u)', '(case when $3 then $7 else null end)', '$8', '$9')}
     )
     select pg_notify('${OUTBOX_CHANNEL}', 'notifications') from e`,
    {
      bind: [p.id, e.kind, e.visible, e.text, JSON.stringify({ ...e.data, by: e.actor.name }), e.actor.name, p.channel, e.text, deps.notifyWindowSeconds],
      type: QueryTypes.SELECT,
      transaction: t,
    },
  );
}

async function audit(deps: ActionDeps, t: Transaction, actor: Actor, action: string, processId: string, detail: Record<string, unknown>): Promise<void> {
  await deps.sequelize.query('insert into audit_events (actor, action, process_id, detail) values ($1, $2, $3, $4::jsonb)', {
    bind: [`${actor.kind}:${actor.name}`, action, processId, JSON.stringify(detail)],
    transaction: t,
  });
}

const ADD_NOTE = preparedStatement(
  'add_note',
  `with p as (
       update processes set updated_at = now() where id = $1 and erased_at is null
       returning id, contact, (select definition->'notify'->>'channel' from service_versions v where v.service_id = processes.service_id and v.version = processes.service_version) as channel
     ), e as (
       insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor)
       select id, 'note', $2, $3, $4::jsonb, $5 from p returning id
     ), n as (
       ${NOTIFY_SQL('(select id from p)', '(select contact from p)', '(select case when $2 then channel end from p)', '$3', '$6')}
       returning 1
     ), a as (
       insert into audit_events (actor, action, process_id, detail) select $7, 'note.added', id, $8::jsonb from p
     )
     select (select id::text from e) as id, (select erased_at is not null from processes where id = $1) as erased,
       (select pg_notify('${OUTBOX_CHANNEL}', 'notifications') from n) as woke`,
);

export async function addNote(
  deps: ActionDeps,
  processId: string,
  note: { text: string; visibleToCitizen: boolean },
  actor: Actor,
  options: ActionOptions = {},
): Promise<{ eventId: string }> {
  const text = note.text.trim();
  if (!text) throw new ValidationError('The note is empty', [{ field: 'text', message: 'Enter the note' }]);
  // One statement (so one round trip, atomic on its own): the process row is locked by its update, and a note is not
  // added to a process erased on the citizen's request (a note may carry personal data). The citizen's channel comes from
  // the service version the process was submitted under, which never changes.
  const [row] = await runPrepared<{ id: string | null; erased: boolean | null }>(
    deps.sequelize,
    ADD_NOTE,
    [processId, note.visibleToCitizen, text, JSON.stringify({ by: actor.name }), actor.name, deps.notifyWindowSeconds, `${actor.kind}:${actor.name}`, JSON.stringify({ visibleToCitizen: note.visibleToCitizen, length: text.length })],
    options.transaction,
  );
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
    const p = await lockProcess(deps, processId, t);
    if (p.status === 'closed') throw new ConflictError('The process is closed; its tasks can no longer change');
    if (p.erased_at && update.note?.trim()) throw new GoneError('The personal data of this process was erased; update the task without a note');
    const tasks = await deps.sequelize.query<{ key: string; title: string; status: TaskStatus }>(
      'select key, title, status from tasks where process_id = $1 order by position',
      { bind: [processId], type: QueryTypes.SELECT, transaction: t },
    );
    const task = tasks.find((x) => x.key === taskKey);
    if (!task) throw new NotFoundError(`The process has no task "${taskKey}"`);
    const note = update.note?.trim();
    if (task.status === update.status && (!note || update.onlyIfStatusChanges)) return { changed: false, processStatus: p.status };

    if (task.status !== update.status) {
      await deps.sequelize.query('update tasks set status = $3, updated_at = now() where process_id = $1 and key = $2', {
        bind: [processId, taskKey, update.status],
        transaction: t,
      });
      task.status = update.status;
    }
    const visible = update.visibleToCitizen ?? true;
    const statusText = `${task.title}: ${TASK_STATUS_LABEL[update.status]}`;
    await addEvent(deps, t, p, { kind: 'task', text: note && visible ? `${statusText}. ${note}` : statusText, visible: true, data: { task: taskKey, status: update.status }, actor });
    if (note && !visible) await addEvent(deps, t, p, { kind: 'note', text: note, visible: false, data: { task: taskKey }, actor });

    const allDone = tasks.every((x) => x.status === 'completed' || x.status === 'cancelled');
    const anyStarted = tasks.some((x) => x.status !== 'open');
    const next = allDone ? 'completed' : anyStarted ? 'in_progress' : p.status === 'completed' ? 'in_progress' : p.status;
    if (next !== p.status) await setStatus(deps, t, p, next, null, actor);
    await audit(deps, t, actor, 'task.updated', processId, { task: taskKey, status: update.status });
    return { changed: true, processStatus: next };
  });
}

export const PROCESS_STATUS_TEXT: Record<string, string> = {
  submitted: 'Submitted',
  received: 'Received by the team',
  in_progress: 'Work has started',
  completed: 'Completed',
  closed: 'Closed',
};

async function setStatus(deps: ActionDeps, t: Transaction, p: LockedProcess & { channel: string | null }, status: string, reason: string | null, actor: Actor): Promise<void> {
  await deps.sequelize.query('update processes set status = $2, closed_reason = $3, updated_at = now() where id = $1', {
    bind: [p.id, status, reason],
    transaction: t,
  });
  const text = reason ? `${PROCESS_STATUS_TEXT[status]}: ${reason}` : PROCESS_STATUS_TEXT[status]!;
  await addEvent(deps, t, p, { kind: 'status', text, visible: true, data: { status, from: p.status }, actor });
}

export async function closeProcess(deps: ActionDeps, processId: string, reason: string, actor: Actor, options: ActionOptions = {}): Promise<{ changed: boolean }> {
  const text = reason.trim();
  if (!text) throw new ValidationError('A reason is needed', [{ field: 'reason', message: 'Enter why the process is closed' }]);
  return inTransaction(deps, options, async (t) => {
    const p = await lockProcess(deps, processId, t);
    if (p.status === 'closed') return { changed: false };
    await setStatus(deps, t, p, 'closed', text, actor);
    await audit(deps, t, actor, 'process.closed', processId, {});
    return { changed: true };
  });
}
