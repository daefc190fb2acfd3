// One row of the mapping editor as an HTML form and back: where the element's (or attribute's) value comes from — an
// answer or a part of one, a process field, a fixed value, the current item of a repeat — with an optional lookup table
// (answer value → back-office code), a default, a format, and for elements the repeat and "required". A form posted
// exactly as it was shown gives back exactly the mapping it was made from (applyRowEdit keeps equal values as they are).
import { cleanXmlText } from '@closeloop/sdk/xml';
import type { DraftDefinition } from '../../../designer/drafts.ts';
import type { RowEdit } from '../../../designer/xml-mapping-rows.ts';
import { formatFor, type XsdTreeNode } from '../../../designer/xsd-tree.ts';
import { valueSchema, type ElementSpec, type ValueSpec } from '../../../xml/index.ts';

type Each = NonNullable<ElementSpec['each']>;
type Option = { value: string; text: string };

export const ADDRESS_PARTS = [
  ['line1', 'address line 1'],
  ['line2', 'address line 2'],
  ['town', 'town or city'],
  ['postcode', 'postcode'],
  ['uprn', 'UPRN'],
  ['easting', 'easting'],
  ['northing', 'northing'],
  ['latitude', 'latitude'],
  ['longitude', 'longitude'],
] as const;

/** The parts of a location answer a mapping can use (the nearest address is the provider's, filled in by the hub). */
export const LOCATION_PARTS = [
  ['easting', 'easting'],
  ['northing', 'northing'],
  ['latitude', 'latitude'],
  ['longitude', 'longitude'],
  ['description', 'description of the place'],
  ['nearest.uprn', 'UPRN of the nearest address'],
  ['nearest.label', 'nearest address'],
  ['nearest.street', 'nearest street'],
] as const;

export const PROCESS_FIELDS: Option[] = [
  { value: 'reference', text: 'Reference (for example FLY-7KX3M9QP)' },
  { value: 'submittedAt', text: 'Time it was sent' },
  { value: 'processId', text: 'Case id' },
  { value: 'serviceId', text: 'Service id' },
  { value: 'serviceVersion', text: 'Service version' },
];

export const ITEM_FIELDS: Option[] = [
  { value: 'value', text: 'The ticked answer' },
  { value: 'name', text: 'Document: file name' },
  { value: 'url', text: 'Document: web address' },
  { value: 'contentType', text: 'Document: file type' },
  { value: 'size', text: 'Document: size in bytes' },
  { value: 'kind', text: 'Document: kind (evidence, form)' },
  { value: 'id', text: 'Document: id' },
];

const FORMATS: Option[] = [
  { value: '', text: 'As given' },
  { value: 'date', text: 'Date (2026-10-01)' },
  { value: 'datetime', text: 'Date and time (2026-10-01T14:30:00)' },
  { value: 'boolean', text: 'True or false (yes → true)' },
  { value: 'integer', text: 'Whole number' },
  { value: 'upper', text: 'CAPITAL LETTERS' },
  { value: 'lower', text: 'lower-case letters' },
  ...[0, 1, 2, 3, 4].map((n) => ({ value: `decimals:${n}`, text: `Number with ${n} decimal places` })),
];

/** The form's fields, as strings (what the page shows and what it posts back). */
export interface RowFormValues {
  source: 'none' | 'answer' | 'process' | 'constant' | 'item';
  answer: string;
  process: string;
  constant: string;
  item: string;
  useLookup: boolean;
  lookup: { key: string; code: string }[];
  default: string;
  format: string;
  join: string;
  required: boolean;
  each: string;
}

