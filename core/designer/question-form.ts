// The question details form: what it shows for a question (questionFormValues) and the question a posted form makes
// (parseQuestionForm). A field that comes back as it was shown leaves the question's own setting untouched, so a YAML
// definition opened and saved unchanged stays exactly as written (defaults left out, byte sizes, custom patterns).
import { CHECK_ANSWERS_PAGE, errorMessages, type Field, type FieldInput } from '../services/index.ts';
import { formatOfPattern, namedFormat } from './named-formats.ts';
import { ALONE_ON_PAGE, ALWAYS_REQUIRED, ASKS_NOTHING, FILE_TYPES, ROUTING_TYPES, type FieldType } from './question-types.ts';
import { laterPages } from './routing.ts';
import type { DraftDefinition } from './drafts.ts';
import { findQuestion, makeFieldId, pageIdOf, questionPages, RESERVED_IDS, type Placement } from './questions.ts';

export type FormValues = Record<string, string | undefined>;

const MB = 1024 * 1024;
const LARGEST_FILE_MB = 100;
export const NEW_PAGE = '_new';
export const CUSTOM_FORMAT = 'custom';
export const MAX_OPTIONS = 100;

/** The message shown when a required question is not answered, as the wording rules make it. */
export function defaultRequiredMessage(field: FieldInput): string {
  return errorMessages.required({ ...field, requiredMessage: undefined } as Field);
}

function numberText(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

function mbText(bytes: number): string {
  return String(Number((bytes / MB).toFixed(2)));
}

/** What the details page shows for a question (a new one: its type's starting values). */
export function questionFormValues(def: DraftDefinition, field: FieldInput): FormValues {
  const v: FormValues = {
    id: def.fields.includes(field) ? field.id : '',
    label: field.label,
    hint: field.hint ?? '',
    required: ASKS_NOTHING.includes(field.type) ? undefined : field.required === false ? 'no' : 'yes',
    requiredMessage: ASKS_NOTHING.includes(field.type)
      ? undefined
      : (('requiredMessage' in field ? field.requiredMessage : undefined) ?? (field.label ? defaultRequiredMessage(field) : '')),
    page: def.fields.includes(field) ? pageIdOf(field) : NEW_PAGE,
  };
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
      v.minLength = numberText(field.minLength);
      v.maxLength = numberText(field.maxLength);
      v.format = field.pattern === undefined ? '' : (formatOfPattern(field.pattern)?.id ?? CUSTOM_FORMAT);
      v.patternMessage = field.patternMessage ?? '';
      break;
    case 'number':
      v.min = numberText(field.min);
      v.max = numberText(field.max);
      v.integer = field.integer ? 'yes' : undefined;
      break;
    case 'date':
    case 'datetime':
      v.notInFuture = field.notInFuture ? 'yes' : undefined;
      break;
    case 'select':
    case 'radios':
    case 'checkboxes':
      v.optionCount = String(field.options.length);
      field.options.forEach((o, i) => {
        v[`option-${i}-label`] = o.label;
        v[`option-${i}-value`] = o.value;
        v[`option-${i}-hint`] = o.hint ?? '';
        if (field.type !== 'checkboxes') v[`option-${i}-goTo`] = 'goTo' in o ? (o.goTo ?? '') : '';
      });
      break;
    case 'content':
      v.body = field.body ?? '';
      v.warning = field.warning ?? '';
      break;
    case 'exit':
      v.body = field.body ?? '';
      break;
    case 'declaration':
      v.body = field.body ?? '';
      v.confirm = field.confirm ?? '';
      break;
    case 'money':
      v.min = numberText(field.min);
      v.max = numberText(field.max);
      v.wholePounds = field.wholePounds ? 'yes' : undefined;
      break;
    case 'list':
      v.itemName = field.itemName ?? '';
      v.minItems = numberText(field.minItems);
      v.maxItems = numberText(field.maxItems);
      break;
    case 'address':
      v.allowLocationOnly = field.allowLocationOnly ? 'yes' : undefined;
      break;
    case 'file':
      for (const t of FILE_TYPES) v[`accept-${t.key}`] = field.accept.includes(t.mediaType) ? 'yes' : undefined;
      v.maxSizeMb = mbText(field.maxSize ?? 10 * MB);
      v.multiple = field.multiple ? 'yes' : 'no';
      v.maxFiles = String(field.maxFiles ?? 5);
      break;
  }
  return v;
}

