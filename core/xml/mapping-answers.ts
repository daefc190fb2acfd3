// Does a mapping read answers the service has? Checked against the service's questions (given as plain data, so the
// XML engine knows nothing of definitions): an answer of a question that asks nothing (a content or exit page), of no
// question at all, a list read as one value, and an `item` that is not a question of the list its element repeats for.
// Paths are the mapping's own ("children.2.children.0.value.item"), as the schema's issues are.
import { DOCUMENT_ITEM_KEYS, type ElementSpec, type ValueSpec, type XmlMapping } from './mapping-schema.ts';

/** What a mapping may read of one of a service's questions. */
export interface MappingQuestion {
  id: string;
  type: string;
  /** An "add another" list's questions. */
  fields?: readonly { id: string; type: string }[];
}

export interface MappingProblem {
  path: string;
  message: string;
}

/** What the current item of a repeat is ("unknown": the repeat's own question is already a problem). */
type Repeat = { list: MappingQuestion } | { other: true } | { unknown: true } | null;

const ASKS_NOTHING = ['content', 'exit'];

/** Every place the mapping reads an answer it cannot have. */
export function answerProblems(mapping: Pick<XmlMapping, 'attributes' | 'children'>, questions: readonly MappingQuestion[]): MappingProblem[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const problems: MappingProblem[] = [];
  const question = (id: string, path: string): MappingQuestion | null => {
    const q = byId.get(id);
    if (!q) problems.push({ path, message: `"${id}" is not a question of this service` });
    else if (ASKS_NOTHING.includes(q.type))
      problems.push({ path, message: `"${id}" is ${q.type === 'exit' ? 'an exit page' : 'a content page'}: it asks nothing, so it has no answer` });
    else return q;
    return null;
  };

  const value = (spec: ValueSpec | string | undefined, path: string, repeat: Repeat) => {
    if (spec === undefined || typeof spec === 'string') return;
    if (spec.answer !== undefined) {
      const id = spec.answer.split('.')[0]!;
      const q = question(id, `${path}.answer`);
      if (q?.type === 'list')
        problems.push({
          path: `${path}.answer`,
          message: `"${id}" is an "add another" list: repeat an element for each item (each: { answer: ${id} }) and read its questions with item`,
        });
    }
    if (spec.item !== undefined) itemProblem(spec.item, `${path}.item`, repeat);
  };

  const itemProblem = (item: string, path: string, repeat: Repeat) => {
    if (repeat !== null && 'unknown' in repeat) return;
    if (repeat === null) problems.push({ path, message: 'item reads the current item of a repeat: give this element (or one above it) each' });
    else if ('list' in repeat) {
      const subs = repeat.list.fields ?? [];
      if (!subs.some((s) => s.id === item))
        problems.push({
          path,
          message: `"${item}" is not a question of the list "${repeat.list.id}" (its questions: ${subs.map((s) => s.id).join(', ')})`,
        });
    } else if (!(DOCUMENT_ITEM_KEYS as readonly string[]).includes(item))
      problems.push({ path, message: `"${item}" is not a part of the item: use ${DOCUMENT_ITEM_KEYS.join(', ')}` });
  };

  const element = (spec: ElementSpec, path: string, outer: Repeat) => {
    let repeat = outer;
    if (spec.each?.answer !== undefined) {
      const q = question(spec.each.answer, `${path}.each.answer`);
      repeat = !q ? { unknown: true } : q.type === 'list' ? { list: q } : { other: true };
    } else if (spec.each) repeat = { other: true };
    for (const [name, v] of Object.entries(spec.attributes ?? {})) value(v, `${path}.attributes.${name}`, repeat);
    value(spec.value, `${path}.value`, repeat);
    (spec.children ?? []).forEach((c, i) => element(c, `${path}.children.${i}`, repeat));
  };

  for (const [name, v] of Object.entries(mapping.attributes ?? {})) value(v, `attributes.${name}`, null);
  mapping.children.forEach((c, i) => element(c, `children.${i}`, null));
  return problems;
}

/** A service's questions as a mapping sees them. */
export function mappingQuestions(fields: readonly { id: string; type: string; fields?: readonly { id: string; type: string }[] }[]): MappingQuestion[] {
  return fields.map((f) => ({
    id: f.id,
    type: f.type,
    ...(f.type === 'list' && f.fields ? { fields: f.fields.map((s) => ({ id: s.id, type: s.type })) } : {}),
  }));
}
