// Back-office writes and polling: notes, tasks, timeline, close, and the process list for back offices that poll.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { ForbiddenError, BadRequestError } from '../../errors.ts';
import { listProcesses } from '../../processes/processes-repo.ts';
import { findTask, findTasks } from '../../processes/tasks-repo.ts';
import { clientMaySee } from '../../auth/api-keys.ts';
import {
  addNote,
  checkProcessAccess,
  closeProcess,
  loadProcessFor,
  setTaskTarget,
  timelineView,
  toTaskView,
  updateTask,
  type ActionDeps,
} from '../../processes/index.ts';
import type { Actor } from '../../plugins/index.ts';
import { clientOf } from '../auth.ts';
import { idempotent } from '../idempotency.ts';
import { defineRoute } from '../route.ts';
import { processIdParams, processStatus, taskView } from '../schemas.ts';

const noteBody = z.strictObject({
  text: z.string().min(1).max(5000).describe('The note. Shown to the citizen (and sent to them) only when visibleToCitizen is true.'),
  visibleToCitizen: z.boolean().describe('false keeps the note private to back offices'),
});

const taskBody = z
  .strictObject({
    status: z.enum(['open', 'in_progress', 'completed', 'cancelled']).optional().describe('The new status (give a status, a dueDate, or both)'),
    note: z.string().min(1).max(5000).optional().describe('Optional text shown with the status change'),
    visibleToCitizen: z.boolean().optional().describe('Whether the note is shown to the citizen (default true). The status change itself always is.'),
    dueDate: z.iso
      .date()
      .optional()
      .describe('Set or move the target date, YYYY-MM-DD (today or later): the task is due by 23:59:59 that day in the UK. Needs targetReason.'),
    targetReason: z.string().min(1).max(2000).optional().describe('Why the target date is set or moved: shown to the citizen, with the new date'),
  })
  .superRefine((b, ctx) => {
    if (b.status === undefined && b.dueDate === undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: 'Give a status, a dueDate, or both' });
    if (b.dueDate !== undefined && b.targetReason === undefined)
      ctx.addIssue({ code: 'custom', path: ['targetReason'], message: 'Enter why the target date is set or moved' });
    if (b.targetReason !== undefined && b.dueDate === undefined)
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'Enter the target date the reason is for' });
    if (b.note !== undefined && b.status === undefined)
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'A note goes with a status change: give the status too' });
  });

const closeBody = z.strictObject({ reason: z.string().min(1).max(2000).describe('Why the case is closed; shown to the citizen') });

const timelineEvent = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  kind: z.enum(['submitted', 'received', 'note', 'task', 'status', 'document']),
  text: z.string(),
  visibleToCitizen: z.boolean(),
  by: z.string().describe('Who made the change: a key name such as "Alloy EH", "citizen" or "system"'),
  data: z.record(z.string(), z.unknown()),
});

const listQuery = z
  .strictObject({
    service: z.string().optional().describe('Only this service'),
    status: processStatus.optional(),
    updatedSince: z.iso.datetime({ offset: true }).optional().describe('Only processes changed at or after this time (ISO 8601)'),
    reference: z.string().trim().min(1).max(40).toUpperCase().optional().meta({
      description: 'Only the process with this reference, the one the citizen and the back office were given (case and spaces around it do not matter)',
      example: 'NOI-7KX3M9QP',
    }),
    externalRef: z.string().min(1).max(300).optional().meta({
      description:
        'Only the process a back office knows by this reference of its own (its case number, as recorded when the delivery landed); give its binding too',
      example: 'CASE-2026-00042',
    }),
    binding: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'The binding (back office) whose reference externalRef is; only with externalRef', example: 'sandbox' }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().optional().describe('nextCursor from the previous page'),
  })
  .superRefine((q, ctx) => {
    // A back office's case number is unique only within that back office.
    if (q.externalRef !== undefined && q.binding === undefined)
      ctx.addIssue({ code: 'custom', path: ['binding'], message: 'Give the binding whose reference externalRef is' });
    if (q.binding !== undefined && q.externalRef === undefined)
      ctx.addIssue({ code: 'custom', path: ['externalRef'], message: 'binding is used only with externalRef' });
  });

