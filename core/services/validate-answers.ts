// Validates a citizen's answers against a service definition. The API and the citizen pages both use this one function.
import type { FieldError } from '../errors.ts';
import {
  asksSomething,
  listMinItems,
  SHOWN_ONLY_TYPES,
  type Field,
  type ListField,
  type ListItemField,
  type MoneyField,
  type ServiceDefinition,
} from './definition.ts';
import { isFieldShown, type Answers } from './field-shown.ts';
import { formPages, walkPath } from './form-path.ts';
import { checkLocation, LOCATION_REQUIRED } from './location-answer.ts';
import { matchesPattern, PATTERN_INPUT_LIMIT } from './pattern.ts';
import { errorMessages as say } from './wording.ts';

/** A file already received and checked (size, real type) and waiting to be stored. */
export interface ReceivedFile {
  documentId: string;
  name: string;
  contentType: string;
  size: number;
}

export interface AddressAnswer {
  line1?: string;
  line2?: string;
  town?: string;
  postcode?: string;
  uprn?: string;
  easting?: number;
  northing?: number;
  latitude?: number;
  longitude?: number;
}

export { isFieldShown, type Answers } from './field-shown.ts';

export interface AnswerValidation {
  /** Normalised answers (trimmed, numbers as numbers, hidden questions dropped). */
  answers: Answers;
  errors: FieldError[];
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;

/** An e-mail address as the form's email questions accept it (also the "save and come back later" page's). */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}
const PHONE = /^\+?[0-9 ()-]{7,20}$/;
const UK_POSTCODE =
  /^(GIR ?0AA|[A-PR-UWYZ][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][0-9][A-HJKPSTUW] ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY] ?[0-9][ABD-HJLNP-UW-Z]{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const ADDRESS_PART_NAMES: Record<string, string> = {
  line1: 'Address line 1',
  line2: 'Address line 2',
  town: 'Town or city',
  postcode: 'Postcode',
  uprn: 'UPRN',
  easting: 'Easting',
  northing: 'Northing',
  latitude: 'Latitude',
  longitude: 'Longitude',
};
const ADDRESS_KEYS = new Set(['line1', 'line2', 'town', 'postcode', 'uprn', 'easting', 'northing', 'latitude', 'longitude']);

/**
 * Checks every answer. `files` holds the already-received files per file field.
 * `now` decides what "in the future" means (tests pin it).
 */
export function validateAnswers(
  definition: ServiceDefinition,
  raw: Answers,
  files: Map<string, ReceivedFile[]> = new Map(),
  now: Date = new Date(),
): AnswerValidation {
  const errors: FieldError[] = [];
  const answers: Answers = {};
  const known = new Set(definition.fields.map((f) => f.id));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) errors.push({ field: key, message: 'is not a question of this service' });
  }
  for (const key of files.keys()) {
    const field = definition.fields.find((f) => f.id === key);
    if (!field) errors.push({ field: key, message: 'is not a question of this service' });
    else if (field.type !== 'file') errors.push({ field: key, message: 'does not accept files' });
  }

  for (const field of definition.fields) {
    if (SHOWN_ONLY_TYPES.includes(field.type) && raw[field.id] !== undefined)
      errors.push({ field: field.id, message: 'is not a question: this page asks nothing' });
  }

  // The path the answers take, page by page: each page's answers are checked before its route is read, so a goTo
  // follows a checked answer and the questions of pages skipped over are neither required nor kept.
  const path = walkPath(formPages(definition), answers, (page) => {
    for (const field of page.fields) {
      if (!asksSomething(field) || !isFieldShown(field, answers)) continue;
      const value = field.type === 'file' ? files.get(field.id) : raw[field.id];
      const result = checkField(field, value, now);
      if ('errors' in result) for (const e of result.errors) errors.push({ field: e.path, message: e.error });
      else if ('error' in result) errors.push({ field: result.path ?? field.id, message: result.error });
      else if (result.value !== undefined) answers[field.id] = result.value;
    }
  });
  // Answers that lead to an exit page cannot be sent: the exit page says why and who to contact instead.
  if (path.exit) errors.push({ field: path.exit.id, message: path.exit.label });
  return { answers, errors };
}

type Check = { value: unknown } | { error: string; path?: string } | { errors: { error: string; path: string }[] };

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isEmpty);
  return false;
}

type Checked = Exclude<Field, { type: 'content' | 'exit' }> | ListItemField;

