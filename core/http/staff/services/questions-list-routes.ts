// The question builder's list at /staff/services/{id}/questions: the draft's questions grouped by page, with move
// buttons (small POST forms that work without JavaScript), page titles, and links to every other part of the builder.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import {
  movePage,
  moveQuestion,
  questionPages,
  QuestionEditError,
  reorderQuestions,
  setPageTitle,
  findQuestion,
  type Direction,
} from '../../../designer/questions.ts';
import { ASKS_NOTHING, typeName } from '../../../designer/question-types.ts';
import { routeInWords } from '../../../designer/routing.ts';
import { conditionInWords } from '../../../designer/conditions.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';

export const questionsBase = (serviceId: string) => `/staff/services/${serviceId}/questions`;

/** The list page; `problem` is a move that could not be made (said in the error summary). */
export function sendQuestionsPage(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, problem?: string, status = 200): void {
  const def = draft.definition;
  const pages = questionPages(def);
  const label = (id: string | undefined) => (id ? (findQuestion(def, id)?.label ?? id) : 'Not asked');
  sendStaffPage(
    ctx,
    hub,
    'services/questions.njk',
    {
      title: `Questions – ${def.title}`,
      section: 'services',
      serviceId: draft.serviceId,
      draft,
      base: questionsBase(draft.serviceId),
      // A fixed text: a message read from the address could be anyone's words in the console's banner.
      notice: ctx.query.removed === '1' ? 'The question was removed' : undefined,
      errorSummary: problem ? [{ text: problem, href: '#question-pages' }] : undefined,
      pages: pages.map((p, i) => ({
        id: p.id,
        title: p.title,
        heading: p.title,
        isFirst: i === 0,
        isLast: i === pages.length - 1,
        questions: p.fields.map((f) => ({
          id: f.id,
          label: f.label,
          typeName: typeName(f.type),
          answerNote: ASKS_NOTHING.includes(f.type) ? undefined : f.required !== false ? 'must be answered' : 'optional',
          condition: conditionInWords(def, f),
          routes:
            f.type === 'radios' || f.type === 'select'
              ? f.options.filter((o) => o.goTo).map((o) => `After ‘${o.label}’ it goes to ${routeInWords(def, o.goTo)}.`)
              : [],
          listQuestions:
            f.type === 'list' ? `Asks about each ${f.itemName || 'thing'}: ${f.fields.map((g) => g.label).join(', ') || 'nothing yet'}.` : undefined,
        })),
      })),
      contact: [
        { name: 'Name', value: label(def.contact?.name) },
        { name: 'Email address', value: label(def.contact?.email) },
        { name: 'Phone number', value: label(def.contact?.phone) },
      ],
    },
    status,
  );
}

/** Runs a question edit; a QuestionEditError shows the list again with the reason. Answers the saved draft or undefined. */
async function tryEdit(
  ctx: Koa.Context,
  hub: Hub,
  serviceId: string,
  change: string,
  edit: Parameters<typeof editDraft>[5],
): Promise<WorkingDraft | undefined> {
  try {
    return await editDraft(hub, editorOf(ctx), serviceId, postedRevision(ctx), change, edit);
  } catch (err) {
    if (!(err instanceof QuestionEditError)) throw err;
    sendQuestionsPage(ctx, hub, await draftForEditing(ctx, hub, serviceId), err.message, 422);
    return undefined;
  }
}

function direction(value: string | undefined): Direction | undefined {
  return value === 'up' || value === 'down' ? value : undefined;
}

export function mountQuestionList(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:serviceId/questions', ...designers, async (ctx) => {
    sendQuestionsPage(ctx, hub, await draftForEditing(ctx, hub, ctx.params.serviceId!));
  });

  router.post('/services/:serviceId/questions/move', ...designers, async (ctx) => {
    const serviceId = ctx.params.serviceId!;
    const draft = await draftForEditing(ctx, hub, serviceId);
    const body = formBody(ctx);
    const dir = direction(body.direction);
    const question = body.question ? findQuestion(draft.definition, body.question) : undefined;
    const page = body.page ? questionPages(draft.definition).findIndex((p) => p.id === body.page) : -1;
    if (!dir || (!question && page < 0)) return sendQuestionsPage(ctx, hub, draft, 'That question or page is no longer in this service. Try again.', 422);
    const change = question ? `moved the question “${question.label}” ${dir}` : `moved page ${page + 1} ${dir}`;
    const saved = await tryEdit(ctx, hub, serviceId, change, (def) => (question ? moveQuestion(def, question.id, dir) : movePage(def, body.page!, dir)));
    if (saved) ctx.redirect(`${questionsBase(serviceId)}#${question ? `question-${question.id}` : 'question-pages'}`);
  });

  // The drag-and-drop enhancement posts the whole new order ("a,b,c").
  router.post('/services/:serviceId/questions/order', ...designers, async (ctx) => {
    const serviceId = ctx.params.serviceId!;
    await draftForEditing(ctx, hub, serviceId);
    const body = formBody(ctx);
    const order = (body.order ?? '').split(',').filter(Boolean);
    const pages = body.pages === undefined ? undefined : body.pages.split(',').filter(Boolean);
    const saved = await tryEdit(ctx, hub, serviceId, 'changed the order of the questions', (def) => reorderQuestions(def, order, pages));
    if (saved) ctx.redirect(questionsBase(serviceId));
  });

  router.get('/services/:serviceId/questions/pages/:pageId', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    sendPageTitle(ctx, hub, draft, ctx.params.pageId!, draft.definition.pages?.[ctx.params.pageId!]?.title ?? '');
  });

  router.post('/services/:serviceId/questions/pages/:pageId', ...designers, async (ctx) => {
    const serviceId = ctx.params.serviceId!;
    const pageId = ctx.params.pageId!;
    const draft = await draftForEditing(ctx, hub, serviceId);
    const title = (formBody(ctx).title ?? '').trim();
    if (title.length > 200) return sendPageTitle(ctx, hub, draft, pageId, title, 'Page title must be 200 characters or less');
    if ((draft.definition.pages?.[pageId]?.title ?? '') === title) return ctx.redirect(questionsBase(serviceId));
    try {
      await editDraft(hub, editorOf(ctx), serviceId, postedRevision(ctx), title ? `set the page title “${title}”` : `removed a page title`, (def) =>
        setPageTitle(def, pageId, title),
      );
    } catch (err) {
      if (!(err instanceof QuestionEditError)) throw err;
      return sendPageTitle(ctx, hub, draft, pageId, title, err.message);
    }
    ctx.redirect(questionsBase(serviceId));
  });
}

function sendPageTitle(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, pageId: string, title: string, error?: string): void {
  const page = questionPages(draft.definition).find((p) => p.id === pageId);
  if (!page) throw new NotFoundError('If you typed the web address, check it is correct.');
  sendStaffPage(
    ctx,
    hub,
    'services/page-title.njk',
    {
      title: `Page title – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: questionsBase(draft.serviceId),
      pageId,
      questions: page.fields.map((f) => f.label),
      form: { title },
      errors: { title: error },
      errorSummary: errorSummary({ title: error }),
    },
    error ? 422 : 200,
  );
}
