// Validates a citizen's answers against a service definition. The API and the citizen pages both use this one function.
import type { FieldError } from '../errors.ts';
import type { Field, ServiceDefinition } from './definition.ts';
import { matchesPattern, PATTERN_INPUT_LIMIT } from './pattern.ts';

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

export type Answers = Record<string, unknown>;

export interface AnswerValidation {
  /** Normalised answers (trimmed, numbers as numbers, hidden questions dropped). */
  answers: Answers;
  errors: FieldError[];
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;
const PHONE = /^\+?[0-9 ()-]{7,20}$/;
const UK_POSTCODE = /^(GIR ?0AA|[A-PR-UWYZ][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][0-9][A-HJKPSTUW] ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY] ?[0-9][ABD-HJLNP-UW-Z]{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const ADDRESS_KEYS = new Set(['line1', 'line2', 'town', 'postcode', 'uprn', 'easting', 'northing', 'latitude', 'longitude']);

/** Is a question shown, given the answers so far? Questions hidden by a condition are neither required nor kept. */
export function isFieldShown(field: Field, answers: Answers): boolean {
  if (!field.showIf) return true;
  const value = answers[field.showIf.field];
  const values = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  const wanted = field.showIf.equals !== undefined ? [field.showIf.equals] : (field.showIf.in ?? []);
  return values.some((v) => wanted.includes(v));
}

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
    if (!isFieldShown(field, answers)) continue;
    const value = field.type === 'file' ? files.get(field.id) : raw[field.id];
    const result = checkField(field, value, now);
    if ('error' in result) errors.push({ field: result.path ?? field.id, message: result.error });
    else if (result.value !== undefined) answers[field.id] = result.value;
  }
  return { answers, errors };
}

type Check = { value: unknown } | { error: string; path?: string };

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isEmpty);
  return false;
}

function checkField(field: Field, value: unknown, now: Date): Check {
  if (isEmpty(value)) return field.required ? { error: requiredMessage(field) } : { value: undefined };
  switch (field.type) {
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
    case 'address':
      return checkAddress(field, value);
    case 'file': {
      const list = value as ReceivedFile[];
      if (!field.multiple && list.length > 1) return { error: 'accepts only one file' };
      if (list.length > field.maxFiles) return { error: `accepts at most ${field.maxFiles} files` };
      return { value: list.map((f) => ({ documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size })) };
    }
  }
}

const IMPERATIVE = /^(describe|tell|give|enter|upload|select|choose|list|explain)\b/i;

function requiredMessage(field: Field): string {
  if (field.requiredMessage) return field.requiredMessage;
  switch (field.type) {
    case 'select':
    case 'radios':
    case 'checkboxes':
      return 'Select an option';
    case 'file':
      return 'Upload a file';
    default: {
      const label = field.label.replace(/\s*\(optional\)\s*$/i, '');
      if (IMPERATIVE.test(label)) return label.replace(/\?$/, '');
      if (label.endsWith('?')) return 'Answer this question';
      return `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
    }
  }
}

function checkText(field: Extract<Field, { type: 'text' | 'textarea' | 'email' | 'phone' }>, value: unknown): Check {
  if (typeof value !== 'string') return { error: 'must be text' };
  const text = field.type === 'textarea' ? value.replace(/\r\n/g, '\n').trim() : value.trim();
  if (field.minLength !== undefined && text.length < field.minLength) return { error: `must be at least ${field.minLength} characters` };
  if (field.maxLength !== undefined && text.length > field.maxLength) return { error: `must be ${field.maxLength} characters or fewer` };
  if (field.type === 'email' && (text.length > 254 || !EMAIL.test(text))) return { error: 'must be an email address, like name@example.com' };
  if (field.type === 'phone' && !PHONE.test(text)) return { error: 'must be a telephone number, like 01632 960 001 or +44 808 157 0192' };
  if (field.pattern) {
    // RE2 is linear, but a pattern still sees no more than the question allows (or PATTERN_INPUT_LIMIT).
    const limit = field.maxLength ?? PATTERN_INPUT_LIMIT;
    if (text.length > limit) return { error: `must be ${limit} characters or fewer` };
    if (!matchesPattern(field.pattern, text)) return { error: field.patternMessage ?? 'is not in the right format' };
  }
  return { value: text };
}

function checkNumber(field: Extract<Field, { type: 'number' }>, value: unknown): Check {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { error: 'must be a number' };
  if (field.integer && !Number.isInteger(n)) return { error: 'must be a whole number' };
  if (field.min !== undefined && n < field.min) return { error: `must be ${field.min} or more` };
  if (field.max !== undefined && n > field.max) return { error: `must be ${field.max} or less` };
  return { value: n };
}

function checkDate(field: Extract<Field, { type: 'date' | 'datetime' }>, value: unknown, now: Date): Check {
  if (typeof value !== 'string') return { error: 'must be a date' };
  const text = value.trim();
  const shapeOk = field.type === 'date' ? DATE.test(text) : DATETIME.test(text);
  const date = new Date(field.type === 'date' ? `${text}T00:00:00Z` : `${text}Z`);
  if (!shapeOk || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text.slice(0, 10)) {
    return { error: field.type === 'date' ? 'must be a real date, like 2026-03-27' : 'must be a real date and time, like 2026-03-27T21:30' };
  }
  // Compare as UK wall-clock time with a day's grace, so a citizen's "today" is never refused for time zones.
  if (field.notInFuture && date.getTime() > now.getTime() + 24 * 3600 * 1000) return { error: 'must be today or in the past' };
  return { value: field.type === 'datetime' ? text.slice(0, 16) : text };
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
    if (v.trim().length > 200) return { error: 'must be 200 characters or fewer', path: `${field.id}.${key}` };
    if (v.trim()) out[key] = v.trim();
  }
  const ranges = { easting: [0, 700000], northing: [0, 1300000], latitude: [49, 61], longitude: [-9, 2.1] } as const;
  for (const key of ['easting', 'northing', 'latitude', 'longitude'] as const) {
    const v = raw[key];
    if (v === undefined || v === null || v === '') continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    const [min, max] = ranges[key];
    if (!Number.isFinite(n) || n < min || n > max) return { error: `must be a number between ${min} and ${max}`, path: `${field.id}.${key}` };
    out[key] = n;
  }
  if (out.postcode !== undefined) {
    if (!UK_POSTCODE.test(out.postcode)) return { error: 'Enter a real postcode', path: `${field.id}.postcode` };
    out.postcode = formatPostcode(out.postcode);
  }
  if ((out.easting === undefined) !== (out.northing === undefined)) return { error: 'give both easting and northing', path: field.id };
  if ((out.latitude === undefined) !== (out.longitude === undefined)) return { error: 'give both latitude and longitude', path: field.id };
  const hasAddress = out.line1 !== undefined && out.postcode !== undefined;
  const hasPoint = out.easting !== undefined || out.latitude !== undefined;
  if (!hasAddress && !(field.allowLocationOnly && hasPoint)) {
    if (out.line1 === undefined) return { error: 'Enter the first line of the address', path: `${field.id}.line1` };
    return { error: 'Enter a postcode', path: `${field.id}.postcode` };
  }
  return { value: out };
}

function formatPostcode(p: string): string {
  const compact = p.replace(/\s+/g, '').toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
