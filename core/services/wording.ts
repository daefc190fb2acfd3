// How the hub words a service and its questions for citizens, the GOV.UK Design System way: the noun for what they send
// ("Now send your noise report"), page headings, and error messages built from a question's name ("Enter [whatever]",
// "Select [whatever]", "[Whatever] must be …"). A definition can give each of these; otherwise they are made from the
// title, page id and label, never by guessing grammar: a label that is a question is quoted rather than rephrased.
import type { Field, ListField, ServiceDefinition } from './definition.ts';

/** What wording needs of a question (a top-level question or one of a list's). */
interface Named {
  type: Field['type'];
  label: string;
  errorName?: string;
  requiredMessage?: string;
}

/** What the citizen sends, as it reads after "your". */
export function serviceNoun(def: ServiceDefinition): string {
  return def.noun ?? 'form';
}

/** The heading of a page that asks several questions. */
export function pageTitle(def: ServiceDefinition, pageId: string): string {
  const title = def.pages?.[pageId]?.title;
  if (title) return title;
  const words = pageId.replace(/[-_]+/g, ' ').trim();
  return upperFirst(words);
}

/** Labels that are already an instruction: their own text is the "required" message ("Describe the noise"). */
const IMPERATIVE = /^(describe|tell|give|enter|upload|select|choose|list|explain)\b/i;

const ASKS_TO_SELECT = new Set<Field['type']>(['select', 'radios', 'checkboxes', 'file', 'declaration']);

