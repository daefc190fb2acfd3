// The service (online form) definition that council staff write in config/services/*.yaml.
// This zod schema is the single source for validation, the published JSON Schema and the OpenAPI document.
import { z } from 'zod';
import { MAX_WORKING_DAYS } from '../calendar/index.ts';
import { MESSAGE_KINDS, MESSAGE_PLACEHOLDERS, unknownPlaceholders } from '@closeloop/sdk';

const fieldId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must start with a letter and use only letters, digits and _');

/** Where "check your answers" lives among a form's pages: a `goTo` may name it to skip every page left. */
export const CHECK_ANSWERS_PAGE = 'check-answers';

export const optionSchema = z.object({
  value: z.string().min(1),
  label: z.string().min(1),
  hint: z.string().optional(),
  /** Routing by answer (radios and select only): choosing this option goes on to this later page (or
   * "check-answers"), skipping the pages between; their questions are not asked. */
  goTo: z.string().min(1).max(100).optional().describe('A later page id, or check-answers: where this answer leads'),
});

/** The catalogue's categories, in the order the home page lists them. */
export const SERVICE_CATEGORIES = {
  'noise-and-nuisance': 'Noise and nuisance',
  'pests-and-animals': 'Pests and animals',
  'food-safety': 'Food safety',
  housing: 'Housing',
  'waste-and-streets': 'Waste and streets',
  'pollution-and-environment': 'Pollution and the environment',
  'licensing-and-registration': 'Licensing and registration',
} as const;
export type ServiceCategory = keyof typeof SERVICE_CATEGORIES;
const CATEGORY_IDS = Object.keys(SERVICE_CATEGORIES) as [ServiceCategory, ...ServiceCategory[]];

/**
 * Show a question only when an earlier answer has one of the given values (`equals`, `in`), or has none of them
 * (`notIn`: "is not"; an unanswered question has none, so the question is shown).
 */
export const conditionSchema = z
  .object({
    field: fieldId,
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
    notIn: z.array(z.string()).min(1).optional(),
  })
  .refine((c) => [c.equals, c.in, c.notIn].filter((v) => v !== undefined).length === 1, 'give exactly one of equals, in or notIn');

const fieldBase = {
  id: fieldId,
  label: z.string().min(1),
  hint: z.string().optional(),
  required: z.boolean().default(true),
  /** The error shown when a required question is not answered (GOV.UK style, e.g. "Enter your full name"). */
  requiredMessage: z.string().optional(),
  /**
   * How error messages name the question, as it reads after "Enter" or "Select": "the date the problem started" gives
   * "Enter the date the problem started" and "Date the problem started must be today or in the past". Absent: made from
   * the label when the label is not itself a question.
   */
  errorName: z.string().min(1).optional(),
  /** Questions sharing a page id are asked on one page; a question without one gets a page of its own. */
  page: z.string().optional(),
  showIf: conditionSchema.optional(),
};

/** Plain text shown on a page: paragraphs split by blank lines. */
const paragraphs = z.string().trim().min(1).max(5000);

/** What a page that asks nothing has: a heading (`label`), its place among the pages and its condition. */
const shownOnlyBase = {
  id: fieldId,
  /** The page's heading. */
  label: z.string().min(1),
  /** Shown under the heading, in grey: GOV.UK's hint text. */
  hint: z.string().optional(),
  /** Nothing to answer, so never required (present so every question reads alike). */
  required: z.literal(false, { error: 'a page that asks nothing cannot be required' }).default(false),
  page: z.string().optional(),
  showIf: conditionSchema.optional(),
};

const textField = z.object({
  ...fieldBase,
  type: z.enum(['text', 'textarea', 'email', 'phone']),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().positive().optional(),
  /** Matched with RE2 (linear time): no backreferences or lookaround; answers longer than maxLength (or 10,000) are refused first. */
  pattern: z.string().optional().describe('A regular expression in RE2 syntax (no backreferences or lookaround) the whole answer must match'),
  patternMessage: z.string().optional(),
});

const numberField = z.object({
  ...fieldBase,
  type: z.literal('number'),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
});

const dateField = z.object({
  ...fieldBase,
  type: z.enum(['date', 'datetime']),
  /** Reject dates in the future (e.g. "when did it happen"). */
  notInFuture: z.boolean().default(false),
});

const choiceField = z.object({
  ...fieldBase,
  type: z.enum(['select', 'radios', 'checkboxes']),
  options: z.array(optionSchema).min(1),
});

