// A service's own wording for the messages the hub sends a citizen: plain text with placeholders like ((reference)),
// filled in here so every channel fills them the same way (SMTP makes its HTML part from it; GOV.UK Notify receives it
// as personalisation). The placeholders each kind of message carries are listed once, for the designer and check-config.
import { ukDateTime } from './uk-dates.ts';
import type { NotificationMessage } from './channel.ts';

/** The kinds of message a service may word itself (the saved-form e-mail is the hub's own: SAVED_FORM_TEXTS). */
export type MessageKind = Exclude<NotificationMessage['kind'], 'saved-form'>;

/** One kind of message as a service words it; a part left out uses the hub's default wording. */
export interface MessageTexts {
  subject?: string;
  body?: string;
  sms?: string;
}

export const MESSAGE_KINDS: readonly MessageKind[] = ['submitted', 'submitted-received', 'update'];

const COMMON = {
  reference: 'the reference, for example NOI-7KX3M9QP',
  service: 'the service’s title',
  noun: 'what the citizen sent, for example “noise report”',
  trackingUrl: 'the citizen’s private tracking link',
  council: 'the council’s name',
  name: 'the citizen’s name (empty when not asked)',
};

/** The placeholders each kind of message may use, with what each becomes. */
export const MESSAGE_PLACEHOLDERS: Record<MessageKind, Record<string, string>> = {
  submitted: COMMON,
  'submitted-received': {
    ...COMMON,
    teamReference: 'the sentence “The team’s reference is 12345.” with the back office’s reference (empty when it gave none)',
  },
  update: { ...COMMON, update: 'what changed: each public note or task change, with its date and time' },
};

/** The hub's own wording, used where a service gives none (and as GOV.UK Notify's ((subject)) and ((body))). */
export const DEFAULT_MESSAGE_TEXTS: Record<MessageKind, Required<MessageTexts>> = {
  submitted: {
    subject: 'We have received your ((noun)) – ((reference))',
    body: 'We have received your ((noun)).\n\nYour reference is ((reference)).\n\nTrack your ((noun)):\n((trackingUrl))\n\nThis link is personal to you: do not share it. You cannot reply to this email.',
    sms: '((council)): we have received your ((noun)). Your reference is ((reference)). Track it at ((trackingUrl))',
  },
  'submitted-received': {
    subject: 'We have received your ((noun)) – ((reference))',
    body: 'We have received your ((noun)) and passed it to the team that deals with it.\n\nYour reference is ((reference)). ((teamReference))\n\nTrack your ((noun)):\n((trackingUrl))\n\nThis link is personal to you: do not share it. You cannot reply to this email.',
    sms: '((council)): we have received your ((noun)) and passed it to the team. Your reference is ((reference)). ((teamReference)) Track it at ((trackingUrl))',
  },
  update: {
    subject: 'Update on your ((noun)) – ((reference))',
    body: 'Update on your ((noun)):\n\n((update))\n\nYour reference is ((reference)).\n\nTrack your ((noun)):\n((trackingUrl))\n\nThis link is personal to you: do not share it. You cannot reply to this email.',
    sms: '((council)): update on your ((noun)) ((reference)): ((update)) Track it at ((trackingUrl))',
  },
};

/** The "save and come back later" e-mail: the one-time link back to an unfinished form, and when it stops working. */
export const SAVED_FORM_TEXTS: Required<MessageTexts> = {
  subject: 'Continue your form: ((service))',
  body: 'You saved your answers to ((service)).\n\nTo continue, open this link:\n((link))\n\nThe link works once, until ((expires)). Your answers will then be deleted.\n\nThis link is personal to you: do not share it. If you did not save a form, you can ignore this email. You cannot reply to this email.',
  sms: '((council)): continue your form ((service)) at ((link)) (works once, until ((expires)))',
};

const PLACEHOLDER = /\(\(([^()\s]*)\)\)/g;

/** Placeholders in a text that its kind of message does not carry (a typo, or one from another kind). */
export function unknownPlaceholders(kind: MessageKind, text: string): string[] {
  const known = MESSAGE_PLACEHOLDERS[kind];
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !Object.hasOwn(known, name)))];
}

/** What each placeholder becomes for one message. */
export function placeholderValues(message: NotificationMessage): Record<string, string> {
  return {
    reference: message.reference,
    service: message.serviceTitle,
    noun: message.serviceNoun,
    trackingUrl: message.trackingUrl,
    council: message.council.name,
    name: message.to.name ?? '',
    teamReference: message.externalRef ? `The team’s reference is ${message.externalRef}.` : '',
    update: message.updates.map((u) => `${ukDateTime(u.at)}\n${u.text}`).join('\n\n'),
    link: message.trackingUrl,
    expires: message.expiresAt ? ukDateTime(message.expiresAt) : '',
  };
}

/** The text with each known placeholder replaced (unknown ones, which check-config refuses, are left as typed). */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/** The message's own wording filled in: the service's where it gives one, the hub's default for the rest. */
export function messageText(message: NotificationMessage, part: keyof MessageTexts): string {
  const text = message.kind === 'saved-form' ? SAVED_FORM_TEXTS[part] : (message.texts?.[part] ?? DEFAULT_MESSAGE_TEXTS[message.kind][part]);
  const filled = fillPlaceholders(text, placeholderValues(message));
  // ((teamReference)) is empty when the back office gave no reference: no stray spaces where it stood.
  return message.kind === 'submitted-received' ? filled.replace(/[ \t]+(?=\n|$)/g, '').replace(/ {2,}/g, ' ') : filled;
}

/** A plain-text e-mail body as simple HTML: escaped, paragraphs at blank lines, the tracking link made a link. */
export function plainTextToHtml(text: string, trackingUrl?: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const link = trackingUrl ? escape(trackingUrl) : null;
  return text
    .split(/\n\s*\n/)
    .map((p) => {
      let html = escape(p.trim()).replace(/\n/g, '<br>\n');
      if (link) html = html.split(link).join(`<a href="${link}">${link}</a>`);
      return `<p>${html}</p>`;
    })
    .join('\n');
}