function checkField(field: Checked, value: unknown, now: Date): Check {
  if (field.type === 'list') return checkList(field, value, now);
  if (isEmpty(value)) return field.required ? { error: requiredMessage(field) } : { value: undefined };
  switch (field.type) {
    case 'money':
      return checkMoney(field, value);
    case 'declaration':
      return value === true || value === 'true' || value === 'yes' || (Array.isArray(value) && value.length === 1 && value[0] === 'yes')
        ? { value: true }
        : { error: 'must be true (the citizen confirms the declaration)' };
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
      return checkText(field, value);
    case 'number':
      return checkNumber(field, value);
    case 'date':
    case 'datetime':
      return checkDate(field, value, now);
    case 'select':
    case 'radios': {
      if (typeof value !== 'string') return { error: 'must be one of the options' };
      return field.options.some((o) => o.value === value) ? { value } : { error: `"${value}" is not one of the options` };
    }
    case 'checkboxes': {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((v): v is string => typeof v === 'string')) return { error: 'must be a list of options' };
      const unknown = list.filter((v) => !field.options.some((o) => o.value === v));
      if (unknown.length) return { error: `"${unknown[0]}" is not one of the options` };
      return { value: [...new Set(list)] };
    }
    case 'location':
      return checkLocation(field, value);
    case 'address':
      return checkAddress(field, value);
    case 'file': {
      const list = value as ReceivedFile[];
      if (!field.multiple && list.length > 1) return { error: say.oneFile() };
      if (list.length > field.maxFiles) return { error: say.tooManyFiles(field.maxFiles) };
      return { value: list.map((f) => ({ documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size })) };
    }
  }
}

function requiredMessage(field: Checked): string {
  if (field.type === 'location' && !field.requiredMessage) return LOCATION_REQUIRED;
  return say.required(field);
}

const MONEY = /^-?\d+(\.\d{1,2})?$/;

/** "£1,250", "1250.5", 1250.5 → "1250.50"; pence beyond two places, letters or a minus are refused. */
function checkMoney(field: MoneyField, value: unknown): Check {
  const text =
    typeof value === 'number'
      ? String(value)
      : typeof value === 'string'
        ? value
            .trim()
            .replace(/^£\s*/, '')
            .replace(/,(?=\d{3}(\D|$))/g, '')
        : '';
  if (!MONEY.test(text) || text.length > 16) return { error: say.notMoney(field) };
  const amount = Number(text);
  if (amount < 0) return { error: say.notMoney(field) };
  if (field.wholePounds && !Number.isInteger(amount)) return { error: say.notWholePounds(field) };
  if (field.min !== undefined && amount < field.min) return { error: say.moneyTooSmall(field, field.min) };
  if (field.max !== undefined && amount > field.max) return { error: say.moneyTooLarge(field, field.max) };
  return { value: amount.toFixed(2) };
}

/** An "add another" answer: a list of items, each checked as its questions are; errors point at list.index.question. */
function checkList(field: ListField, value: unknown, now: Date): Check {
  if (value !== undefined && value !== null && !Array.isArray(value)) return { error: 'must be a list of items' };
  const raw = ((value ?? []) as unknown[]).filter((item) => !isEmpty(item));
  const min = listMinItems(field);
  if (raw.length < min) return { error: raw.length === 0 && field.required ? requiredMessage(field) : say.tooFewItems(field, min) };
  if (raw.length > field.maxItems) return { error: say.tooManyItems(field, field.maxItems) };
  const known = new Set(field.fields.map((f) => f.id));
  const items: Record<string, unknown>[] = [];
  const problems: { error: string; path: string }[] = [];
  for (const [index, item] of raw.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ error: `${say.itemName(field, index)} must be a set of answers`, path: `${field.id}.${index}` });
      continue;
    }
    const unknown = Object.keys(item).find((k) => !known.has(k));
    if (unknown !== undefined) {
      problems.push({ error: 'is not a question of this list', path: `${field.id}.${index}.${unknown}` });
      continue;
    }
    const out: Record<string, unknown> = {};
    for (const sub of field.fields) {
      // Each item's errors name the item: "Enter the full name of person 2".
      const named = { ...sub, errorName: say.itemQuestionName(field, sub, index), requiredMessage: undefined } as ListItemField;
      const result = checkField(named, (item as Record<string, unknown>)[sub.id], now);
      if ('error' in result) problems.push({ error: result.error, path: `${field.id}.${index}.${sub.id}` });
      else if ('value' in result && result.value !== undefined) out[sub.id] = result.value;
    }
    items.push(out);
  }
  if (problems.length) return { errors: problems };
  return { value: items.length ? items : undefined };
}

function checkText(field: Extract<Field, { type: 'text' | 'textarea' | 'email' | 'phone' }>, value: unknown): Check {
  if (typeof value !== 'string') return { error: 'must be text' };
  const text = field.type === 'textarea' ? value.replace(/\r\n/g, '\n').trim() : value.trim();
  if (field.minLength !== undefined && text.length < field.minLength) return { error: say.tooShort(field, field.minLength) };
  if (field.maxLength !== undefined && text.length > field.maxLength) return { error: say.tooLong(field, field.maxLength) };
  if (field.type === 'email' && (text.length > 254 || !EMAIL.test(text))) return { error: say.email() };
  if (field.type === 'phone' && !PHONE.test(text)) return { error: say.phone() };
  if (field.pattern) {
    // RE2 is linear, but a pattern still sees no more than the question allows (or PATTERN_INPUT_LIMIT).
    const limit = field.maxLength ?? PATTERN_INPUT_LIMIT;
    if (text.length > limit) return { error: say.tooLong(field, limit) };
    if (!matchesPattern(field.pattern, text)) return { error: field.patternMessage ?? say.format(field) };
  }
  return { value: text };
}