const addressField = z.object({
  ...fieldBase,
  type: z.literal('address'),
  /** Also accept a location given only as coordinates (easting/northing or latitude/longitude). */
  allowLocationOnly: z.boolean().default(false),
});

/** A place not at an address (fly-tipping on a verge): a pin on a map, or a description and the nearest street (see location-answer.ts). */
const locationField = z.object({
  ...fieldBase,
  type: z.literal('location'),
});

const fileField = z.object({
  ...fieldBase,
  type: z.literal('file'),
  /** Accepted media types, checked against the file's real bytes. */
  accept: z.array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/)).min(1),
  /** Largest single file in bytes. */
  maxSize: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  multiple: z.boolean().default(false),
  maxFiles: z.number().int().positive().default(5),
});

/** A page of information that asks nothing (what to do first, what we will and will not do). */
const contentField = z.object({
  ...shownOnlyBase,
  type: z.literal('content'),
  body: paragraphs,
  /** A GOV.UK warning text under the body ("If someone is in danger, call 999"). */
  warning: z.string().trim().min(1).max(500).optional(),
});

/** An exit page: reached (by a goTo or its showIf), the form ends there ("This is not something we deal with"). */
const exitField = z.object({
  ...shownOnlyBase,
  type: z.literal('exit'),
  body: paragraphs,
});

/** Something the citizen must agree to before sending: one checkbox, always required; the answer is true. */
const declarationField = z.object({
  ...fieldBase,
  type: z.literal('declaration'),
  required: z.literal(true, { error: 'a declaration is always required' }).default(true),
  /** The text agreed to. */
  body: paragraphs,
  /** The checkbox's label: "I confirm that the information I have given is correct". */
  confirm: z.string().trim().min(1).max(300),
});

/** An amount in pounds; the answer is kept as text with two decimal places ("1250.00"). */
const moneyField = z.object({
  ...fieldBase,
  type: z.literal('money'),
  min: z.number().min(0).max(1_000_000_000).optional(),
  max: z.number().positive().max(1_000_000_000).optional(),
  /** Only whole pounds (no pence). */
  wholePounds: z.boolean().default(false),
});

/** What a list's items ask: the simple question types, with no page or condition of their own. */
const ITEM_OMIT = { page: true, showIf: true } as const;
export const listItemFieldSchema = z.discriminatedUnion('type', [
  textField.omit(ITEM_OMIT),
  numberField.omit(ITEM_OMIT),
  moneyField.omit(ITEM_OMIT),
  dateField.omit(ITEM_OMIT),
  choiceField.omit(ITEM_OMIT).extend({ type: z.enum(['select', 'radios']), options: z.array(optionSchema.omit({ goTo: true })).min(1) }),
]);

/** "Add another": several items of the same questions (several people affected, several vehicles). */
const listField = z.object({
  ...fieldBase,
  type: z.literal('list'),
  /** One item, as it reads after "Add another": "person", "vehicle". */
  itemName: z.string().trim().min(1).max(40),
  fields: z.array(listItemFieldSchema).min(1).max(10),
  /** Fewest items; absent: 1 when the question is required, else 0. */
  minItems: z.number().int().min(0).max(50).optional(),
  maxItems: z.number().int().min(1).max(50).default(10),
});

export const fieldSchema = z.discriminatedUnion('type', [
  textField,
  numberField,
  dateField,
  choiceField,
  addressField,
  locationField,
  fileField,
  contentField,
  exitField,
  declarationField,
  moneyField,
  listField,
]);

/** Question types that ask nothing: no answer is kept, no mapping may read one. */
export const SHOWN_ONLY_TYPES: readonly string[] = ['content', 'exit'];

/** Does this question take an answer (it is not a content or exit page)? */
export function asksSomething<F extends { type: string }>(field: F): field is Exclude<F, { type: 'content' | 'exit' }> {
  return !SHOWN_ONLY_TYPES.includes(field.type);
}

/** A task's target: N working days from the submission, or from when the task starts (leaves "not started"). */
export const targetSchema = z
  .strictObject({
    workingDays: z
      .number()
      .int('must be a whole number of working days')
      .min(1, 'must be at least 1 working day')
      .max(MAX_WORKING_DAYS, `must be at most ${MAX_WORKING_DAYS} working days`)
      .describe('Working days to do the task in'),
    from: z
      .enum(['submission', 'taskStart'], { error: 'must be submission or taskStart' })
      .default('submission')
      .describe('Counted from the day the citizen sent the form (submission) or the day the task started (taskStart)'),
  })
  .describe('When the council aims to have the task done; the citizen sees "We aim to do this by …"');

