// Adding and changing one question: /questions/new (choose its type), /questions/new/{type} and /questions/{id} (its
// details), /questions/{id}/remove. The details form is parsed by core/designer/question-form.ts; options are added,
// removed and moved with buttons that show the form again (nothing is saved until "Save question").
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import type { FieldInput } from '../../../services/index.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { addQuestion, findQuestion, mappingUses, questionPages, QuestionEditError, removeQuestion, updateQuestion } from '../../../designer/questions.ts';
import {
  blankQuestion,
  CUSTOM_FORMAT,
  defaultRequiredMessage,
  MAX_OPTIONS,
  NEW_PAGE,
  parseQuestionForm,
  questionFormValues,
  type FormValues,
} from '../../../designer/question-form.ts';
import {
  ALONE_ON_PAGE,
  ALWAYS_REQUIRED,
  ASKS_NOTHING,
  FILE_TYPES,
  QUESTION_TYPES,
  ROUTING_TYPES,
  typeName,
  type FieldType,
} from '../../../designer/question-types.ts';
import { laterPages, pageHeading } from '../../../designer/routing.ts';
import { itemDefinition, type ListQuestion } from '../../../designer/list-questions.ts';
import { CHECK_ANSWERS_PAGE } from '../../../services/index.ts';
import { conditionInWords } from '../../../designer/conditions.ts';
import { NAMED_FORMATS, formatOfPattern } from '../../../designer/named-formats.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { questionsBase } from './questions-list-routes.ts';

const NOT_FOUND = 'If you typed the web address, check it is correct.';

function isType(value: string | undefined): value is FieldType {
  return QUESTION_TYPES.some((t) => t.type === value);
}