function checkNumber(field: Extract<Field, { type: 'number' }>, value: unknown): Check {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { error: say.notNumber(field) };
  if (field.integer && !Number.isInteger(n)) return { error: say.notWholeNumber(field) };
  if (field.min !== undefined && n < field.min) return { error: say.tooSmall(field, field.min) };
  if (field.max !== undefined && n > field.max) return { error: say.tooLarge(field, field.max) };
  return { value: n };
}

function checkDate(field: Extract<Field, { type: 'date' | 'datetime' }>, value: unknown, now: Date): Check {
  if (typeof value !== 'string') return { error: say.notRealDate(field) };
  const text = value.trim();
  const missing = missingDateParts(text);
  if (missing.length) return { error: say.dateMissing(field, missing) };
  const shapeOk = field.type === 'date' ? DATE.test(text) : DATETIME.test(text);
  const date = new Date(field.type === 'date' ? `${text}T00:00:00Z` : `${text}Z`);
  if (!shapeOk || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text.slice(0, 10)) {
    return { error: say.notRealDate(field) };
  }
  // Compare as UK wall-clock time with a day's grace, so a citizen's "today" is never refused for time zones.
  if (field.notInFuture && date.getTime() > now.getTime() + 24 * 3600 * 1000) return { error: say.notInFuture(field) };
  return { value: field.type === 'datetime' ? text.slice(0, 16) : text };
}

/** Parts left out of a date the pages assembled from day, month and year boxes ("2026-00-12" has no month). */
function missingDateParts(text: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(.*))?$/.exec(text);
  if (!m) return [];
  const missing = [m[3] === '00' && 'day', m[2] === '00' && 'month', m[1] === '0000' && 'year'].filter((x): x is string => !!x);
  if (m[4] === '??:??') missing.push('time');
  return missing;
}

function checkAddress(field: Extract<Field, { type: 'address' }>, value: unknown): Check {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'must be an address' };
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!ADDRESS_KEYS.has(key)) return { error: 'is not part of an address', path: `${field.id}.${key}` };
  }
  const out: AddressAnswer = {};
  for (const key of ['line1', 'line2', 'town', 'postcode', 'uprn'] as const) {
    const v = raw[key];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') return { error: 'must be text', path: `${field.id}.${key}` };
    if (v.trim().length > 200) return { error: `${ADDRESS_PART_NAMES[key]} must be 200 characters or less`, path: `${field.id}.${key}` };
    if (v.trim()) out[key] = v.trim();
  }
  if (out.uprn !== undefined && !/^\d{1,12}$/.test(out.uprn)) return { error: 'UPRN must be 1 to 12 digits', path: `${field.id}.uprn` };
  const ranges = { easting: [0, 700000], northing: [0, 1300000], latitude: [49, 61], longitude: [-9, 2.1] } as const;
  for (const key of ['easting', 'northing', 'latitude', 'longitude'] as const) {
    const v = raw[key];
    if (v === undefined || v === null || v === '') continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    const [min, max] = ranges[key];
    if (!Number.isFinite(n) || n < min || n > max)
      return { error: `${ADDRESS_PART_NAMES[key]} must be a number between ${min} and ${max}`, path: `${field.id}.${key}` };
    out[key] = n;
  }
  if (out.postcode !== undefined) {
    if (!UK_POSTCODE.test(out.postcode)) return { error: 'Enter a real postcode', path: `${field.id}.postcode` };
    out.postcode = formatPostcode(out.postcode);
  }
  if ((out.easting === undefined) !== (out.northing === undefined)) return { error: 'Enter both an easting and a northing', path: field.id };
  if ((out.latitude === undefined) !== (out.longitude === undefined)) return { error: 'Enter both a latitude and a longitude', path: field.id };
  // A UPRN alone is an address: the submission code reads its lines and coordinates from the council's provider.
  const hasAddress = (out.line1 !== undefined && out.postcode !== undefined) || out.uprn !== undefined;
  const hasPoint = out.easting !== undefined || out.latitude !== undefined;
  if (!hasAddress && !(field.allowLocationOnly && hasPoint)) {
    if (out.line1 === undefined) return { error: 'Enter address line 1, typically the building and street', path: `${field.id}.line1` };
    return { error: 'Enter a postcode', path: `${field.id}.postcode` };
  }
  return { value: out };
}

function formatPostcode(p: string): string {
  const compact = p.replace(/\s+/g, '').toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
