// "Show this question only when…": /questions/{id}/condition chooses the earlier question with options (or none), then
// /questions/{id}/condition/{other} chooses "is" or "is not" and the answers. Two steps so it works without JavaScript.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import type { FieldInput } from '../../../services/index.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { findQuestion, hasOptions, QuestionEditError } from '../../../designer/questions.ts';
import { conditionCandidates, conditionOf, setCondition } from '../../../designer/conditions.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { questionsBase } from './questions-list-routes.ts';

const NOT_FOUND = 'If you typed the web address, check it is correct.';
const ALWAYS = '_always';

async function questionOf(ctx: Koa.Context, hub: Hub): Promise<{ draft: WorkingDraft; field: FieldInput }> {
  const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
  const field = findQuestion(draft.definition, ctx.params.fieldId!);
  if (!field) throw new NotFoundError(NOT_FOUND);
  return { draft, field };
}

export function mountQuestionConditions(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:serviceId/questions/:fieldId/condition', ...designers, async (ctx) => {
    const { draft, field } = await questionOf(ctx, hub);
    sendChooseQuestion(ctx, hub, draft, field);
  });

  router.post('/services/:serviceId/questions/:fieldId/condition', ...designers, async (ctx) => {
    const { draft, field } = await questionOf(ctx, hub);
    const chosen = formBody(ctx).field;
    const base = questionsBase(draft.serviceId);
    if (chosen === ALWAYS) {
      if (field.showIf)
        await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), `removed the condition of the question “${field.label}”`, (def) =>
          setCondition(def, field.id, undefined),
        );
      return ctx.redirect(`${base}/${field.id}`);
    }
    // A condition set in YAML on a question without options is kept as it is (the builder cannot edit it).
    if (chosen && chosen === field.showIf?.field && !conditionCandidates(draft.definition, field.id).some((f) => f.id === chosen))
      return ctx.redirect(`${base}/${field.id}`);
    if (!chosen || !conditionCandidates(draft.definition, field.id).some((f) => f.id === chosen))
      return sendChooseQuestion(ctx, hub, draft, field, 'Select a question, or that it is always asked');
    ctx.redirect(`${base}/${field.id}/condition/${chosen}`);
  });

  router.get('/services/:serviceId/questions/:fieldId/condition/:otherId', ...designers, async (ctx) => {
    const { draft, field } = await questionOf(ctx, hub);
    const other = candidate(draft, field, ctx.params.otherId!);
    const current = conditionOf(field);
    const same = current?.field === other.id ? current : undefined;
    sendChooseValues(ctx, hub, draft, field, other, { is: same ? (same.is ? 'is' : 'not') : '', values: same?.values ?? [] });
  });

  router.post('/services/:serviceId/questions/:fieldId/condition/:otherId', ...designers, async (ctx) => {
    const { draft, field } = await questionOf(ctx, hub);
    const other = candidate(draft, field, ctx.params.otherId!);
    const body = formBody(ctx);
    const values = hasOptions(other)
      ? other.options.map((o, i) => (body[`value-${i}`] === 'yes' ? o.value : undefined)).filter((v): v is string => v !== undefined)
      : [];
    const is = body.is === 'is' ? true : body.is === 'not' ? false : undefined;
    const errors: Record<string, string> = {};
    if (is === undefined) errors.is = 'Select whether the answer is or is not one of the options';
    if (!values.length) errors['value-0'] = 'Select at least one answer';
    if (Object.keys(errors).length) return sendChooseValues(ctx, hub, draft, field, other, { is: body.is ?? '', values }, errors);
    const choice = { field: other.id, is: is!, values };
    try {
      await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), `set when the question “${field.label}” is asked`, (def) =>
        setCondition(def, field.id, choice),
      );
    } catch (err) {
      if (!(err instanceof QuestionEditError)) throw err;
      return sendChooseValues(ctx, hub, draft, field, other, { is: body.is ?? '', values }, { 'value-0': err.message });
    }
    ctx.redirect(`${questionsBase(draft.serviceId)}/${field.id}`);
  });
}

function candidate(draft: WorkingDraft, field: FieldInput, otherId: string): FieldInput {
  const other = conditionCandidates(draft.definition, field.id).find((f) => f.id === otherId);
  if (!other) throw new NotFoundError(NOT_FOUND);
  return other;
}

function sendChooseQuestion(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, field: FieldInput, error?: string): void {
  const candidates = conditionCandidates(draft.definition, field.id);
  const current = field.showIf?.field;
  sendStaffPage(
    ctx,
    hub,
    'services/condition.njk',
    {
      title: `When is ‘${field.label}’ asked? – ${draft.definition.title}`,
      section: 'services',
      draft,
      field,
      base: questionsBase(draft.serviceId),
      items: [
        ...candidates.map((c) => ({ value: c.id, text: `Only when the answer to ‘${c.label}’ is (or is not) …`, checked: current === c.id })),
        ...(current && !candidates.some((c) => c.id === current)
          ? [{ value: current, text: `Keep the condition set in YAML on ‘${findQuestion(draft.definition, current)?.label ?? current}’`, checked: true }]
          : []),
        ...(candidates.length ? [{ divider: 'or' }] : []),
        { value: ALWAYS, text: 'Always ask it', checked: !current },
      ],
      noCandidates: !candidates.length,
      errors: { field: error },
      errorSummary: error ? [{ text: error, href: '#field' }] : undefined,
    },
    error ? 422 : 200,
  );
}

function sendChooseValues(
  ctx: Koa.Context,
  hub: Hub,
  draft: WorkingDraft,
  field: FieldInput,
  other: FieldInput,
  form: { is: string; values: string[] },
  errors: Record<string, string> = {},
): void {
  const options = hasOptions(other) ? other.options : [];
  const list = Object.entries(errors).map(([name, text]) => ({ text, href: `#${name}` }));
  sendStaffPage(
    ctx,
    hub,
    'services/condition-values.njk',
    {
      title: `When is ‘${field.label}’ asked? – ${draft.definition.title}`,
      section: 'services',
      draft,
      field,
      other,
      base: questionsBase(draft.serviceId),
      isItems: [
        { value: 'is', text: 'is one of', checked: form.is === 'is' },
        { value: 'not', text: 'is not any of', checked: form.is === 'not' },
      ],
      valueItems: options.map((o, i) => ({ name: `value-${i}`, id: `value-${i}`, value: 'yes', text: o.label, checked: form.values.includes(o.value) })),
      errors,
      errorSummary: list.length ? list : undefined,
    },
    list.length ? 422 : 200,
  );
}
