// The mapping editor's words: what an XSD node wants and where a row's value comes from, in plain English.
import type { DraftDefinition } from '../../../designer/drafts.ts';
import type { XsdTreeNode } from '../../../designer/xsd-tree.ts';
import type { ElementSpec, ValueSpec } from '../../../xml/index.ts';
import { ADDRESS_PARTS, itemOptions, listQuestion, PROCESS_FIELDS } from './xml-row-form.ts';

const BUILTIN_WORDS: Record<string, string> = {
  string: 'Text',
  normalizedString: 'Text',
  token: 'Text',
  date: 'Date',
  dateTime: 'Date and time',
  boolean: 'True or false',
  decimal: 'Number',
  integer: 'Whole number',
  int: 'Whole number',
  positiveInteger: 'Whole number above 0',
  nonNegativeInteger: 'Whole number, 0 or more',
  anyURI: 'Web address',
  list: 'List of values separated by spaces',
};

/** "Required", "Optional, up to 4 times"… */
export function occursInWords(node: XsdTreeNode): string {
  const need = node.minOccurs > 0 ? (node.inChoice ? 'Required (or one of the others in its choice)' : 'Required') : 'Optional';
  if (node.maxOccurs === 1) return need;
  return `${need}, ${node.maxOccurs === null ? 'repeats any number of times' : `up to ${node.maxOccurs} times`}`;
}

/** "Date", "One of: DOG, CAT", "Text, up to 200 characters, like [A-Z]{2}"… */
export function typeInWords(node: XsdTreeNode): string {
  const s = node.simple;
  if (!s) return node.recursive ? 'Group (repeats itself; edit it in YAML)' : 'Group of elements';
  if (s.enumeration.length) return `One of: ${s.enumeration.join(', ')}`;
  const parts = [BUILTIN_WORDS[s.builtin] ?? s.builtin];
  if (s.maxLength !== undefined) parts.push(`up to ${s.maxLength} characters`);
  if (s.minLength) parts.push(`at least ${s.minLength} characters`);
  if (s.minInclusive !== undefined) parts.push(`from ${s.minInclusive}`);
  if (s.maxInclusive !== undefined) parts.push(`to ${s.maxInclusive}`);
  if (s.pattern.length) parts.push(`matching the pattern ${s.pattern.join(' or ')}`);
  return parts.join(', ');
}

function answerWords(answer: string, definition: DraftDefinition): string {
  const [id, part] = answer.split('.') as [string, string | undefined];
  const field = definition.fields.find((f) => f.id === id);
  const label = field ? `“${field.label}”` : `${id} (not a question of this service)`;
  const partWords = part ? (ADDRESS_PARTS.find(([p]) => p === part)?.[1] ?? part) : null;
  return partWords ? `The answer to ${label}: ${partWords}` : `The answer to ${label}`;
}

/** `repeat`: what the element's (or an enclosing element's) repeat is for ("answer:people"), to name a list's items. */
export function valueInWords(value: ValueSpec | string | undefined, definition: DraftDefinition, repeat: string | null = null): string {
  if (value === undefined) return 'Not mapped';
  if (typeof value === 'string') return `Fixed value “${value}”`;
  const source =
    value.answer !== undefined
      ? answerWords(value.answer, definition)
      : value.process
        ? (PROCESS_FIELDS.find((p) => p.value === value.process)?.text ?? value.process)
        : value.constant !== undefined
          ? `Fixed value “${value.constant}”`
          : itemWords(String(value.item), definition, repeat);
  const extras: string[] = [];
  if (value.lookup) extras.push(`through a lookup table of ${Object.keys(value.lookup).length} code${Object.keys(value.lookup).length === 1 ? '' : 's'}`);
  if (value.default !== undefined) extras.push(`default “${value.default}”`);
  if (value.format) extras.push(`as ${typeof value.format === 'object' ? `a number with ${value.format.decimals} decimal places` : value.format}`);
  return [source, ...extras].join(', ');
}

/** `inRepeat`: the repeat of an element above this one, if any. */
export function elementInWords(spec: ElementSpec | undefined, node: XsdTreeNode, definition: DraftDefinition, inRepeat: string | null = null): string {
  const own = spec?.each ? (spec.each.answer !== undefined ? `answer:${spec.each.answer}` : `documents:${spec.each.documents}`) : null;
  const list = listQuestion(definition, own);
  const repeat = spec?.each
    ? list
      ? `Repeats for each ${list.itemName || 'item'} in “${list.label}”`
      : spec.each.answer
        ? `Repeats for each answer ticked in ${spec.each.answer}`
        : `Repeats for each document (${spec.each.documents})`
    : null;
  if (!node.simple) return repeat ?? (spec ? 'Filled from the rows below' : 'Not mapped');
  const value = valueInWords(spec?.value, definition, own ?? inRepeat);
  return repeat ? `${value}; ${repeat.charAt(0).toLowerCase()}${repeat.slice(1)}` : value;
}

/** "Each person: Full name", "Each item: document: file name". */
function itemWords(item: string, definition: DraftDefinition, repeat: string | null): string {
  const list = listQuestion(definition, repeat);
  const text = itemOptions(definition, repeat).find((i) => i.value === item)?.text;
  if (list)
    return text ? `Each ${text.charAt(0).toLowerCase()}${text.slice(1)}` : `Each ${list.itemName || 'item'}: ${item} (not a question of “${list.label}”)`;
  return `Each item: ${(text ?? item).toLowerCase()}`;
}
