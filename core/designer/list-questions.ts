// The questions a list ("add another") asks about each thing in it: added, changed, removed and moved within the list.
// They are simple questions (LIST_ITEM_TYPES) with no page or condition of their own.
import type { FieldInput } from '../services/index.ts';
import type { DraftDefinition } from './drafts.ts';
import { LIST_ITEM_TYPES } from './question-types.ts';
import { findQuestion, QuestionEditError, type Direction } from './questions.ts';

export type ListQuestion = Extract<FieldInput, { type: 'list' }>;
type ItemQuestion = ListQuestion['fields'][number];

export function listQuestion(def: DraftDefinition, listId: string): ListQuestion | undefined {
  const field = findQuestion(def, listId);
  return field?.type === 'list' ? field : undefined;
}

function listOrFail(def: DraftDefinition, listId: string): ListQuestion {
  const list = listQuestion(def, listId);
  if (!list) throw new QuestionEditError('That list is no longer in this service');
  return list;
}

/** The list's questions seen as a form of their own: what the question details form checks ids and pages against. */
export function itemDefinition(def: DraftDefinition, list: ListQuestion): DraftDefinition {
  return { ...def, pages: undefined, fields: list.fields as FieldInput[] };
}

function asItem(field: FieldInput): ItemQuestion {
  if (!LIST_ITEM_TYPES.includes(field.type)) throw new QuestionEditError('A list cannot ask that type of question', 'type');
  const { page: _page, showIf: _showIf, ...rest } = field as FieldInput & { page?: string };
  return rest as ItemQuestion;
}

export function addItemQuestion(def: DraftDefinition, listId: string, field: FieldInput): void {
  const list = listOrFail(def, listId);
  if (list.fields.some((f) => f.id === field.id)) throw new QuestionEditError(`The list already has a question with the id “${field.id}”`, 'id');
  list.fields.push(asItem(field));
}

export function updateItemQuestion(def: DraftDefinition, listId: string, id: string, field: FieldInput): void {
  const list = listOrFail(def, listId);
  const i = list.fields.findIndex((f) => f.id === id);
  if (i < 0) throw new QuestionEditError('That question is no longer in this list');
  if (field.id !== id && list.fields.some((f) => f.id === field.id))
    throw new QuestionEditError(`The list already has a question with the id “${field.id}”`, 'id');
  if (field.id !== id && mappingReadsItem(def.xml?.mapping, id))
    throw new QuestionEditError('The XML mapping uses the answer to this question: keep its id, or change the mapping first', 'id');
  list.fields[i] = asItem(field);
}

export function removeItemQuestion(def: DraftDefinition, listId: string, id: string): ItemQuestion {
  const list = listOrFail(def, listId);
  const i = list.fields.findIndex((f) => f.id === id);
  if (i < 0) throw new QuestionEditError('That question is no longer in this list');
  if (mappingReadsItem(def.xml?.mapping, id)) throw new QuestionEditError('The XML mapping uses the answer to this question. Change the mapping first.');
  return list.fields.splice(i, 1)[0]!;
}

export function moveItemQuestion(def: DraftDefinition, listId: string, id: string, direction: Direction): void {
  const list = listOrFail(def, listId);
  const i = list.fields.findIndex((f) => f.id === id);
  if (i < 0) throw new QuestionEditError('That question is no longer in this list');
  const j = direction === 'up' ? i - 1 : i + 1;
  if (j < 0 || j >= list.fields.length)
    throw new QuestionEditError(`“${list.fields[i]!.label}” is already the ${direction === 'up' ? 'first' : 'last'} question of the list`);
  [list.fields[i], list.fields[j]] = [list.fields[j]!, list.fields[i]!];
}

/** Does a mapping read `item: <id>` anywhere (a list item's answer, inside an `each`)? */
function mappingReadsItem(node: unknown, id: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mappingReadsItem(n, id));
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node).some(([k, v]) => (k === 'item' && v === id) || mappingReadsItem(v, id));
}
