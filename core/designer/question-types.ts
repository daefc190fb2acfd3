// The kinds of question a designer chooses from and the file types a file question can accept, in plain words.
import type { FieldInput } from '../services/index.ts';

export type FieldType = FieldInput['type'];

/** Every type of question, in the words the designer chooses from. */
export const QUESTION_TYPES: readonly { type: FieldType; name: string; hint: string }[] = [
  { type: 'text', name: 'Short answer', hint: 'A single line of text, like a name or a reference number' },
  { type: 'textarea', name: 'Long answer', hint: 'Several sentences or paragraphs, like a description' },
  { type: 'email', name: 'Email address', hint: 'Checked to look like an email address' },
  { type: 'phone', name: 'Phone number', hint: 'Checked to look like a phone number' },
  { type: 'number', name: 'Number', hint: 'A number, with a smallest and largest value if you need them' },
  { type: 'date', name: 'Date', hint: 'Day, month and year' },
  { type: 'datetime', name: 'Date and time', hint: 'Day, month, year and a time of day' },
  { type: 'radios', name: 'One option from a list', hint: 'Radio buttons: the person selects one' },
  { type: 'checkboxes', name: 'Several options from a list', hint: 'Checkboxes: the person selects all that apply' },
  { type: 'select', name: 'One option from a drop-down list', hint: 'For a long list the person knows well' },
  { type: 'address', name: 'Address', hint: 'A UK address, or a place on a map if you allow it' },
  { type: 'location', name: 'Location on a map', hint: 'A place without an address: a pin on a map, or a description and the nearest street' },
  { type: 'file', name: 'File upload', hint: 'Photos or documents, with the file types and sizes you accept' },
  { type: 'money', name: 'Amount of money', hint: 'An amount in pounds, with a smallest and largest amount if you need them' },
  { type: 'declaration', name: 'Declaration', hint: 'Text the person must agree to, with a box they tick to confirm' },
  { type: 'list', name: 'List of things — the citizen can add another', hint: 'The same questions asked for each thing, like each person or vehicle' },
  { type: 'content', name: 'Information page', hint: 'A page that tells the person something and asks nothing' },
  { type: 'exit', name: 'Exit page — the form ends here', hint: 'For answers you do not deal with: says who to contact instead, and the form stops' },
];

/** The types a list's own questions can have ("add another" items ask simple questions only). */
export const LIST_ITEM_TYPES: readonly FieldType[] = ['text', 'textarea', 'email', 'phone', 'number', 'money', 'date', 'select', 'radios'];

/** Types that ask nothing: no answer, so nothing to require. */
export const ASKS_NOTHING: readonly FieldType[] = ['content', 'exit'];

/** Types the person must always answer (the "must people answer it?" question is not asked). */
export const ALWAYS_REQUIRED: readonly FieldType[] = ['declaration'];

/** Types that stand alone on their page. */
export const ALONE_ON_PAGE: readonly FieldType[] = ['exit', 'list'];

/** Types whose options can lead to a later page. */
export const ROUTING_TYPES: readonly FieldType[] = ['radios', 'select'];

export function typeName(type: string): string {
  return QUESTION_TYPES.find((t) => t.type === type)?.name ?? type;
}

/** File types by the names people know them by. */
export const FILE_TYPES: readonly { key: string; name: string; mediaType: string }[] = [
  { key: 'jpg', name: 'JPG photo', mediaType: 'image/jpeg' },
  { key: 'png', name: 'PNG image', mediaType: 'image/png' },
  { key: 'heic', name: 'HEIC photo (from iPhones)', mediaType: 'image/heic' },
  { key: 'webp', name: 'WebP image', mediaType: 'image/webp' },
  { key: 'pdf', name: 'PDF document', mediaType: 'application/pdf' },
  { key: 'docx', name: 'Word document (DOCX)', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  { key: 'odt', name: 'OpenDocument text (ODT)', mediaType: 'application/vnd.oasis.opendocument.text' },
  { key: 'mp4', name: 'MP4 video', mediaType: 'video/mp4' },
];