/** A new question of a type, before the designer has said anything about it. */
export function blankQuestion(type: FieldType): FieldInput {
  const base = { id: '', label: '' };
  if (type === 'select' || type === 'radios' || type === 'checkboxes') return { ...base, type, options: [] };
  if (type === 'file') return { ...base, type, accept: ['image/jpeg', 'image/png', 'application/pdf'] };
  if (type === 'list') return { ...base, type, itemName: '', fields: [] };
  return { ...base, type } as FieldInput;
}

export interface ParsedQuestion {
  field: FieldInput;
  placement: Placement;
  /** Form field name → message, in the page's order (empty when the question can be saved). */
  errors: Record<string, string>;
}

const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * The question a posted details form makes. `original` is the question as saved (undefined for a new one); every
 * input that comes back as it was shown keeps the original's setting.
 */
export function parseQuestionForm(def: DraftDefinition, type: FieldType, body: FormValues, original?: FieldInput): ParsedQuestion {
  const start = original ?? blankQuestion(type);
  const shown = questionFormValues(def, start);
  const field = structuredClone(start) as Record<string, unknown> & FieldInput;
  const errors: Record<string, string> = {};
  const changed = (name: string) => squash(body[name]) !== squash(shown[name]);
  const put = (key: string, value: unknown) => {
    if (value === undefined) delete field[key];
    else field[key] = value;
  };
  const text = (name: string, max: number, message: string): string | undefined => {
    const value = (body[name] ?? '').replace(/\r\n/g, '\n').trim();
    if (value.length > max) errors[name] = message;
    return value || undefined;
  };

  const headed = ASKS_NOTHING.includes(type) || type === 'declaration';
  if (changed('label')) put('label', text('label', 500, `${headed ? 'Heading' : 'Question'} must be 500 characters or less`));
  if (!field.label) errors.label = headed ? 'Enter the heading' : 'Enter the question';
  if (changed('hint')) put('hint', text('hint', 1000, 'Hint text must be 1000 characters or less'));

  // Pages that ask nothing are never required, a declaration always is: neither asks "must people answer it?".
  if (!ASKS_NOTHING.includes(type) && !ALWAYS_REQUIRED.includes(type)) {
    const required = body.required === 'no' ? false : body.required === 'yes' ? true : undefined;
    if (required === undefined) errors.required = 'Select whether the question must be answered';
    else if (changed('required')) put('required', required);
  }

  parseTypeSettings(field, body, shown, errors);

  // The "not answered" message: the wording rules' one (made from the label) unless the designer writes another.
  if (!ASKS_NOTHING.includes(type) && changed('requiredMessage')) {
    const message = text('requiredMessage', 300, 'Error message must be 300 characters or less');
    put('requiredMessage', !message || message === defaultRequiredMessage(field) ? undefined : message);
  }

  const id = squash(body.id);
  if (original) {
    if (!id) errors.id = 'Enter a question id';
    else if (id !== original.id) validateId(def, id, original.id, errors);
    if (!errors.id) field.id = id || original.id;
  } else {
    field.id = id || makeFieldId(String(field.label ?? ''), def);
    if (id) validateId(def, id, undefined, errors);
  }

  const pages = questionPages(def);
  // An exit page or a list stands alone: a new one gets a page of its own, a saved one stays where it is.
  const pageChoice = ALONE_ON_PAGE.includes(type) ? shown.page : (body.page ?? shown.page ?? NEW_PAGE);
  let placement: Placement = { newPage: true };
  if (pageChoice !== NEW_PAGE) {
    const page = pages.find((p) => p.id === pageChoice);
    const sharing = page?.fields.find((f) => ALONE_ON_PAGE.includes(f.type) && f !== original);
    if (!page) errors.page = 'Select the page the question is on';
    else if (sharing)
      errors.page = `‘${sharing.label}’ is ${sharing.type === 'exit' ? 'an exit page' : 'a list'}, which has a page of its own: select another page`;
    else placement = { page: pageChoice! };
  }
  if (ROUTING_TYPES.includes(type)) checkRoutes(def, field, placement, original, errors);
  return { field, placement, errors };
}

