// Cases: the search (a GET form in MOJ's filter layout, a page at a time) and a case's page, where caseworkers, council
// admins and operators add notes, update tasks and close the case; auditors read only. Another council's case, or a
// caseworker's case of a service it is not given, is not found.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { BadRequestError, GoneError } from '../../errors.ts';
import {
  addCaseNote,
  caseDocument,
  CASE_STATUSES,
  closeCase,
  findCases,
  loadCase,
  PAGE_SIZE,
  requireStaff,
  servicesFor,
  updateCaseTask,
  type CaseQuery,
  type StaffState,
  type StaffUser,
} from '../../staff/index.ts';
import { PROCESS_STATUS_TEXT, TASK_STATUS_LABEL } from '../../processes/index.ts';
import { COUNCIL_DOCUMENT_RULE, COUNCIL_DOCUMENT_TYPES_TEXT, megabytes } from '../../documents/index.ts';
import { attachmentDisposition } from '../content-disposition.ts';
import type { TaskStatus } from '../../plugins/index.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';
import { mountCaseDocuments, type CaseDocumentForm } from './case-documents-routes.ts';
import { caseWhere } from './case-where.ts';
import { allowWhereMap } from '../where-section.ts';
import { countText } from './count-text.ts';

const CHANGERS = ['operator', 'council-admin', 'caseworker'] as const;
const TASK_STATUSES = Object.keys(TASK_STATUS_LABEL) as TaskStatus[];
const MAX_NOTE = 5000;
const MAX_REASON = 2000;

const DONE: Record<string, string> = {
  note: 'Note added.',
  'public-note': 'Note added. The citizen will see it and is told by message.',
  task: 'Task updated.',
  closed: 'Case closed. The citizen is told the reason.',
  document: 'Document added. Only staff and back offices can see it.',
  'public-document': 'Document added. The citizen can download it from their tracking page and is told by message.',
};