export function formValues(value: ValueSpec | undefined, element?: ElementSpec): RowFormValues {
  const source = !value ? 'none' : value.answer !== undefined ? 'answer' : value.process ? 'process' : value.constant !== undefined ? 'constant' : 'item';
  return {
    source,
    answer: value?.answer ?? '',
    process: value?.process ?? '',
    constant: value?.constant === undefined ? '' : String(value.constant),
    item: value?.item ?? '',
    useLookup: value?.lookup !== undefined,
    lookup: Object.entries(value?.lookup ?? {}).map(([key, code]) => ({ key, code })),
    default: value?.default ?? '',
    format: !value?.format ? '' : typeof value.format === 'object' ? `decimals:${value.format.decimals}` : value.format,
    join: value?.join ?? '',
    required: element?.required === true,
    each: eachValue(element?.each),
  };
}

function eachValue(each: Each | undefined): string {
  if (!each) return '';
  return each.answer !== undefined ? `answer:${each.answer}` : `documents:${each.documents}`;
}

/** Reads the posted form (body fields by name). */
export function postedValues(body: Record<string, string | undefined>): RowFormValues {
  const lookup: { key: string; code: string }[] = [];
  for (let i = 0; i < 500 && body[`lookupKey-${i}`] !== undefined; i++)
    lookup.push({ key: body[`lookupKey-${i}`] ?? '', code: (body[`lookupCode-${i}`] ?? '').trim() });
  const source = body.source;
  return {
    source: source === 'answer' || source === 'process' || source === 'constant' || source === 'item' ? source : 'none',
    answer: body.answer ?? '',
    process: body.process ?? '',
    constant: body.constant ?? '',
    item: body.item ?? '',
    useLookup: body.useLookup === 'yes',
    lookup,
    default: body.default ?? '',
    format: body.format ?? '',
    join: body.join ?? '',
    required: body.required === 'yes',
    each: body.each ?? '',
  };
}

export interface RowContext {
  node: XsdTreeNode;
  definition: DraftDefinition;
  /** The element or one above it repeats (so "the current item" is a source). */
  inRepeat: string | null;
}

type ChoiceLike = { id: string; options?: { value: string; label: string }[] };

/** The choice question whose options a lookup table lists: the answer's, the repeat's checkbox question's, or the
 * question of the "add another" list repeated for that the item reads. */
export function lookupQuestion(values: RowFormValues, context: RowContext): { id: string; options: Option[] } | null {
  const repeat = values.each || context.inRepeat || '';
  const id = values.source === 'answer' ? values.answer.split('.')[0] : values.source === 'item' && repeat.startsWith('answer:') ? repeat.slice(7) : undefined;
  let field = context.definition.fields.find((f) => f.id === id) as ChoiceLike | undefined;
  const list = listQuestion(context.definition, repeat);
  if (values.source === 'item' && list) field = list.fields.find((f) => f.id === values.item) as ChoiceLike | undefined;
  if (!field?.options?.length) return null;
  return { id: field.id, options: field.options.map((o) => ({ value: o.value, text: o.label })) };
}

/** The options of a question whose goTo leads to an exit page. */
function exitAnswers(definition: DraftDefinition, questionId: string | undefined): Set<string> {
  const exits = new Set(definition.fields.filter((f) => f.type === 'exit').map((f) => f.page ?? f.id));
  const field = definition.fields.find((f) => f.id === questionId);
  if (!field || (field.type !== 'radios' && field.type !== 'select')) return new Set();
  return new Set(field.options.filter((o) => o.goTo !== undefined && exits.has(o.goTo)).map((o) => o.value));
}

type ListQuestion = Extract<DraftDefinition['fields'][number], { type: 'list' }>;

/** The "add another" list a repeat ("answer:people") is for, if it is one. */
export function listQuestion(definition: DraftDefinition, repeat: string | null): ListQuestion | null {
  if (!repeat?.startsWith('answer:')) return null;
  const field = definition.fields.find((f) => f.id === repeat.slice(7));
  return field?.type === 'list' && Array.isArray(field.fields) ? field : null;
}

/** What "the current item" can be read as: an "add another" list's questions when the repeat is for a list, otherwise
 * a ticked answer or a document's parts. */