/** Each option's "go to" must name a page after the question's own page, or "check your answers". */
function checkRoutes(def: DraftDefinition, field: FieldInput, placement: Placement, original: FieldInput | undefined, errors: Record<string, string>): void {
  if (!('options' in field)) return;
  const later = new Set(laterPages(def, placement, original).map((p) => p.id));
  field.options.forEach((o, i) => {
    const goTo = 'goTo' in o ? o.goTo : undefined;
    if (goTo === undefined || goTo === CHECK_ANSWERS_PAGE || later.has(goTo)) return;
    errors[`option-${i}-goTo`] ??= `Option ${i + 1} can only go to a page after this question, or to ‘Check your answers’: select where it goes`;
  });
}

function validateId(def: DraftDefinition, id: string, except: string | undefined, errors: Record<string, string>): void {
  if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(id) || id.length > 60)
    errors.id = 'Question id must start with a letter and use only letters, numbers and _ (60 characters or less)';
  else if (RESERVED_IDS.includes(id)) errors.id = `“${id}” cannot be a question id: choose another`;
  else if (findQuestion(def, id) || questionPages(def).some((p) => p.id === id && p.id !== except))
    errors.id = `There is already a question or page with the id “${id}”`;
}

function parseTypeSettings(field: Record<string, unknown> & FieldInput, body: FormValues, shown: FormValues, errors: Record<string, string>): void {
  const changed = (name: string) => squash(body[name]) !== squash(shown[name]);
  const put = (key: string, value: unknown) => {
    if (value === undefined) delete field[key];
    else field[key] = value;
  };
  const num = (name: string, label: string, opts: { integer?: boolean; min?: number } = {}): number | undefined => {
    const raw = squash(body[name]);
    if (!raw) return undefined;
    const n = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min))
      errors[name] = `${label} must be ${opts.integer ? 'a whole number' : 'a number'}${opts.min !== undefined ? ` of ${opts.min} or more` : ''}`;
    return n;
  };
  const flag = (name: string) => body[name] === 'yes';
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone': {
      if (changed('minLength')) put('minLength', num('minLength', 'Fewest characters', { integer: true, min: 0 }));
      if (changed('maxLength')) put('maxLength', num('maxLength', 'Most characters', { integer: true, min: 1 }));
      if (typeof field.minLength === 'number' && typeof field.maxLength === 'number' && field.minLength > field.maxLength)
        errors.maxLength = 'Most characters must be the same as or more than the fewest characters';
      if (changed('format')) {
        const chosen = squash(body.format);
        const format = namedFormat(chosen);
        if (chosen && !format) errors.format = 'Select a format from the list';
        put('pattern', format?.pattern);
      }
      if (changed('format') || changed('patternMessage')) {
        const message = (body.patternMessage ?? '').trim();
        if (message.length > 300) errors.patternMessage = 'Error message must be 300 characters or less';
        const format = field.pattern === undefined ? undefined : formatOfPattern(field.pattern);
        const previousDefault = namedFormat(shown.format ?? '')?.message;
        // A format's own message follows the format; a message the designer wrote stays.
        put(
          'patternMessage',
          field.pattern === undefined ? undefined : message && message !== previousDefault ? message : (format?.message ?? (message || undefined)),
        );
      }
      break;
    }
    case 'number':
      if (changed('min')) put('min', num('min', 'Smallest value'));
      if (changed('max')) put('max', num('max', 'Largest value'));
      if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max)
        errors.max = 'Largest value must be the same as or more than the smallest value';
      if (changed('integer')) put('integer', flag('integer'));
      break;
    case 'date':
    case 'datetime':
      if (changed('notInFuture')) put('notInFuture', flag('notInFuture'));
      break;
    case 'address':
      if (changed('allowLocationOnly')) put('allowLocationOnly', flag('allowLocationOnly'));
      break;
    case 'select':
    case 'radios':
    case 'checkboxes':
      parseOptions(field, body, shown, errors);
      break;
    case 'file':
      parseFileSettings(field, body, shown, errors, put, num);
      break;
    case 'content':
    case 'exit':
    case 'declaration':
      parsePageText(field, body, shown, errors, put);
      break;
    case 'money': {
      const amount = (name: string, label: string) => {
        const raw = squash(body[name]).replace(/^£/, '').replace(/,/g, '');
        if (!raw) return undefined;
        const n = /^\d+(\.\d{1,2})?$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isFinite(n) || n > 1_000_000_000) errors[name] = `${label} must be an amount of money, like 12.50`;
        return n;
      };
      if (changed('min')) put('min', amount('min', 'Smallest amount'));
      if (changed('max')) put('max', amount('max', 'Largest amount'));
      if (changed('max') && field.max === 0) errors.max = 'Largest amount must be more than £0';
      if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max)
        errors.max = 'Largest amount must be the same as or more than the smallest amount';
      if (changed('wholePounds')) put('wholePounds', flag('wholePounds'));
      break;
    }
    case 'list': {
      if (changed('itemName')) put('itemName', squash(body.itemName) || undefined);
      const itemName = typeof field.itemName === 'string' ? field.itemName : '';
      if (!itemName) errors.itemName = 'Enter what one thing in the list is called, like person or vehicle';
      else if (itemName.length > 40) errors.itemName = 'What one thing is called must be 40 characters or less';
      if (changed('minItems')) put('minItems', num('minItems', 'Fewest', { integer: true, min: 0 }));
      if (changed('maxItems')) put('maxItems', num('maxItems', 'Most', { integer: true, min: 1 }));
      if (typeof field.minItems === 'number' && field.minItems > 50) errors.minItems ??= 'Fewest must be 50 or less';
      if (typeof field.maxItems === 'number' && field.maxItems > 50) errors.maxItems ??= 'Most must be 50 or less';
      if (typeof field.minItems === 'number' && field.minItems > (typeof field.maxItems === 'number' ? field.maxItems : 10))
        errors.maxItems ??= 'Most must be the same as or more than the fewest';
      if (typeof field.minItems === 'number' && field.minItems > 0 && field.required === false)
        errors.minItems ??= 'An optional list cannot need things in it: set fewest to 0, or make the question one people must answer';
      break;
    }
  }
}