export const taskSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and -'),
  title: z.string().min(1),
  /** Shown to the citizen on the tracking page. */
  description: z.string().optional(),
  /** When the council aims to have the task done, in working days (weekends, bank holidays and the council's extraHolidays skipped). */
  target: targetSchema.optional(),
});

/** One kind of message in the service's own words: plain text with placeholders such as ((reference)). */
const messageTextsSchema = z.strictObject({
  subject: z.string().trim().min(1).max(200).optional().describe('E-mail subject line'),
  body: z.string().trim().min(1).max(5000).optional().describe('E-mail body, plain text (the HTML part is made from it)'),
  sms: z.string().trim().min(1).max(918).optional().describe('Text message (SMS); at most 918 characters, 6 messages'),
});

/** The service's wording for each kind of message the hub sends the citizen; a part left out uses the hub's own. */
export const serviceMessagesSchema = z
  .strictObject({
    submitted: messageTextsSchema.optional(),
    'submitted-received': messageTextsSchema
      .optional()
      .describe('The one confirmation sent when the back office takes the case within notifications.confirmationWindowSeconds'),
    update: messageTextsSchema.optional(),
  })
  .superRefine((messages, ctx) => {
    for (const kind of MESSAGE_KINDS) {
      for (const [part, text] of Object.entries(messages[kind] ?? {})) {
        const unknown = unknownPlaceholders(kind, text ?? '');
        if (unknown.length)
          ctx.addIssue({
            code: 'custom',
            path: [kind, part],
            message: `${unknown.map((u) => `((${u}))`).join(', ')} ${unknown.length === 1 ? 'is not a placeholder' : 'are not placeholders'} of this message: use ${Object.keys(
              MESSAGE_PLACEHOLDERS[kind],
            )
              .map((p) => `((${p}))`)
              .join(', ')}`,
          });
      }
    }
  });

/** Page ids the form's own pages use (core/http/routes/form-flow.ts, save-and-return.ts). */
const RESERVED_PAGE_IDS: readonly string[] = ['check-answers', 'confirmation', 'save-and-return'];