const listItem = z.object({
  id: z.uuid(),
  reference: z.string(),
  serviceId: z.string(),
  status: processStatus,
  externalRef: z.string().nullable(),
  submittedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  erasedAt: z.iso.datetime().nullable().describe("When the citizen's personal data was erased (null: not erased)"),
  url: z.string(),
});

function actorOf(name: string): Actor {
  return { name, kind: 'api-client' };
}

export function backOfficeRoutes(hub: Hub) {
  const councilOf = (serviceId: string) => hub.councils.idOfService(hub.catalogue, serviceId);
  const deps: ActionDeps = {
    db: hub.db,
    notifyWindowSeconds: hub.config.notifications.combineWindowSeconds,
    calendarOf: (serviceId: string) => hub.councils.calendarOf(hub.catalogue, serviceId),
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/processes/{id}/notes',
      operationId: 'addNote',
      summary: 'Add a note (public notes are sent to the citizen)',
      tags: ['Back office'],
      auth: 'api-key',
      idempotent: true,
      params: processIdParams,
      body: noteBody,
      bodyExample: { text: 'An officer will visit on Tuesday between 9am and 1pm.', visibleToCitizen: true },
      responses: {
        201: { description: 'The note was added', schema: z.object({ id: z.string(), processId: z.uuid(), visibleToCitizen: z.boolean() }) },
        410: { description: "The process's personal data was erased: no notes can be added" },
      },
      async handler(ctx, { params, body }) {
        const client = clientOf(ctx);
        const id = await checkProcessAccess(hub.db, client, params.id, councilOf);
        await idempotent(ctx, hub.db, client.id, body, async (transaction) => {
          const { eventId } = await addNote(deps, id, body, actorOf(client.name), { transaction });
          return { status: 201, body: { id: eventId, processId: id, visibleToCitizen: body.visibleToCitizen } };
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/tasks',
      operationId: 'listTasks',
      summary: "A process's tasks and their status",
      tags: ['Back office'],
      auth: 'api-key',
      params: processIdParams,
      responses: { 200: { description: 'Tasks in order', schema: z.object({ tasks: z.array(taskView) }) } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(hub.db, clientOf(ctx), params.id, councilOf);
        const tasks = await findTasks(hub.db, row.id);
        ctx.body = { tasks: tasks.map((t) => toTaskView(t, row.status)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/processes/{id}/tasks/{taskKey}',
      operationId: 'updateTask',
      summary: 'Update or complete a task, or set or move its target date (the citizen is told)',
      description:
        'The process moves to in_progress once any task has started, and to completed when every task is completed or cancelled. ' +
        '`dueDate` with `targetReason` sets or moves the task\'s target: the citizen sees "We aim to do this by …" and the reason on their timeline. ' +
        'With both a status and a dueDate, the date is set first.',
      tags: ['Back office'],
      auth: 'api-key',
      idempotent: true,
      params: processIdParams.extend({ taskKey: z.string() }),
      body: taskBody,
      bodyExample: { status: 'completed', note: 'The officer visited and spoke to the neighbour.' },
      responses: {
        200: { description: 'The task after the change', schema: z.object({ task: taskView, processStatus, changed: z.boolean() }) },
        410: { description: "The process's personal data was erased: update the task without a note (targets can no longer move)" },
        409: { description: 'The process is closed (its tasks can no longer change), or the task is finished (its target can no longer move)' },
        422: { description: 'A target date that is not a real date or has passed, or a missing targetReason' },
      },
      async handler(ctx, { params, body }) {
        const client = clientOf(ctx);
        const id = await checkProcessAccess(hub.db, client, params.id, councilOf);
        await idempotent(ctx, hub.db, client.id, body, async (transaction) => {
          const actor = actorOf(client.name);
          let changed = false;
          let processStatus = '';
          if (body.dueDate !== undefined) {
            const target = await setTaskTarget(deps, id, params.taskKey, { dueDate: body.dueDate, reason: body.targetReason ?? '' }, actor, { transaction });
            ({ changed, processStatus } = target);
          }
          if (body.status !== undefined) {
            const result = await updateTask(deps, id, params.taskKey, { ...body, status: body.status }, actor, { transaction });
            changed ||= result.changed;
            processStatus = result.processStatus;
          }
          const task = await findTask(transaction ?? hub.db, id, params.taskKey);
          return { status: 200, body: { task: toTaskView(task!, processStatus), processStatus, changed } };
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/processes/{id}/close',
      operationId: 'closeProcess',
      summary: 'Close a process with a reason (the citizen is told)',
      tags: ['Back office'],
      auth: 'api-key',
      idempotent: true,
      params: processIdParams,
      body: closeBody,
      bodyExample: { reason: 'No further action: the noise has stopped.' },
      responses: { 200: { description: 'Closed', schema: z.object({ status: z.literal('closed'), changed: z.boolean() }) } },
      async handler(ctx, { params, body }) {
        const client = clientOf(ctx);
        const id = await checkProcessAccess(hub.db, client, params.id, councilOf);
        await idempotent(ctx, hub.db, client.id, body, async (transaction) => {
          const result = await closeProcess(deps, id, body.reason, actorOf(client.name), { transaction });
          return { status: 200, body: { status: 'closed', changed: result.changed } };
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes/{id}/timeline',
      operationId: 'getTimeline',
      summary: "A process's whole timeline, newest first (including private notes)",
      tags: ['Back office'],
      auth: 'api-key',
      params: processIdParams,
      responses: { 200: { description: 'Events', schema: z.object({ events: z.array(timelineEvent) }) } },
      async handler(ctx, { params }) {
        const row = await loadProcessFor(hub.db, clientOf(ctx), params.id, councilOf);
        ctx.body = { events: await timelineView(hub.db, row.id, false) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/processes',
      operationId: 'listProcesses',
      summary: 'Processes of the services this key may see, oldest change first (for back offices that poll), or the one with a given reference',
      description:
        "A back office that knows only the citizen's reference (`?reference=NOI-7KX3M9QP`) or its own case number (`?externalRef=CASE-2026-00042&binding=alloy-envhealth`) finds the process id here. A process the key may not see is simply not in the list.",
      tags: ['Back office'],
      auth: 'api-key',
      query: listQuery,
      responses: { 200: { description: 'A page of processes', schema: z.object({ processes: z.array(listItem), nextCursor: z.string().nullable() }) } },
      async handler(ctx, { query }) {
        const client = clientOf(ctx);
        if (query.service && !clientMaySee(client, query.service, councilOf(query.service))) throw new ForbiddenError('This key may not see that service');
        const seeAll = client.admin || client.services.includes('*');
        const serviceIn: string[][] = [];
        if (query.service) serviceIn.push([query.service]);
        else if (!seeAll) serviceIn.push(client.services);
        // A council's key lists only its council's services, whatever else it names.
        if (client.council !== null) serviceIn.push(hub.councils.servicesOf(hub.catalogue, client.council));
        const after = query.cursor ? decodeCursor(query.cursor) : undefined;
        const rows = await listProcesses(hub.db, {
          serviceIn,
          status: query.status,
          updatedSince: query.updatedSince ? new Date(query.updatedSince) : undefined,
          reference: query.reference,
          external: query.externalRef && query.binding ? { binding: query.binding, externalRef: query.externalRef } : undefined,
          after: after && { updatedAt: after[0], id: after[1] },
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        ctx.body = {
          processes: page.map((p) => ({
            id: p.id,
            reference: p.reference,
            serviceId: p.serviceId,
            status: p.status,
            externalRef: p.externalRef,
            submittedAt: p.submittedAt.toISOString(),
            updatedAt: p.updatedAt.toISOString(),
            erasedAt: p.erasedAt ? p.erasedAt.toISOString() : null,
            url: `/api/v1/processes/${p.id}`,
          })),
          nextCursor: rows.length > query.limit && last ? encodeCursor(last.updatedAt, last.id) : null,
        };
      },
    }),
  ];
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) throw new BadRequestError('The cursor is not valid');
  return [date, id!];
}