function plainLabel(field: Named): string {
  return field.label.replace(/\s*\(optional\)\s*$/i, '').trim();
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lower-cases the first letter unless the first word is an abbreviation ("MOT", "UPRN"). */
function lowerFirst(text: string): string {
  return /^[A-Z]{2}/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** The question's name inside a sentence ("the date the problem started"), or null when the label is a question or an instruction. */
function nameOf(field: Named): string | null {
  if (field.errorName) return field.errorName;
  const label = plainLabel(field);
  if (label.endsWith('?') || IMPERATIVE.test(label)) return null;
  return lowerFirst(label);
}

/** The label quoted, for questions the hub cannot name: ‘When did it start?’. */
function quoted(field: Named): string {
  return `‘${plainLabel(field)}’`;
}

/** The instruction a label gives, if it is one ("Describe the noise"). */
function instruction(field: Named): string | null {
  const label = plainLabel(field);
  return !field.errorName && IMPERATIVE.test(label) ? label.replace(/[?.]$/, '') : null;
}

/** "Enter the date the problem started", "Select how often it happens", "Describe the noise". */
function askFor(field: Named): string {
  const own = instruction(field);
  if (own) return own;
  const name = nameOf(field);
  const verb = ASKS_TO_SELECT.has(field.type) ? 'Select' : 'Enter';
  if (name) return `${verb} ${name}`;
  if (field.type === 'file') return `Select a file for ${quoted(field)}`;
  if (field.type === 'date' || field.type === 'datetime') return `Enter a date for ${quoted(field)}`;
  return `${verb} an answer to ${quoted(field)}`;
}

/** The question as the subject of a sentence: "Date the problem started" (must be …). */
function subjectOf(field: Named): string {
  const name = nameOf(field);
  if (name) return upperFirst(name.replace(/^(the|your|a|an) /i, ''));
  return `Your answer to ${quoted(field)}`;
}

/** The error messages of one question. Every one names the question, so no two questions share a message. */
export const errorMessages = {
  required(field: Named): string {
    if (field.type === 'declaration') return field.requiredMessage ?? 'Select the box to confirm the declaration';
    if (field.type === 'list' && !field.requiredMessage && !field.errorName) return `Add at least one ${(field as unknown as ListField).itemName}`;
    return field.requiredMessage ?? askFor(field);
  },
  notMoney(field: Named): string {
    return `${subjectOf(field)} must be an amount of money, like 12.50`;
  },
  notWholePounds(field: Named): string {
    return `${subjectOf(field)} must be in whole pounds, like 120`;
  },
  moneyTooSmall(field: Named, min: number): string {
    return `${subjectOf(field)} must be ${poundsText(min)} or more`;
  },
  moneyTooLarge(field: Named, max: number): string {
    return `${subjectOf(field)} must be ${poundsText(max)} or less`;
  },
  tooFewItems(field: ListField, min: number): string {
    return `Add at least ${min} ${min === 1 ? field.itemName : plural(field.itemName)}`;
  },
  tooManyItems(field: ListField, max: number): string {
    return `You can add up to ${max} ${max === 1 ? field.itemName : plural(field.itemName)}`;
  },
  /** "Person 2" (index from 0). */
  itemName(field: ListField, index: number): string {
    return `${upperFirst(field.itemName)} ${index + 1}`;
  },
  /** How a list's question is named in its errors: "full name of person 2". */
  itemQuestionName(field: ListField, sub: Named, index: number): string {
    const own = nameOf(sub);
    return `${own ?? `your answer to ${quoted(sub)}`} of ${field.itemName} ${index + 1}`;
  },
  tooShort(field: Named, min: number): string {
    const own = instruction(field);
    return own ? `${own} in ${min} characters or more` : `${subjectOf(field)} must be ${min} characters or more`;
  },
  tooLong(field: Named, max: number): string {
    const own = instruction(field);
    return own ? `${own} in ${max} characters or less` : `${subjectOf(field)} must be ${max} characters or less`;
  },
  email(): string {
    return 'Enter an email address in the correct format, like name@example.com';
  },
  phone(): string {
    return 'Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192';
  },
  format(field: Named): string {
    return `${askFor(field)} in the correct format`;
  },
  notNumber(field: Named): string {
    return `${subjectOf(field)} must be a number`;
  },
  notWholeNumber(field: Named): string {
    return `${subjectOf(field)} must be a whole number`;
  },
  tooSmall(field: Named, min: number): string {
    return `${subjectOf(field)} must be ${min} or more`;
  },
  tooLarge(field: Named, max: number): string {
    return `${subjectOf(field)} must be ${max} or less`;
  },
  /** `missing` lists the parts not given: day, month, year, time. */
  dateMissing(field: Named, missing: string[]): string {
    const list = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}` : missing[0];
    return `${subjectOf(field)} must include a ${list}`;
  },
  notRealDate(field: Named): string {
    return field.type === 'datetime'
      ? `${subjectOf(field)} must be a real date and time, for example 27 3 2026 at 21:30`
      : `${subjectOf(field)} must be a real date, for example 27 3 2026`;
  },
  notInFuture(field: Named): string {
    return `${subjectOf(field)} must be today or in the past`;
  },
  oneFile(): string {
    return 'Select only one file';
  },
  tooManyFiles(max: number): string {
    return `You can only select up to ${max} files at the same time`;
  },
  /** GOV.UK's file upload wording; `types` as uploadTypeNames gives them. */
  fileType(field: Extract<Field, { type: 'file' }>): string {
    const names = uploadTypeNames(field.accept);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
    return `The selected file must be a ${list}`;
  },
  fileSize(field: Extract<Field, { type: 'file' }>): string {
    return `The selected file must be smaller than ${fileSizeText(field.maxSize)}`;
  },
};

/** 1250 → "£1,250", 12.5 → "£12.50". */
export function poundsText(amount: number): string {
  return `£${amount.toLocaleString('en-GB', { minimumFractionDigits: Number.isInteger(amount) ? 0 : 2, maximumFractionDigits: 2 })}`;
}

/** "person" → "people", "vehicle" → "vehicles": the few irregular nouns a list names, else an s. */
function plural(noun: string): string {
  const irregular: Record<string, string> = { person: 'people', child: 'children', man: 'men', woman: 'women' };
  return irregular[noun] ?? (/(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`);
}

/** Names citizens know for media types: image/jpeg → JPG, audio/mpeg → MP3, application/pdf → PDF. */
const TYPE_NAMES: Record<string, string> = {
  'image/jpeg': 'JPG',
  'audio/mpeg': 'MP3',
  'image/svg+xml': 'SVG',
  'text/plain': 'TXT',
  'application/msword': 'DOC',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.ms-excel': 'XLS',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
  'application/vnd.oasis.opendocument.text': 'ODT',
};

export function uploadTypeNames(accept: readonly string[]): string[] {
  const names = accept.map((t) => TYPE_NAMES[t] ?? t.split('/')[1]!.replace(/^x-/, '').toUpperCase());
  return [...new Set(names)];
}

/** 10485760 → "10MB", 512000 → "500KB", 1572864 → "1.5MB" (GOV.UK writes sizes without a space). */
export function fileSizeText(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : Number(mb.toFixed(1))}MB`;
  return `${Math.max(1, Math.round(bytes / 1024))}KB`;
}