export const serviceDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and -'),
    title: z.string().min(1),
    description: z.string().optional(),
    /** More of the start page, under the description ("before you start"): plain text, paragraphs split by blank lines. */
    startPage: z.string().min(1).max(5000).optional(),
    /** The confirmation page's "What happens next": plain text, paragraphs split by blank lines. */
    whatHappensNext: z.string().min(1).max(5000).optional(),
    /** What the citizen sends, as it reads after "your": "noise report" gives "Now send your noise report" and "Track your
     * noise report". Absent: "form". */
    noun: z.string().min(1).optional(),
    /** Headings of pages that ask several questions, by page id: `when: { title: When the noise happens }`. A page
     * without one is headed by its id ("when" → "When"); a page with one question is headed by that question. */
    pages: z.record(z.string(), z.strictObject({ title: z.string().min(1) })).optional(),
    /** Prefix of the human reference, e.g. NOI → NOI-7KX3M9QP. */
    referencePrefix: z.string().regex(/^[A-Z]{2,6}$/, 'use 2 to 6 capital letters'),
    /** Where the service is listed in the catalogue (the home page, GET /api/v1/services, closeloop services list). */
    category: z.enum(CATEGORY_IDS, { error: `must be one of ${CATEGORY_IDS.join(', ')}` }).optional(),
    fields: z.array(fieldSchema).min(1),
    tasks: z.array(taskSchema).min(1),
    /** Which answers are the citizen's contact details. */
    contact: z
      .object({
        name: fieldId.optional(),
        email: fieldId.optional(),
        phone: fieldId.optional(),
      })
      .default({}),
    /** The council that owns this service (an id from closeloop.yaml); absent: the hub's own council. */
    council: z.string().optional(),
    /** The same service offered by other councils of this hub (their services' ids): a submission whose place (an
     * address's coordinates) lies in one of their areas becomes that service's case, that council's (see
     * docs/service-definition.md, "Shared by several councils"). */
    routeByBoundary: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a service id'))
      .min(1)
      .max(50)
      .optional(),
    /** Bindings (configured connector instances) that receive each submission. */
    bindings: z.array(z.string()).default([]),
    /** XML sent to the back office: XSD file under config/xsd and the mapping that fills it. */
    xml: z
      .object({
        xsd: z.string().min(1),
        mapping: z.unknown(),
      })
      .optional(),
    /** Notification channel for citizen updates (a channel name from closeloop.yaml). */
    notify: z
      .object({
        channel: z.string().optional(),
        templates: z.record(z.string(), z.string()).optional(),
      })
      .default({}),
    /** The service's own wording of the e-mails and text messages sent to the citizen (see docs/service-definition.md). */
    messages: serviceMessagesSchema.optional(),
    /** How long the citizen's personal data is kept once a process is completed or closed (see docs/governance.md). Absent: kept until erased on request. */
    retention: z.strictObject({ redactAfterDays: z.number().int().min(1).max(36500) }).optional(),
    /** "Save and come back later" on every question page: a one-time link by e-mail (see docs/service-definition.md).
     * Absent: offered, for 7 days (no default written in, so definitions stored before it keep their content hash). */
    saveAndReturn: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Offer "Save and come back later" (it also needs the service\'s notify channel configured)'),
        expiresAfterDays: z.number().int().min(1).max(90).default(7).describe('Days the link works; then the saved answers and files are erased'),
      })
      .optional(),
  })
  .superRefine((def, ctx) => {
    const ids = new Map<string, z.infer<typeof fieldSchema>>();
    def.fields.forEach((f, i) => {
      if (ids.has(f.id)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'id'], message: `duplicate field id "${f.id}"` });
      if (f.showIf) {
        const target = ids.get(f.showIf.field);
        if (target && (SHOWN_ONLY_TYPES.includes(target.type) || target.type === 'list')) {
          ctx.addIssue({ code: 'custom', path: ['fields', i, 'showIf', 'field'], message: `"${f.showIf.field}" has no answer a condition can compare` });
        } else if (!target) {
          ctx.addIssue({ code: 'custom', path: ['fields', i, 'showIf', 'field'], message: `"${f.showIf.field}" is not an earlier field` });
        } else if (f.showIf.notIn && !('options' in target)) {
          ctx.addIssue({ code: 'custom', path: ['fields', i, 'showIf', 'notIn'], message: `"${f.showIf.field}" has no options for "is not" to compare` });
        } else if ('options' in target) {
          const values = f.showIf.equals !== undefined ? [f.showIf.equals] : (f.showIf.in ?? f.showIf.notIn ?? []);
          const unknown = values.find((v) => !target.options.some((o) => o.value === v));
          if (unknown !== undefined)
            ctx.addIssue({ code: 'custom', path: ['fields', i, 'showIf'], message: `"${unknown}" is not an option of "${f.showIf.field}"` });
        }
      }
      ids.set(f.id, f);
    });
    const pageIds = new Set(def.fields.map((f) => f.page ?? f.id));
    // The form's own pages live next to the question pages: /services/{id}/check-answers, …/save-and-return.
    def.fields.forEach((f, i) => {
      const page = f.page ?? f.id;
      if (RESERVED_PAGE_IDS.includes(page))
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, f.page ? 'page' : 'id'],
          message: `"${page}" is the address of one of the form's own pages: use another page id`,
        });
    });
    checkPagesAndRoutes(def, ctx);
    for (const id of Object.keys(def.pages ?? {})) {
      if (!pageIds.has(id))
        ctx.addIssue({ code: 'custom', path: ['pages', id], message: `"${id}" is not a page of this service (no question has this page id)` });
    }
    const keys = new Set<string>();
    def.tasks.forEach((t, i) => {
      if (keys.has(t.key)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'key'], message: `duplicate task key "${t.key}"` });
      keys.add(t.key);
    });
    for (const role of ['name', 'email', 'phone'] as const) {
      const id = def.contact[role];
      if (id === undefined) continue;
      const f = ids.get(id);
      if (!f) ctx.addIssue({ code: 'custom', path: ['contact', role], message: `"${id}" is not a field of this service` });
      else if (role === 'email' && f.type !== 'email') ctx.addIssue({ code: 'custom', path: ['contact', role], message: `"${id}" is not an email field` });
      else if (role === 'phone' && f.type !== 'phone') ctx.addIssue({ code: 'custom', path: ['contact', role], message: `"${id}" is not a phone field` });
    }
  });

type DefinitionDraft = { fields: z.infer<typeof fieldSchema>[] };

