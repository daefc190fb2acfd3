// The questions a list ("add another") asks about each thing: /questions/{listId}/items/new (choose the type, from the
// simple types a list allows), /items/new/{type} and /items/{id} (the same details form as any question, without page,
// condition or "go to"), /items/{id}/remove and /items/move (move up or down within the list).
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import type { FieldInput } from '../../../services/index.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { QuestionEditError } from '../../../designer/questions.ts';
import { blankQuestion, parseQuestionForm, questionFormValues } from '../../../designer/question-form.ts';
import { LIST_ITEM_TYPES, QUESTION_TYPES, type FieldType } from '../../../designer/question-types.ts';
import {
  addItemQuestion,
  itemDefinition,
  listQuestion,
  moveItemQuestion,
  removeItemQuestion,
  updateItemQuestion,
  type ListQuestion,
} from '../../../designer/list-questions.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { questionsBase } from './questions-list-routes.ts';
import { sendDetails } from './question-routes.ts';

const NOT_FOUND = 'If you typed the web address, check it is correct.';

function isItemType(value: string | undefined): value is FieldType {
  return LIST_ITEM_TYPES.some((t) => t === value);
}

const listPage = (draft: WorkingDraft, list: ListQuestion) => `${questionsBase(draft.serviceId)}/${encodeURIComponent(list.id)}`;

async function theList(ctx: Koa.Context, hub: Hub): Promise<{ draft: WorkingDraft; list: ListQuestion }> {
  const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
  const list = listQuestion(draft.definition, ctx.params.listId!);
  if (!list) throw new NotFoundError(NOT_FOUND);
  return { draft, list };
}

function itemOf(list: ListQuestion, id: string): FieldInput {
  const item = list.fields.find((f) => f.id === id);
  if (!item) throw new NotFoundError(NOT_FOUND);
  return item as FieldInput;
}

export function mountListItems(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);
  const path = '/services/:serviceId/questions/:listId/items';

  router.get(`${path}/new`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    sendItemType(ctx, hub, draft, list);
  });

  router.post(`${path}/new`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const type = formBody(ctx).type;
    if (!isItemType(type)) return sendItemType(ctx, hub, draft, list, 'Select the type of question');
    ctx.redirect(`${listPage(draft, list)}/items/new/${type}`);
  });

  router.post(`${path}/move`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const body = formBody(ctx);
    const direction = body.direction === 'up' || body.direction === 'down' ? body.direction : undefined;
    if (!direction || !body.question) return ctx.redirect(listPage(draft, list));
    try {
      await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), `moved a question of the list “${list.label}”`, (def) =>
        moveItemQuestion(def, list.id, body.question!, direction),
      );
    } catch (err) {
      if (!(err instanceof QuestionEditError)) throw err;
    }
    ctx.redirect(`${listPage(draft, list)}#item-${body.question}`);
  });

  router.get(`${path}/new/:type`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const type = ctx.params.type;
    if (!isItemType(type)) throw new NotFoundError(NOT_FOUND);
    sendDetails(ctx, hub, draft, type, undefined, questionFormValues(itemDefinition(draft.definition, list), blankQuestion(type)), {}, undefined, {
      scope: { list },
    });
  });

  router.post(`${path}/new/:type`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const type = ctx.params.type;
    if (!isItemType(type)) throw new NotFoundError(NOT_FOUND);
    await saveItem(ctx, hub, draft, list, type, undefined);
  });

  router.get(`${path}/:itemId`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const item = itemOf(list, ctx.params.itemId!);
    sendDetails(ctx, hub, draft, item.type, item, questionFormValues(itemDefinition(draft.definition, list), item), {}, undefined, { scope: { list } });
  });

  router.post(`${path}/:itemId`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const item = itemOf(list, ctx.params.itemId!);
    await saveItem(ctx, hub, draft, list, item.type, item);
  });

  router.get(`${path}/:itemId/remove`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    sendItemRemove(ctx, hub, draft, list, itemOf(list, ctx.params.itemId!));
  });

  router.post(`${path}/:itemId/remove`, ...designers, async (ctx) => {
    const { draft, list } = await theList(ctx, hub);
    const item = list.fields.find((f) => f.id === ctx.params.itemId);
    if (!item) return ctx.redirect(listPage(draft, list));
    const answer = formBody(ctx).confirm;
    if (answer !== 'yes' && answer !== 'no') return sendItemRemove(ctx, hub, draft, list, item as FieldInput, 'Select yes if you want to remove the question');
    if (answer === 'no') return ctx.redirect(listPage(draft, list));
    try {
      await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), `removed the question “${item.label}” from the list “${list.label}”`, (def) => {
        removeItemQuestion(def, list.id, item.id);
      });
    } catch (err) {
      if (!(err instanceof QuestionEditError)) throw err;
      return sendItemRemove(ctx, hub, draft, list, item as FieldInput, err.message);
    }
    ctx.redirect(`${listPage(draft, list)}#list-questions`);
  });
}

async function saveItem(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, list: ListQuestion, type: FieldType, original: FieldInput | undefined): Promise<void> {
  const body = formBody(ctx);
  const action = body.action ?? 'save';
  const scope = { scope: { list } };
  if (action !== 'save') return sendDetails(ctx, hub, draft, type, original, body, {}, action, scope);
  const parsed = parseQuestionForm(itemDefinition(draft.definition, list), type, body, original);
  if (Object.keys(parsed.errors).length) return sendDetails(ctx, hub, draft, type, original, body, parsed.errors, undefined, scope);
  const change = original
    ? `changed the question “${parsed.field.label}” of the list “${list.label}”`
    : `added the question “${parsed.field.label}” to the list “${list.label}”`;
  try {
    await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), change, (def) => {
      if (original) updateItemQuestion(def, list.id, original.id, parsed.field);
      else addItemQuestion(def, list.id, parsed.field);
    });
  } catch (err) {
    if (!(err instanceof QuestionEditError)) throw err;
    return sendDetails(ctx, hub, draft, type, original, body, { [err.field === 'question' ? 'label' : err.field]: err.message }, undefined, scope);
  }
  ctx.redirect(`${listPage(draft, list)}#item-${parsed.field.id}`);
}

function sendItemType(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, list: ListQuestion, error?: string): void {
  sendStaffPage(
    ctx,
    hub,
    'services/question-type.njk',
    {
      title: `What type of question? – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: `${listPage(draft, list)}/items`,
      backHref: listPage(draft, list),
      backText: `Back to ‘${list.label}’`,
      typeHint: `Asked about each ${list.itemName || 'thing'} in the list ‘${list.label}’.`,
      types: QUESTION_TYPES.filter((t) => LIST_ITEM_TYPES.includes(t.type)).map((t) => ({ value: t.type, text: t.name, hint: { text: t.hint } })),
      errors: { type: error },
      errorSummary: error ? [{ text: error, href: '#type' }] : undefined,
    },
    error ? 422 : 200,
  );
}

function sendItemRemove(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, list: ListQuestion, field: FieldInput, error?: string): void {
  sendStaffPage(
    ctx,
    hub,
    'services/question-remove.njk',
    {
      title: `Remove ‘${field.label}’? – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: `${listPage(draft, list)}/items`,
      backHref: listPage(draft, list),
      backText: `Back to ‘${list.label}’`,
      removeHint: `Citizens will no longer be asked this about each ${list.itemName || 'thing'} once the service is published again.`,
      field,
      errors: { confirm: error },
      errorSummary: error ? [{ text: error, href: '#confirm' }] : undefined,
    },
    error ? 422 : 200,
  );
}
