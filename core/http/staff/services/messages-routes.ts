// The service's own wording of the e-mails and text messages the hub sends the citizen (when the form is sent, when the
// case changes): plain text with placeholders, checked (an unknown placeholder is refused, naming the ones available)
// and previewed with sample data before it is saved into the working draft.
import type Router from '@koa/router';
import type Koa from 'koa';
import {
  DEFAULT_MESSAGE_TEXTS,
  MESSAGE_KINDS,
  MESSAGE_PLACEHOLDERS,
  messageText,
  placeholderValues,
  type MessageKind,
  type MessageTexts,
  type NotificationMessage,
} from '@closeloop/sdk';
import type { Hub } from '../../../hub.ts';
import { editDraft, type WorkingDraft } from '../../../designer/drafts.ts';
import { serviceMessagesSchema } from '../../../services/index.ts';
import { newReference } from '../../../processes/reference.ts';
import { staffWithRole } from '../admin-access.ts';
import { errorSummary } from '../page-context.ts';
import { formBody } from '../form-body.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { hasUnusualCharacters, sameDefinition, sendDesignerPage, servicePath } from './designer-page.ts';

type Part = keyof MessageTexts;
const PARTS: Part[] = ['subject', 'body', 'sms'];
const PART_NAMES: Record<Part, string> = { subject: 'E-mail subject', body: 'E-mail body', sms: 'Text message' };
const KIND_HEADINGS: Record<MessageKind, { heading: string; when: string }> = {
  submitted: { heading: 'When the form is sent', when: 'Sent once the citizen sends the form, with their reference and tracking link.' },
  'submitted-received': {
    heading: 'When the form is sent and the team has it',
    when: 'Sent instead of the first message when the back office takes the case within a few seconds: one message says both.',
  },
  update: {
    heading: 'When the case changes',
    when: 'Sent when the back office adds a public note or changes a task (several changes close together go in one message).',
  },
};

type Messages = Partial<Record<MessageKind, MessageTexts>>;

export function mountMessages(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:serviceId/messages', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const messages = (draft.definition.messages ?? {}) as Messages;
    showPage(ctx, draft, messages, {}, messages);
  });

  router.post('/services/:serviceId/messages', ...guard, async (ctx) => {
    const draft = await draftForEditing(ctx, hub, ctx.params.serviceId!);
    const revision = postedRevision(ctx);
    const posted = readForm(ctx);
    const errors = problemsOf(posted);
    // "Preview" shows the wording as typed, with sample data, without saving it.
    if (Object.keys(errors).length || formBody(ctx).action === 'preview') return showPage(ctx, draft, posted, errors, Object.keys(errors).length ? {} : posted);
    const messages = Object.keys(posted).length ? posted : undefined;
    if (!sameDefinition(messages, draft.definition.messages)) {
      await editDraft(hub, editorOf(ctx), draft.serviceId, revision, 'changed the wording of the messages to the citizen', (d) => {
        if (messages) d.messages = messages;
        else delete d.messages;
      });
    }
    ctx.redirect(`${servicePath(draft.serviceId, '/messages')}?saved=1`);
  });

  function showPage(ctx: Koa.Context, draft: WorkingDraft, form: Messages, errors: Record<string, string>, previewOf: Messages) {
    const sample = sampleMessage(hub, draft);
    sendDesignerPage(ctx, hub, draft, 'messages.njk', {
      title: `Messages to the citizen – ${draft.definition.title}`,
      saved: ctx.query.saved === '1',
      action: servicePath(draft.serviceId, '/messages'),
      kinds: MESSAGE_KINDS.map((kind) => ({
        kind,
        ...KIND_HEADINGS[kind],
        placeholders: Object.entries(MESSAGE_PLACEHOLDERS[kind]).map(([name, text]) => ({ name: `((${name}))`, text })),
        parts: PARTS.map((part) => ({
          part,
          id: `${kind}-${part}`,
          name: PART_NAMES[part],
          value: form[kind]?.[part] ?? '',
          standard: DEFAULT_MESSAGE_TEXTS[kind][part],
          error: errors[`${kind}-${part}`],
        })),
        sampleValues: JSON.stringify(placeholderValues({ ...sample, kind })),
        standardTexts: JSON.stringify(DEFAULT_MESSAGE_TEXTS[kind]),
        preview: Object.fromEntries(
          PARTS.map((part) => [part, messageText({ ...sample, kind, ...(previewOf[kind] ? { texts: previewOf[kind] } : {}) }, part)]),
        ),
      })),
      errors,
      errorSummary: errorSummary(errors),
    });
  }
}

/** What the form holds: a part left empty is the standard wording (not saved); a kind with no part of its own is left out. */
function readForm(ctx: Koa.Context): Messages {
  const body = formBody(ctx);
  const out: Messages = {};
  for (const kind of MESSAGE_KINDS) {
    const texts: MessageTexts = {};
    for (const part of PARTS) {
      // Line endings as the browser sends them (CRLF) are kept as typed in a YAML file (LF).
      const value = (body[`${kind}-${part}`] ?? '').replace(/\r\n?/g, '\n').trim();
      if (value) texts[part] = value;
    }
    if (Object.keys(texts).length) out[kind] = texts;
  }
  return out;
}

function problemsOf(messages: Messages): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const kind of MESSAGE_KINDS)
    for (const part of PARTS) {
      const text = messages[kind]?.[part];
      if (text !== undefined && hasUnusualCharacters(text)) errors[`${kind}-${part}`] = `${PART_NAMES[part]} must not contain control characters`;
    }
  const parsed = serviceMessagesSchema.safeParse(messages);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const [kind, part] = issue.path as [MessageKind, Part];
      const id = `${kind}-${part}`;
      if (errors[id]) continue;
      errors[id] =
        issue.code === 'too_big'
          ? `${PART_NAMES[part]} must be ${(issue as { maximum?: number }).maximum} characters or fewer`
          : `${PART_NAMES[part]}: ${issue.message}`;
    }
  return errors;
}

/** A message as one of this service's citizens would get it, with made-up details. */
function sampleMessage(hub: Hub, draft: WorkingDraft): NotificationMessage {
  const def = draft.definition;
  const council = hub.councils.get(draft.council);
  return {
    notificationId: '00000000-0000-4000-8000-000000000000',
    to: { name: 'Sam Sample', email: 'sam.sample@example.com' },
    reference: newReference(def.referencePrefix && /^[A-Z]{2,6}$/.test(def.referencePrefix) ? def.referencePrefix : 'REF'),
    serviceId: draft.serviceId,
    serviceTitle: def.title,
    serviceNoun: def.noun ?? 'form',
    trackingUrl: `${hub.config.server.publicBaseUrl.replace(/\/$/, '')}/track/sample-tracking-link`,
    kind: 'submitted',
    updates: [{ text: 'We have visited the site and will clear it within 5 working days.', at: new Date().toISOString() }],
    council: { name: council.name },
  };
}