/** Exit pages and lists stand alone on their page; a goTo leads forward; a list's questions and limits agree. */
function checkPagesAndRoutes(def: DefinitionDraft, ctx: z.RefinementCtx): void {
  const order: string[] = [];
  const sizes = new Map<string, number>();
  for (const f of def.fields) {
    const page = f.page ?? f.id;
    if (!sizes.has(page)) order.push(page);
    sizes.set(page, (sizes.get(page) ?? 0) + 1);
  }
  def.fields.forEach((f, i) => {
    const page = f.page ?? f.id;
    if ((f.type === 'exit' || f.type === 'list') && sizes.get(page)! > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['fields', i, 'page'],
        message: `${f.type === 'exit' ? 'an exit page' : 'an "add another" list'} must be alone on its page: "${page}" has other questions`,
      });
    if (f.type === 'checkboxes' && f.options.some((o) => o.goTo !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['fields', i, 'options'],
        message: 'goTo works on radios and select questions only (a checkbox answer can be several options)',
      });
    if ((f.type === 'radios' || f.type === 'select') && f.options.some((o) => o.goTo !== undefined)) {
      const here = order.indexOf(page);
      f.options.forEach((o, j) => {
        if (o.goTo === undefined || o.goTo === CHECK_ANSWERS_PAGE) return;
        const there = order.indexOf(o.goTo);
        if (there === -1)
          ctx.addIssue({
            code: 'custom',
            path: ['fields', i, 'options', j, 'goTo'],
            message: `"${o.goTo}" is not a page of this service (use a page id, or check-answers)`,
          });
        else if (there <= here)
          ctx.addIssue({
            code: 'custom',
            path: ['fields', i, 'options', j, 'goTo'],
            message: `"${o.goTo}" does not come after this question's page: goTo only leads forward`,
          });
      });
    }
    if (f.type === 'money' && f.min !== undefined && f.max !== undefined && f.min > f.max)
      ctx.addIssue({ code: 'custom', path: ['fields', i, 'max'], message: 'max must not be less than min' });
    if (f.type === 'list') {
      const itemIds = new Set<string>();
      f.fields.forEach((sub, j) => {
        if (itemIds.has(sub.id))
          ctx.addIssue({ code: 'custom', path: ['fields', i, 'fields', j, 'id'], message: `duplicate question id "${sub.id}" in this list` });
        itemIds.add(sub.id);
      });
      if (f.minItems !== undefined && f.minItems > f.maxItems)
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'minItems'], message: 'minItems must not be more than maxItems' });
      if (f.minItems !== undefined && f.minItems > 0 && !f.required)
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'minItems'], message: 'an optional list cannot need items: set required, or minItems 0' });
    }
  });
}

/** The fewest items a list question takes. */
export function listMinItems(field: Pick<z.infer<typeof listField>, 'minItems' | 'required'>): number {
  return field.minItems ?? (field.required ? 1 : 0);
}

export type ServiceDefinition = z.infer<typeof serviceDefinitionSchema>;
export type ServiceDefinitionInput = z.input<typeof serviceDefinitionSchema>;
export type Field = z.infer<typeof fieldSchema>;
/** A question as written (defaults not yet applied): what YAML files and the designer hold. */
export type FieldInput = z.input<typeof fieldSchema>;
export type TaskInput = z.input<typeof taskSchema>;
export type FileField = z.infer<typeof fileField>;
export type ListField = z.infer<typeof listField>;
export type ListItemField = z.infer<typeof listItemFieldSchema>;
export type MoneyField = z.infer<typeof moneyField>;
/** A question that takes an answer (not a content or exit page). */
export type AnsweredField = Exclude<Field, { type: 'content' | 'exit' }>;
export type Task = z.infer<typeof taskSchema>;
export type TaskTarget = z.infer<typeof targetSchema>;

/** A stored, versioned definition as the rest of the hub sees it. */
export interface ServiceVersion {
  serviceId: string;
  version: number;
  definition: ServiceDefinition;
}

/** A service's "save and come back later" settings, with the defaults for a definition that does not mention it. */
export function saveAndReturnOf(def: Pick<ServiceDefinition, 'saveAndReturn'>): { enabled: boolean; expiresAfterDays: number } {
  return { enabled: def.saveAndReturn?.enabled ?? true, expiresAfterDays: def.saveAndReturn?.expiresAfterDays ?? 7 };
}