function summaryOf(errors: Record<string, string>): { text: string; href: string }[] | undefined {
  const list = Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` }));
  return list.length ? list : undefined;
}

type OptionRow = { label: string; value: string; hint: string; goTo: string };

/** Option rows as the form shows them, changed by an "add", "remove" or "move" button (`action`). */
function optionRows(values: FormValues, action?: string): OptionRow[] {
  const count = Math.min(Number(values.optionCount) || 0, MAX_OPTIONS);
  let rows = Array.from({ length: count }, (_, i) => ({
    label: values[`option-${i}-label`] ?? '',
    value: values[`option-${i}-value`] ?? '',
    hint: values[`option-${i}-hint`] ?? '',
    goTo: values[`option-${i}-goTo`] ?? '',
  }));
  const m = /^(remove|up|down)-option-(\d+)$/.exec(action ?? '');
  if (action === 'add-option' && rows.length < MAX_OPTIONS) rows.push({ label: '', value: '', hint: '', goTo: '' });
  else if (m) {
    const i = Number(m[2]);
    if (m[1] === 'remove') rows = rows.filter((_, j) => j !== i);
    else {
      const j = m[1] === 'up' ? i - 1 : i + 1;
      if (rows[i] && rows[j]) [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
  }
  if (!rows.length) rows.push({ label: '', value: '', hint: '', goTo: '' }, { label: '', value: '', hint: '', goTo: '' });
  return rows;
}

function valuesWithRows(values: FormValues, rows: OptionRow[]): FormValues {
  const out: FormValues = Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('option-')));
  out.optionCount = String(rows.length);
  rows.forEach((r, i) => {
    out[`option-${i}-label`] = r.label;
    out[`option-${i}-value`] = r.value;
    out[`option-${i}-hint`] = r.hint;
    out[`option-${i}-goTo`] = r.goTo;
  });
  return out;
}

/** A question of a list ("add another") is edited on the same form, without a page, a condition or a "go to". */
export interface ItemScope {
  list: ListQuestion;
}

export function sendDetails(
  ctx: Koa.Context,
  hub: Hub,
  draft: WorkingDraft,
  type: FieldType,
  original: FieldInput | undefined,
  values: FormValues,
  errors: Record<string, string> = {},
  action?: string,
  extra: { scope?: ItemScope; notice?: string } = {},
): void {
  const scope = extra.scope;
  const def = scope ? itemDefinition(draft.definition, scope.list) : draft.definition;
  const questions = questionsBase(draft.serviceId);
  const base = scope ? `${questions}/${scope.list.id}/items` : questions;
  const rows = optionRows(values, action);
  const shown = valuesWithRows(values, rows);
  const custom = original && 'pattern' in original && original.pattern !== undefined && !formatOfPattern(original.pattern) ? original.pattern : undefined;
  const pages = questionPages(def);
  const label = original ? original.label : 'Add a question';
  const placement = shown.page === NEW_PAGE || shown.page === undefined ? { newPage: true as const } : { page: shown.page };
  const later = scope || !ROUTING_TYPES.includes(type) ? [] : laterPages(def, placement, original);
  const pageNumber = new Map(pages.map((p, i) => [p.id, i + 1]));
  sendStaffPage(
    ctx,
    hub,
    'services/question.njk',
    {
      title: `${original ? `Change ‘${label}’` : `New question: ${typeName(type).toLowerCase()}`} – ${draft.definition.title}`,
      section: 'services',
      draft,
      base,
      backLink: scope ? { href: `${questions}/${scope.list.id}`, text: `Back to ‘${scope.list.label}’` } : { href: questions, text: 'Back to the questions' },
      listLabel: scope?.list.label,
      notice: extra.notice,
      inList: Boolean(scope),
      action: original ? `${base}/${original.id}` : `${base}/new/${type}`,
      isNew: !original,
      headed: ASKS_NOTHING.includes(type) || type === 'declaration',
      asksNothing: ASKS_NOTHING.includes(type),
      alwaysRequired: ALWAYS_REQUIRED.includes(type),
      alonePage: ALONE_ON_PAGE.includes(type),
      routes: !scope && ROUTING_TYPES.includes(type),
      goToChoices: rows.map((r) => [
        { value: '', text: 'The next page', selected: !r.goTo },
        ...later.map((p) => ({ value: p.id, text: `Page ${pageNumber.get(p.id)}: ${pageHeading(p)}`, selected: r.goTo === p.id })),
        { value: CHECK_ANSWERS_PAGE, text: 'Check your answers', selected: r.goTo === CHECK_ANSWERS_PAGE },
        // A route the form cannot offer (an earlier page) is shown as it is, so saving without a change keeps it.
        ...(r.goTo && r.goTo !== CHECK_ANSWERS_PAGE && !later.some((p) => p.id === r.goTo)
          ? [{ value: r.goTo, text: `Page “${r.goTo}” (not after this question: choose another)`, selected: true }]
          : []),
      ]),
      itemQuestions:
        !scope && original?.type === 'list'
          ? original.fields.map((f, i, all) => ({
              id: f.id,
              label: f.label,
              typeName: typeName(f.type),
              required: f.required !== false,
              first: i === 0,
              last: i === all.length - 1,
            }))
          : undefined,
      type,
      typeName: typeName(type),
      form: shown,
      rows,
      errors,
      errorSummary: summaryOf(errors),
      defaultRequiredMessage: shown.label ? defaultRequiredMessage({ ...(original ?? blankQuestion(type)), label: shown.label } as FieldInput) : undefined,
      customPattern: custom,
      formats: [
        { value: '', text: 'Any text', checked: !shown.format },
        ...NAMED_FORMATS.map((f) => ({ value: f.id, text: f.name, hint: { text: `For example, ${f.example}` }, checked: shown.format === f.id })),
        ...(custom ? [{ value: CUSTOM_FORMAT, text: 'Custom format (set in YAML)', hint: { text: custom }, checked: shown.format === CUSTOM_FORMAT }] : []),
      ],
      fileTypes: FILE_TYPES.map((t) => ({
        name: `accept-${t.key}`,
        id: `accept-${t.key}`,
        value: 'yes',
        text: t.name,
        checked: shown[`accept-${t.key}`] === 'yes',
      })),
      otherFileTypes: original?.type === 'file' ? original.accept.filter((m) => !FILE_TYPES.some((t) => t.mediaType === m)) : [],
      pages: [
        ...pages
          .filter((p) => !p.fields.some((f) => ALONE_ON_PAGE.includes(f.type) && f !== original))
          .map((p) => ({
            value: p.id,
            text: `Page ${pageNumber.get(p.id)}: ${pageHeading(p)}`,
            checked: shown.page === p.id,
          })),
        { value: NEW_PAGE, text: original ? 'A new page of its own, after this one' : 'A new page at the end', checked: shown.page === NEW_PAGE },
      ],
      condition: original && !scope ? conditionInWords(def, original) : undefined,
      conditionLink: original ? `${base}/${original.id}/condition` : undefined,
      usedByMapping: original ? mappingUses(def, original.id) : false,
    },
    Object.keys(errors).length ? 422 : 200,
  );
}

export function mountQuestionDetails(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);
  const sid = (ctx: Koa.Context) => ctx.params.serviceId!;

  router.get('/services/:serviceId/questions/new', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    sendType(ctx, hub, draft);
  });

  router.post('/services/:serviceId/questions/new', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const type = formBody(ctx).type;
    if (!isType(type)) return sendType(ctx, hub, draft, 'Select the type of question');
    ctx.redirect(`${questionsBase(draft.serviceId)}/new/${type}`);
  });

  router.get('/services/:serviceId/questions/new/:type', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const type = ctx.params.type;
    if (!isType(type)) throw new NotFoundError(NOT_FOUND);
    sendDetails(ctx, hub, draft, type, undefined, questionFormValues(draft.definition, blankQuestion(type)));
  });

  router.post('/services/:serviceId/questions/new/:type', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const type = ctx.params.type;
    if (!isType(type)) throw new NotFoundError(NOT_FOUND);
    await saveDetails(ctx, hub, draft, type, undefined);
  });

  router.get('/services/:serviceId/questions/:fieldId', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const field = findQuestion(draft.definition, ctx.params.fieldId!);
    if (!field) throw new NotFoundError(NOT_FOUND);
    sendDetails(ctx, hub, draft, field.type, field, questionFormValues(draft.definition, field), {}, undefined, {
      notice: ctx.query.added === '1' && field.type === 'list' ? 'The list is saved. Now add the questions it asks about each thing.' : undefined,
    });
  });

  router.post('/services/:serviceId/questions/:fieldId', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const field = findQuestion(draft.definition, ctx.params.fieldId!);
    if (!field) throw new NotFoundError(NOT_FOUND);
    await saveDetails(ctx, hub, draft, field.type, field);
  });

  router.get('/services/:serviceId/questions/:fieldId/remove', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const field = findQuestion(draft.definition, ctx.params.fieldId!);
    if (!field) throw new NotFoundError(NOT_FOUND);
    sendRemove(ctx, hub, draft, field);
  });

  router.post('/services/:serviceId/questions/:fieldId/remove', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, sid(ctx));
    const field = findQuestion(draft.definition, ctx.params.fieldId!);
    if (!field) return ctx.redirect(questionsBase(draft.serviceId));
    const answer = formBody(ctx).confirm;
    if (answer !== 'yes' && answer !== 'no') return sendRemove(ctx, hub, draft, field, 'Select yes if you want to remove the question');
    if (answer === 'no') return ctx.redirect(questionsBase(draft.serviceId));
    try {
      await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), `removed the question “${field.label}”`, (def) => {
        removeQuestion(def, field.id);
      });
    } catch (err) {
      if (!(err instanceof QuestionEditError)) throw err;
      return sendRemove(ctx, hub, draft, field, err.message);
    }
    ctx.redirect(`${questionsBase(draft.serviceId)}?removed=1`);
  });
}

async function saveDetails(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, type: FieldType, original: FieldInput | undefined): Promise<void> {
  const body = formBody(ctx);
  const action = body.action ?? 'save';
  if (action !== 'save') return sendDetails(ctx, hub, draft, type, original, body, {}, action);
  const parsed = parseQuestionForm(draft.definition, type, body, original);
  if (Object.keys(parsed.errors).length) return sendDetails(ctx, hub, draft, type, original, body, parsed.errors);
  const change = original
    ? `changed the question “${parsed.field.label}”${parsed.field.id !== original.id ? ` (its id from “${original.id}” to “${parsed.field.id}”)` : ''}`
    : `added the question “${parsed.field.label}”`;
  try {
    await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), change, (def) => {
      if (original) updateQuestion(def, original.id, parsed.field, parsed.placement);
      else addQuestion(def, parsed.field, parsed.placement);
    });
  } catch (err) {
    if (!(err instanceof QuestionEditError)) throw err;
    return sendDetails(ctx, hub, draft, type, original, body, { [err.field === 'question' ? 'label' : err.field]: err.message });
  }
  // A new list asks nothing yet: its page is where its own questions are added.
  if (!original && parsed.field.type === 'list') return ctx.redirect(`${questionsBase(draft.serviceId)}/${parsed.field.id}?added=1`);
  ctx.redirect(`${questionsBase(draft.serviceId)}#question-${parsed.field.id}`);
}

function sendType(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, error?: string): void {
  sendStaffPage(
    ctx,
    hub,
    'services/question-type.njk',
    {
      title: `What type of question? – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: questionsBase(draft.serviceId),
      types: QUESTION_TYPES.map((t) => ({ value: t.type, text: t.name, hint: { text: t.hint } })),
      errors: { type: error },
      errorSummary: error ? [{ text: error, href: '#type' }] : undefined,
    },
    error ? 422 : 200,
  );
}

function sendRemove(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, field: FieldInput, error?: string): void {
  sendStaffPage(
    ctx,
    hub,
    'services/question-remove.njk',
    {
      title: `Remove ‘${field.label}’? – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: questionsBase(draft.serviceId),
      field,
      errors: { confirm: error },
      errorSummary: error ? [{ text: error, href: '#confirm' }] : undefined,
    },
    error ? 422 : 200,
  );
}