export function itemOptions(definition: DraftDefinition, repeat: string | null): Option[] {
  const list = listQuestion(definition, repeat);
  if (!list) return ITEM_FIELDS;
  const name = capitalise(list.itemName || 'item');
  return list.fields.map((f) => ({ value: f.id, text: `${name}: ${f.label}` }));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The lookup rows to show: one per option of the question, then any other keys the table already has. */
export function lookupRows(values: RowFormValues, context: RowContext): { key: string; label: string; code: string }[] {
  const question = lookupQuestion(values, context);
  const codes = new Map(values.lookup.map((r) => [r.key, r.code]));
  const rows = (question?.options ?? []).map((o) => ({ key: o.value, label: o.text, code: codes.get(o.value) ?? '' }));
  for (const r of values.lookup) if (!rows.some((x) => x.key === r.key)) rows.push({ key: r.key, label: r.key, code: r.code });
  return rows;
}

/** The posted form as the row's new state, or the errors to show (by field id). */
export function rowEditFrom(values: RowFormValues, context: RowContext): { edit: RowEdit } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const { node, definition } = context;
  const isElement = node.kind === 'element';
  const leaf = !!node.simple;
  const enumeration = node.simple?.enumeration ?? [];
  let each: Each | null | undefined;
  if (isElement) {
    if (!values.each) each = null;
    else if (values.each.startsWith('answer:') && definition.fields.some((f) => f.id === values.each.slice(7) && f.type !== 'content' && f.type !== 'exit'))
      each = { answer: values.each.slice(7) };
    else if (values.each.startsWith('documents:') && /^[A-Za-z][\w-]*$/.test(values.each.slice(10))) each = { documents: values.each.slice(10) };
    else errors.each = 'Select what the element repeats for';
  }
  const inRepeat = !!(context.inRepeat || (each ?? null));
  let value: ValueSpec | null = null;
  if (leaf || !isElement) {
    const spec: Record<string, unknown> = {};
    switch (values.source) {
      case 'none':
        break;
      case 'answer':
        // A question id, or an address question's part; a saved one whose question has gone stays as it is (shown as such).
        if (!/^[A-Za-z]\w*(\.[A-Za-z]\w*)?$/.test(values.answer)) errors.answer = 'Select the answer the value comes from';
        spec.answer = values.answer;
        break;
      case 'process':
        if (!PROCESS_FIELDS.some((p) => p.value === values.process)) errors.process = 'Select the case detail the value comes from';
        spec.process = values.process;
        break;
      case 'constant':
        if (values.constant.trim() === '') errors.constant = 'Enter the fixed value';
        else if (cleanXmlText(values.constant) !== values.constant) errors.constant = 'The fixed value must not contain control characters';
        else if (enumeration.length && !enumeration.includes(values.constant)) errors.constant = 'Select one of the values the XSD allows';
        spec.constant = values.constant;
        break;
      case 'item':
        if (!inRepeat) errors.item = 'Choose what the element repeats for first: there is no current item outside a repeat';
        else if (!itemOptions(definition, eachValue(each ?? undefined) || context.inRepeat).some((p) => p.value === values.item))
          errors.item = 'Select which part of the current item the value is';
        spec.item = values.item;
        break;
    }
    if (values.source !== 'none') {
      if (values.useLookup) {
        const lookup: Record<string, string> = {};
        const rows = lookupRows(values, context);
        rows.forEach((row, i) => {
          if (row.code === '') return;
          if (cleanXmlText(row.code) !== row.code || row.code.length > 200)
            errors[`lookupCode-${i}`] = `Enter a code for “${row.label}” without control characters`;
          else if (enumeration.length && !enumeration.includes(row.code)) errors[`lookupCode-${i}`] = `Select a code the XSD allows for “${row.label}”`;
          lookup[row.key] = row.code;
        });
        const question = lookupQuestion(values, context);
        // An answer that leads to an exit page ends the form there: it never reaches the XML, so needs no code.
        const endsForm = exitAnswers(context.definition, question?.id);
        if (values.default === '')
          question?.options.forEach((o) => {
            if (endsForm.has(o.value)) return;
            const i = rows.findIndex((r) => r.key === o.value);
            if (lookup[o.value] === undefined) errors[`lookupCode-${i}`] ??= `Select the code for “${o.text}”, or give a default`;
          });
        if (!rows.length) errors.useLookup = 'A lookup table needs an answer with options: select a question with options';
        spec.lookup = lookup;
      }
      if (values.default !== '') {
        if (cleanXmlText(values.default) !== values.default) errors.default = 'The default must not contain control characters';
        spec.default = values.default;
      }
      const format = values.format;
      if (format) {
        const decimals = /^decimals:(\d)$/.exec(format);
        if (decimals) spec.format = { decimals: Number(decimals[1]) };
        else if (FORMATS.some((f) => f.value === format)) spec.format = format;
        else errors.format = 'Select a format';
      }
      if (values.join !== '') spec.join = values.join;
      const parsed = valueSchema.safeParse(spec);
      if (!parsed.success && !Object.keys(errors).length) errors.source = 'Select where the value comes from';
      value = parsed.success ? parsed.data : null;
    }
  }
  if (Object.keys(errors).length) return { errors };
  return { edit: isElement ? { value, each, required: values.required } : { value } };
}