export function mountCases(router: Router, hub: Hub): void {
  router.get('/cases', requireStaff(), async (ctx) => {
    const staff = staffOf(ctx);
    const services = servicesFor(hub, staff);
    const { query, values, errors } = readQuery(ctx.query, services);
    const position = pagePosition(ctx.query);
    const searched = Object.keys(errors).length ? null : await findCases(hub, staff, query, position);
    sendStaffPage(ctx, hub, 'cases.njk', {
      title: 'Cases',
      section: 'cases',
      values,
      errors,
      errorSummary: errorSummary(errors),
      serviceItems: [{ value: '', text: 'All services' }, ...services.map((s) => ({ value: s.id, text: s.title, selected: values.service === s.id }))],
      statuses: CASE_STATUSES.map((s) => ({ value: s, text: PROCESS_STATUS_TEXT[s], checked: query.statuses.includes(s) })),
      result: searched,
      countText: searched ? countText(searched.count, searched.countLimit, 'case', 'cases') : '',
      pageSize: PAGE_SIZE,
      nextHref: searched?.next ? `/staff/cases?${pageQuery(ctx.query, { after: searched.next })}` : null,
      previousHref: searched?.previous ? `/staff/cases?${pageQuery(ctx.query, { before: searched.previous })}` : null,
      statusText: PROCESS_STATUS_TEXT,
      clearHref: '/staff/cases',
    });
  });

  router.get('/cases/:id', requireStaff(), async (ctx) => {
    await sendCasePage(ctx, hub, staffOf(ctx), String(ctx.params.id), {});
  });

  router.post('/cases/:id/notes', requireStaff(...CHANGERS), async (ctx) => {
    const staff = staffOf(ctx);
    const id = String(ctx.params.id);
    const body = formBody(ctx);
    const text = (body.text ?? '').trim();
    const errors: Record<string, string> = {};
    if (!text) errors['note-text'] = 'Enter the note';
    else if (text.length > MAX_NOTE) errors['note-text'] = `The note must be ${MAX_NOTE} characters or fewer`;
    if (body.visibility !== 'public' && body.visibility !== 'private') errors['note-visibility'] = 'Select who can see the note';
    if (Object.keys(errors).length) return sendCasePage(ctx, hub, staff, id, { errors, note: { text: body.text, visibility: body.visibility } }, 400);
    await addCaseNote(hub, staff, id, { text, visibleToCitizen: body.visibility === 'public' });
    ctx.redirect(`/staff/cases/${id}?done=${body.visibility === 'public' ? 'public-note' : 'note'}#notes`);
  });

  router.post('/cases/:id/tasks/:key', requireStaff(...CHANGERS), async (ctx) => {
    const staff = staffOf(ctx);
    const id = String(ctx.params.id);
    const key = String(ctx.params.key);
    const body = formBody(ctx);
    const status = body.status as TaskStatus;
    const note = (body.note ?? '').trim();
    if (!TASK_STATUSES.includes(status)) throw new BadRequestError('Select the task’s status.');
    if (note.length > MAX_NOTE) {
      const errors = { [`task-${key}-note`]: `The note must be ${MAX_NOTE} characters or fewer` };
      return sendCasePage(ctx, hub, staff, id, { errors }, 400);
    }
    await updateCaseTask(hub, staff, id, key, { status, ...(note ? { note } : {}) });
    ctx.redirect(`/staff/cases/${id}?done=task#tasks`);
  });

  router.get('/cases/:id/close', requireStaff(...CHANGERS), async (ctx) => {
    const staff = staffOf(ctx);
    const page = await loadCase(hub, staff, String(ctx.params.id));
    sendStaffPage(ctx, hub, 'case-close.njk', { title: `Close case ${page.process.reference}`, section: 'cases', page });
  });

  router.post('/cases/:id/close', requireStaff(...CHANGERS), async (ctx) => {
    const staff = staffOf(ctx);
    const id = String(ctx.params.id);
    const reason = (formBody(ctx).reason ?? '').trim();
    const error = !reason ? 'Enter why the case is closed' : reason.length > MAX_REASON ? `The reason must be ${MAX_REASON} characters or fewer` : undefined;
    if (error) {
      const page = await loadCase(hub, staff, id);
      const errors = { reason: error };
      sendStaffPage(
        ctx,
        hub,
        'case-close.njk',
        { title: `Close case ${page.process.reference}`, section: 'cases', page, errors, errorSummary: errorSummary(errors), reason },
        400,
      );
      return;
    }
    await closeCase(hub, staff, id, reason);
    ctx.redirect(`/staff/cases/${id}?done=closed`);
  });

  mountCaseDocuments(router, hub, [...CHANGERS], (ctx, id, extra, status) => sendCasePage(ctx, hub, staffOf(ctx), id, extra, status));

  router.get('/cases/:id/documents/:documentId', requireStaff(), async (ctx) => {
    const doc = await caseDocument(hub, staffOf(ctx), String(ctx.params.id), String(ctx.params.documentId));
    if ('erasedAt' in doc) throw new GoneError('The documents of this case were erased.');
    ctx.type = doc.contentType;
    ctx.length = doc.size;
    ctx.set('Content-Disposition', attachmentDisposition(doc.name));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.body = doc.body;
  });
}

function staffOf(ctx: Koa.Context): StaffUser {
  return (ctx.state as StaffState).staff!;
}