/** The text of a page that shows something: its body, a content page's warning, a declaration's confirm box. */
function parsePageText(
  field: Record<string, unknown> & FieldInput,
  body: FormValues,
  shown: FormValues,
  errors: Record<string, string>,
  put: (key: string, value: unknown) => void,
): void {
  // Blank lines split paragraphs, so only line endings and the ends are evened out when comparing.
  const clean = (s: string | undefined) => (s ?? '').replace(/\r\n/g, '\n').trim();
  const take = (name: string, max: number, tooLong: string): void => {
    if (clean(body[name]) === clean(shown[name])) return;
    const value = clean(body[name]);
    if (value.length > max) errors[name] = tooLong;
    put(name, value || undefined);
  };
  take('body', 5000, 'The text must be 5000 characters or less');
  if (!field.body) errors.body = field.type === 'declaration' ? 'Enter the text the person agrees to' : 'Enter the text of the page';
  if (field.type === 'content') take('warning', 500, 'The warning must be 500 characters or less');
  if (field.type === 'declaration') {
    take('confirm', 300, 'The words next to the box must be 300 characters or less');
    if (!field.confirm) errors.confirm = 'Enter the words next to the box, like ‘I confirm the information I have given is correct’';
  }
}

/** "Very large" → "very-large": an option's value made from its label when the designer leaves it empty. */
export function optionValueOf(label: string): string {
  return (
    label
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'option'
  );
}