/** The answers (and parts of address answers) a value may come from: not a content or exit page's (they ask nothing),
 * nor a list's (its items are read inside an element repeated for it). */
export function answerOptions(definition: DraftDefinition): Option[] {
  const out: Option[] = [];
  for (const f of definition.fields) {
    if (f.type === 'content' || f.type === 'exit' || f.type === 'list') continue;
    out.push({ value: f.id, text: f.label });
    if (f.type === 'address') for (const [part, words] of ADDRESS_PARTS) out.push({ value: `${f.id}.${part}`, text: `${f.label}: ${words}` });
    if (f.type === 'location') for (const [part, words] of LOCATION_PARTS) out.push({ value: `${f.id}.${part}`, text: `${f.label}: ${words}` });
  }
  return out;
}

/** What an element may repeat for: an "add another" list's items, a checkbox question's ticked answers, or documents. */
export function eachOptions(definition: DraftDefinition): Option[] {
  return [
    { value: '', text: 'Once' },
    ...definition.fields.flatMap((f) =>
      f.type === 'list' ? [{ value: `answer:${f.id}`, text: `Once for each ${f.itemName || 'item'} in “${f.label}”` }] : [],
    ),
    ...definition.fields.filter((f) => f.type === 'checkboxes').map((f) => ({ value: `answer:${f.id}`, text: `Once for each answer ticked in “${f.label}”` })),
    { value: 'documents:all', text: 'Once for each document (the form and every file)' },
    { value: 'documents:evidence', text: 'Once for each file the person uploaded' },
    { value: 'documents:form', text: 'Once for each copy of the form' },
    ...definition.fields.filter((f) => f.type === 'file').map((f) => ({ value: `documents:${f.id}`, text: `Once for each file uploaded to “${f.label}”` })),
  ];
}

export function formatOptions(): Option[] {
  return FORMATS;
}

/** The format the XSD type suggests, as a hint ("The XSD wants a date: choose Date"). */
export function suggestedFormat(node: XsdTreeNode): string | null {
  return formatFor(node.simple);
}

/** A select's items with the current value selected (and kept, marked, when it is not one of the offered options). */
export function selectItems(options: Option[], current: string, placeholder?: string): { value: string; text: string; selected: boolean }[] {
  const items = [...(placeholder ? [{ value: '', text: placeholder }] : []), ...options];
  if (current && !items.some((o) => o.value === current)) items.push({ value: current, text: `${current} (as saved)` });
  return items.map((o) => ({ ...o, selected: o.value === current }));
}