async function sendCasePage(
  ctx: Koa.Context,
  hub: Hub,
  staff: StaffUser,
  id: string,
  extra: { errors?: Record<string, string>; note?: { text?: string; visibility?: string }; document?: CaseDocumentForm },
  status = 200,
): Promise<void> {
  const page = await loadCase(hub, staff, id);
  const canChange = (CHANGERS as readonly string[]).includes(staff.role);
  const open = page.process.status !== 'closed';
  const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
  const where = await caseWhere(hub, page);
  allowWhereMap(ctx, where);
  sendStaffPage(
    ctx,
    hub,
    'case.njk',
    {
      title: `Case ${page.process.reference}`,
      section: 'cases',
      page,
      where,
      canNote: canChange && !page.erased,
      canAddDocument: canChange && !page.erased,
      canChangeTasks: canChange && open,
      canClose: canChange && open,
      done,
      errors: extra.errors ?? {},
      errorSummary: errorSummary(extra.errors ?? {}),
      note: extra.note ?? {},
      document: extra.document ?? {},
      documentTypesText: COUNCIL_DOCUMENT_TYPES_TEXT,
      documentAccept: COUNCIL_DOCUMENT_RULE.accept.join(','),
      documentMaxText: megabytes(COUNCIL_DOCUMENT_RULE.maxSize),
      statusText: PROCESS_STATUS_TEXT,
      taskItems: Object.fromEntries(
        page.process.tasks.map((t) => [t.key, TASK_STATUSES.map((s) => ({ value: s, text: capitalise(TASK_STATUS_LABEL[s]), selected: s === t.status }))]),
      ),
      answerRows: page.process.questions.map((q) => ({ key: { text: q.label }, value: { text: q.answer ?? 'Not answered' } })),
      taskStatusText: Object.fromEntries(TASK_STATUSES.map((s) => [s, capitalise(TASK_STATUS_LABEL[s])])),
    },
    status,
  );
}

type Query = Record<string, string | string[] | undefined>;

function one(q: Query, name: string): string {
  const v = q[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

/** The search form's fields, checked: the query to run, what to put back in the form, and the errors. */
function readQuery(q: Query, services: { id: string }[]): { query: CaseQuery; values: Record<string, string>; errors: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const name of ['reference', 'externalRef', 'name', 'email', 'postcode', 'service', 'fromDay', 'fromMonth', 'fromYear', 'toDay', 'toMonth', 'toYear'])
    values[name] = one(q, name).slice(0, 300);
  const errors: Record<string, string> = {};
  const statuses = ([] as string[]).concat(q.status ?? []).filter((s) => (CASE_STATUSES as readonly string[]).includes(s));
  const query: CaseQuery = { statuses };
  if (values.reference) query.reference = values.reference.toUpperCase().replace(/\s+/g, '');
  if (values.externalRef) query.externalRef = values.externalRef;
  if (values.name) {
    if (values.name.length < 3) errors.name = 'Enter at least 3 letters of the name';
    else query.name = values.name.toLowerCase();
  }
  if (values.email) query.email = values.email.toLowerCase();
  if (values.postcode) {
    const postcode = normalisePostcode(values.postcode);
    if (!postcode) errors.postcode = 'Enter a full postcode, like SW1A 2AA';
    else query.postcode = postcode;
  }
  if (values.service) {
    if (!services.some((s) => s.id === values.service)) errors.service = 'Select a service from the list';
    else query.service = values.service;
  }
  for (const [which, label] of [
    ['from', 'Submitted from'],
    ['to', 'Submitted to'],
  ] as const) {
    const day = values[`${which}Day`]!;
    const month = values[`${which}Month`]!;
    const year = values[`${which}Year`]!;
    if (!day && !month && !year) continue;
    const date = isoDate(day, month, year);
    if (!date) errors[`${which}Day`] = `${label} must be a real date, like 27 3 2026`;
    else query[which] = date;
  }
  if (query.from && query.to && query.from > query.to) errors.toDay = 'Submitted to must be the same as or after submitted from';
  return { query, values: { ...values, status: statuses.join(',') }, errors };
}

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;

/** "so11aa" → "SO1 1AA", as the answers store postcodes; null when it is not a full UK postcode. */
export function normalisePostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (!POSTCODE.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

function isoDate(day: string, month: string, year: string): string | null {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (d.getUTCDate() !== Number(day) || d.getUTCMonth() !== Number(month) - 1) return null;
  return d.toISOString().slice(0, 10);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pagePosition(q: Query): { after: string } | { before: string } | null {
  const after = one(q, 'after');
  const before = one(q, 'before');
  if (UUID.test(after)) return { after };
  if (UUID.test(before)) return { before };
  return null;
}

/** The search's query string with another page position. */
function pageQuery(q: Query, position: { after: string } | { before: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (k === 'after' || k === 'before' || v === undefined) continue;
    for (const one of ([] as string[]).concat(v)) if (one !== '') params.append(k, one);
  }
  for (const [k, v] of Object.entries(position)) params.set(k, v);
  return params.toString();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