/** The option rows posted (label, value, hint), blank rows left out. */
export function postedOptions(body: FormValues): { label: string; value: string; hint: string; goTo: string }[] {
  const count = Math.min(Number(body.optionCount) || 0, MAX_OPTIONS + 1);
  const rows: { label: string; value: string; hint: string; goTo: string }[] = [];
  for (let i = 0; i < count; i++) {
    const row = {
      label: squash(body[`option-${i}-label`]),
      value: squash(body[`option-${i}-value`]),
      hint: squash(body[`option-${i}-hint`]),
      goTo: squash(body[`option-${i}-goTo`]),
    };
    if (row.label || row.value || row.hint) rows.push(row);
  }
  return rows;
}

function parseOptions(field: Record<string, unknown> & FieldInput, body: FormValues, shown: FormValues, errors: Record<string, string>): void {
  const names = Object.keys(shown).filter((k) => k.startsWith('option'));
  const count = Number(body.optionCount) || 0;
  const same = squash(body.optionCount) === squash(shown.optionCount) && names.every((k) => squash(body[k]) === squash(shown[k]));
  if (same && count > 0) return;
  const rows = postedOptions(body);
  if (!rows.length) errors['option-0-label'] = 'Enter at least one option';
  if (rows.length > MAX_OPTIONS) errors['option-0-label'] = `A question can have up to ${MAX_OPTIONS} options`;
  const seen = new Set<string>();
  const options = rows.map((row, i) => {
    if (!row.label) errors[`option-${i}-label`] ??= `Enter a label for option ${i + 1}`;
    if (row.label.length > 300) errors[`option-${i}-label`] ??= `Option ${i + 1} must be 300 characters or less`;
    const value = row.value || optionValueOf(row.label);
    if (value.length > 100) errors[`option-${i}-value`] ??= `The value of option ${i + 1} must be 100 characters or less`;
    if (seen.has(value)) errors[`option-${i}-value`] ??= `Option ${i + 1} has the same value as another option: make each one different`;
    seen.add(value);
    const routes = field.type === 'radios' || field.type === 'select';
    return { value, label: row.label, ...(row.hint ? { hint: row.hint } : {}), ...(routes && row.goTo ? { goTo: row.goTo } : {}) };
  });
  field.options = options;
}

function parseFileSettings(
  field: Record<string, unknown> & FieldInput,
  body: FormValues,
  shown: FormValues,
  errors: Record<string, string>,
  put: (key: string, value: unknown) => void,
  num: (name: string, label: string, opts?: { integer?: boolean; min?: number }) => number | undefined,
): void {
  if (field.type !== 'file') return;
  const keys = FILE_TYPES.map((t) => `accept-${t.key}`);
  if (keys.some((k) => (body[k] === 'yes') !== (shown[k] === 'yes'))) {
    const known = new Set(FILE_TYPES.map((t) => t.mediaType));
    const chosen = new Set(FILE_TYPES.filter((t) => body[`accept-${t.key}`] === 'yes').map((t) => t.mediaType));
    const kept = field.accept.filter((m) => !known.has(m) || chosen.has(m));
    const added = [...chosen].filter((m) => !kept.includes(m));
    field.accept = [...kept, ...added];
    if (!chosen.size) errors['accept-jpg'] = 'Select the types of file the person can upload';
  }
  if (squash(body.maxSizeMb) !== squash(shown.maxSizeMb)) {
    const mb = num('maxSizeMb', 'Largest file size', { min: 0.01 });
    if (mb === undefined) errors.maxSizeMb = 'Enter the largest file size in MB, like 10';
    else if (mb > LARGEST_FILE_MB) errors.maxSizeMb = `Largest file size must be ${LARGEST_FILE_MB}MB or less`;
    else put('maxSize', Math.round(mb * MB));
  }
  if (squash(body.multiple) !== squash(shown.multiple)) {
    if (body.multiple !== 'yes' && body.multiple !== 'no') errors.multiple = 'Select whether the person can upload more than one file';
    put('multiple', body.multiple === 'yes');
  }
  if (squash(body.maxFiles) !== squash(shown.maxFiles)) {
    const n = num('maxFiles', 'Most files', { integer: true, min: 1 });
    if (n === undefined) errors.maxFiles = 'Enter the most files the person can upload, like 5';
    else if (n > 20) errors.maxFiles = 'Most files must be 20 or less';
    else put('maxFiles', n);
  }
}
