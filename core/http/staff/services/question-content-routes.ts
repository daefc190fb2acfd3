// The words around the questions: the start page's text (/questions/start), what the confirmation page says happens
// next (/questions/confirmation) and which questions give the citizen's contact details (/questions/contact).
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { contactCandidates, QuestionEditError, setContact, type ContactRole } from '../../../designer/questions.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { questionsBase } from './questions-list-routes.ts';

const TEXT_LIMIT = 5000;
const NONE = '_none';

/** The two texts: their definition key, page heading, hint and words for the audit log. */
const TEXTS = {
  start: {
    key: 'startPage',
    heading: 'Start page',
    label: 'What people should know before they start (optional)',
    hint: 'Shown under the description on the start page. Plain text: leave an empty line between paragraphs.',
    change: 'changed the start page text',
  },
  confirmation: {
    key: 'whatHappensNext',
    heading: 'Confirmation page',
    label: 'What happens next (optional)',
    hint: 'Shown on the confirmation page after someone sends the form, like how long it usually takes to hear back. Plain text: leave an empty line between paragraphs.',
    change: 'changed what the confirmation page says happens next',
  },
} as const;

type TextPage = keyof typeof TEXTS;

const squash = (s: string) => s.replace(/\r\n/g, '\n').trim();

export function mountQuestionContent(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  for (const page of Object.keys(TEXTS) as TextPage[]) {
    const spec = TEXTS[page];
    router.get(`/services/:serviceId/questions/${page}`, ...designers, async (ctx) => {
      const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
      sendText(ctx, hub, draft, page, draft.definition[spec.key] ?? '');
    });
    router.post(`/services/:serviceId/questions/${page}`, ...designers, async (ctx) => {
      const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
      const posted = squash(formBody(ctx).text ?? '');
      if (posted.length > TEXT_LIMIT) return sendText(ctx, hub, draft, page, posted, `The text must be ${TEXT_LIMIT} characters or less`);
      // Unchanged (line endings and outer spaces aside) keeps the text exactly as written.
      if (posted !== squash(draft.definition[spec.key] ?? '')) {
        await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), spec.change, (def) => {
          if (posted) def[spec.key] = posted;
          else delete def[spec.key];
        });
      }
      ctx.redirect(questionsBase(draft.serviceId));
    });
  }

  router.get('/services/:serviceId/questions/contact', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const c = draft.definition.contact ?? {};
    sendContact(ctx, hub, draft, { name: c.name ?? NONE, email: c.email ?? NONE, phone: c.phone ?? NONE });
  });

  router.post('/services/:serviceId/questions/contact', ...designers, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const body = formBody(ctx);
    const form = { name: body.name ?? '', email: body.email ?? '', phone: body.phone ?? '' };
    const chosen: Partial<Record<ContactRole, string | undefined>> = {};
    const errors: Record<string, string> = {};
    for (const role of ['name', 'email', 'phone'] as const) {
      const value = form[role];
      if (value === NONE) chosen[role] = undefined;
      else if (contactCandidates(draft.definition, role).some((f) => f.id === value)) chosen[role] = value;
      else errors[role] = `Select the question that asks for the ${WORDS[role]}, or none`;
    }
    if (Object.keys(errors).length) return sendContact(ctx, hub, draft, form, errors);
    const current = draft.definition.contact ?? {};
    if ((['name', 'email', 'phone'] as const).some((r) => current[r] !== chosen[r])) {
      try {
        await editDraft(hub, editorOf(ctx), draft.serviceId, postedRevision(ctx), 'changed which questions give the contact details', (def) =>
          setContact(def, chosen),
        );
      } catch (err) {
        if (!(err instanceof QuestionEditError)) throw err;
        return sendContact(ctx, hub, draft, form, { [err.field]: err.message });
      }
    }
    ctx.redirect(`${questionsBase(draft.serviceId)}#contact`);
  });
}

const WORDS: Record<ContactRole, string> = { name: 'name', email: 'email address', phone: 'phone number' };

function sendText(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, page: TextPage, text: string, error?: string): void {
  const spec = TEXTS[page];
  sendStaffPage(
    ctx,
    hub,
    'services/question-text.njk',
    {
      title: `${spec.heading} – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: questionsBase(draft.serviceId),
      page,
      spec,
      text,
      errors: { text: error },
      errorSummary: error ? [{ text: error, href: '#text' }] : undefined,
    },
    error ? 422 : 200,
  );
}

function sendContact(ctx: Koa.Context, hub: Hub, draft: WorkingDraft, form: Record<ContactRole, string>, errors: Record<string, string> = {}): void {
  const list = Object.entries(errors).map(([name, text]) => ({ text, href: `#${name}` }));
  const roles = (['name', 'email', 'phone'] as const).map((role) => ({
    role,
    legend: `Which question asks for the ${WORDS[role]}?`,
    items: [
      ...contactCandidates(draft.definition, role).map((f) => ({ value: f.id, text: f.label, checked: form[role] === f.id })),
      { value: NONE, text: 'None of them', checked: form[role] === NONE },
    ],
    error: errors[role],
  }));
  sendStaffPage(
    ctx,
    hub,
    'services/contact.njk',
    {
      title: `Contact details – ${draft.definition.title}`,
      section: 'services',
      draft,
      base: questionsBase(draft.serviceId),
      roles,
      errorSummary: list.length ? list : undefined,
    },
    list.length ? 422 : 200,
  );
}
