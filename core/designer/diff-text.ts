// How the readable diff (diff.ts) says a setting's value in words: "Yes", "“Where is it?”", "10 MB", "Shown when
// “Type of noise” is Music". Pure: no I/O.
import { stableJson } from '../services/index.ts';

export { stableJson };

/** A question's settings in the order the diff lists them, with the name each reads as. Others follow by their key. */
export const QUESTION_SETTINGS: [key: string, name: string][] = [
  ['label', 'Question'],
  ['type', 'Type'],
  ['hint', 'Hint'],
  ['required', 'Required'],
  ['requiredMessage', 'Error when not answered'],
  ['errorName', 'Named in errors as'],
  ['page', 'Page'],
  ['showIf', 'Shown when'],
  ['options', 'Options'],
  ['minLength', 'Shortest answer (characters)'],
  ['maxLength', 'Longest answer (characters)'],
  ['pattern', 'Format'],
  ['patternMessage', 'Error when the format is wrong'],
  ['min', 'Smallest number'],
  ['max', 'Largest number'],
  ['integer', 'Whole numbers only'],
  ['notInFuture', 'Date must not be in the future'],
  ['allowLocationOnly', 'A location without an address is accepted'],
  ['accept', 'File types'],
  ['maxSize', 'Largest file'],
  ['multiple', 'More than one file'],
  ['maxFiles', 'Most files'],
  ['body', 'Text of the page'],
  ['warning', 'Warning'],
  ['confirm', 'Words next to the box'],
  ['wholePounds', 'Whole pounds only'],
  ['itemName', 'One thing in the list is called'],
  ['minItems', 'Fewest in the list'],
  ['maxItems', 'Most in the list'],
  ['fields', 'Questions about each thing in the list'],
];

const TYPE_NAMES: Record<string, string> = {
  text: 'Short text',
  textarea: 'Long text',
  email: 'Email address',
  phone: 'Phone number',
  number: 'Number',
  date: 'Date',
  datetime: 'Date and time',
  select: 'Select from a list',
  radios: 'One option (radios)',
  checkboxes: 'Several options (checkboxes)',
  address: 'Address',
  file: 'File upload',
  location: 'Location on a map',
  content: 'Information page',
  exit: 'Exit page (the form ends there)',
  declaration: 'Declaration',
  money: 'Amount of money',
  list: 'List of things (add another)',
};

/** What a question's setting reads as; `labelOf` names another question by its id (for conditions). */
export function settingText(key: string, value: unknown, labelOf: (id: string) => string): string {
  if (value === undefined || value === null) return 'Not set';
  if (key === 'type') return TYPE_NAMES[String(value)] ?? String(value);
  if (key === 'maxSize' && typeof value === 'number') return fileSize(value);
  if (key === 'showIf') return conditionText(value as { field?: string; equals?: string; in?: string[] }, labelOf);
  if (key === 'options' && Array.isArray(value))
    return (value as { value: string; label: string; goTo?: string }[])
      .map((o) => `${o.label} (${o.value})${o.goTo ? ` then goes to ${o.goTo === 'check-answers' ? '‘Check your answers’' : `“${labelOf(o.goTo)}”`}` : ''}`)
      .join(', ');
  if (key === 'fields' && Array.isArray(value))
    return (value as { label?: string; type?: string; required?: boolean }[])
      .map((f) => `${f.label ?? ''} (${TYPE_NAMES[String(f.type)] ?? String(f.type)}${f.required === false ? ', optional' : ''})`)
      .join(', ');
  return valueText(value);
}

/** A money question's limits, in pounds. */
export function poundsSetting(value: unknown): string {
  return typeof value === 'number' ? `£${value.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : valueText(value);
}

export function valueText(value: unknown): string {
  if (value === undefined || value === null) return 'Not set';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return value === '' ? 'Empty' : `“${value}”`;
  if (typeof value === 'number') return value.toLocaleString('en-GB');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return stableJson(value);
}

/** "Shown when “Type of noise” is Music or Dog". */
function conditionText(c: { field?: string; equals?: string; in?: string[] }, labelOf: (id: string) => string): string {
  const values = c.in ?? (c.equals === undefined ? [] : [c.equals]);
  return `“${labelOf(c.field ?? '')}” is ${values.join(' or ')}`;
}

function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes.toLocaleString('en-GB')} bytes`;
}

export function same(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}
