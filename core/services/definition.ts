// The service (online form) definition that council staff write in config/services/*.yaml.
// This zod schema is the single source for validation, the published JSON Schema and the OpenAPI document.
import { z } from 'zod';

const fieldId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must start with a letter and use only letters, digits and _');

export const optionSchema = z.object({
  value: z.string().min(1),
  label: z.string().min(1),
  hint: z.string().optional(),
});

/** Show a question only when an earlier answer has one of the given values. */
export const conditionSchema = z
  .object({
    field: fieldId,
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
  })
  .refine((c) => (c.equals === undefined) !== (c.in === undefined), 'give exactly one of equals or in');

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

export const fieldSchema = z.discriminatedUnion('type', [textField, numberField, dateField, choiceField, addressField, fileField]);

export const taskSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and -'),
  title: z.string().min(1),
  /** Shown to the citizen on the tracking page. */
  description: z.string().optional(),
});

export const serviceDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and -'),
    title: z.string().min(1),
    description: z.string().optional(),
    /** What the citizen sends, as it reads after "your": "noise report" gives "Now send your noise report" and "Track your
     * noise report". Absent: "form". */
    noun: z.string().min(1).optional(),
    /** Headings of pages that ask several questions, by page id: `when: { title: When the noise happens }`. A page
     * without one is headed by its id ("when" → "When"); a page with one question is headed by that question. */
    pages: z.record(z.string(), z.strictObject({ title: z.string().min(1) })).optional(),
    /** Prefix of the human reference, e.g. NOI → NOI-7KX3M9QP. */
    referencePrefix: z.string().regex(/^[A-Z]{2,6}$/, 'use 2 to 6 capital letters'),
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
    /** How long the citizen's personal data is kept once a process is completed or closed (see docs/governance.md). Absent: kept until erased on request. */
    retention: z.strictObject({ redactAfterDays: z.number().int().min(1).max(36500) }).optional(),
  })
  .superRefine((def, ctx) => {
    const ids = new Map<string, z.infer<typeof fieldSchema>>();
    def.fields.forEach((f, i) => {
      if (ids.has(f.id)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'id'], message: `duplicate field id "${f.id}"` });
      if (f.showIf) {
        const target = ids.get(f.showIf.field);
        if (!target) {
          ctx.addIssue({ code: 'custom', path: ['fields', i, 'showIf', 'field'], message: `"${f.showIf.field}" is not an earlier field` });
        }
      }
      ids.set(f.id, f);
    });
    const pageIds = new Set(def.fields.map((f) => f.page ?? f.id));
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

export type ServiceDefinition = z.infer<typeof serviceDefinitionSchema>;
export type ServiceDefinitionInput = z.input<typeof serviceDefinitionSchema>;
export type Field = z.infer<typeof fieldSchema>;
export type FileField = z.infer<typeof fileField>;
export type Task = z.infer<typeof taskSchema>;

/** A stored, versioned definition as the rest of the hub sees it. */
export interface ServiceVersion {
  serviceId: string;
  version: number;
  definition: ServiceDefinition;
}
