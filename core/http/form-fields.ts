// Turns flat form fields (multipart or urlencoded) into nested answers: "location.postcode" or "location[postcode]" → { location: { postcode } }.
import { BadRequestError, ValidationError, type FieldError } from '../errors.ts';

/** More items than any list question takes (its maxItems is at most 50). */
const MAX_ITEMS = 60;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * An answer is given once: in the `answers` JSON part or as a part of its own, not both, and a part inside an answer
 * ("location.postcode") not twice; otherwise 422 naming it, as a duplicate JSON key is (which one should win is a guess).
 * A plain part repeated ("times" twice) is a list, as an HTML form sends ticked checkboxes.
 */
export function answersFromFormFields(fields: Record<string, string | string[]>): Record<string, unknown> {
  let answers: Record<string, unknown> = {};
  const json = fields.answers;
  if (json !== undefined) {
    if (Array.isArray(json)) throw new BadRequestError('The "answers" part may appear only once');
    try {
      const parsed: unknown = JSON.parse(json);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      answers = parsed as Record<string, unknown>;
    } catch {
      throw new BadRequestError('The "answers" part is not a JSON object');
    }
  }
  const inAnswersPart = new Set(Object.keys(answers));
  const twice: FieldError[] = [];
  const givenTwice = (field: string, top: string) =>
    twice.push({ field, message: inAnswersPart.has(top) ? 'is given both in the answers part and as a part of its own' : 'appears more than once' });
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'answers' || name.startsWith('_')) continue; // _csrf and other form plumbing
    const path = name.replace(/\]/g, '').split(/[.[]/);
    if (path.some((p) => p === '' || FORBIDDEN_KEYS.has(p)) || path.length > 3) throw new BadRequestError(`The field name "${name}" is not valid`);
    if (path.length === 3) {
      // An "add another" item's question: people[0][name] → { people: [{ name }] }.
      const [outer, index, inner] = path as [string, string, string];
      if (!/^\d{1,2}$/.test(index) || Number(index) >= MAX_ITEMS) throw new BadRequestError(`The field name "${name}" is not valid`);
      const existing = answers[outer];
      if (Array.isArray(value) || (existing !== undefined && !Array.isArray(existing))) {
        givenTwice(`${outer}.${Number(index)}.${inner}`, outer);
        continue;
      }
      const list = (existing ?? (answers[outer] = [])) as Record<string, unknown>[];
      const item = (list[Number(index)] ??= {});
      if (Object.hasOwn(item, inner)) givenTwice(`${outer}.${Number(index)}.${inner}`, outer);
      else item[inner] = value;
    } else if (path.length === 1) {
      const id = path[0]!;
      if (Object.hasOwn(answers, id)) givenTwice(id, id);
      else answers[id] = value;
    } else {
      const [outer, inner] = path as [string, string];
      const existing = answers[outer];
      if (Array.isArray(value) || (existing !== undefined && (existing === null || typeof existing !== 'object' || Array.isArray(existing)))) {
        givenTwice(Array.isArray(value) ? `${outer}.${inner}` : outer, outer);
        continue;
      }
      const node = (existing ?? (answers[outer] = {})) as Record<string, unknown>;
      if (Object.hasOwn(node, inner)) givenTwice(`${outer}.${inner}`, outer);
      else node[inner] = value;
    }
  }
  if (twice.length) throw new ValidationError('An answer is given more than once', twice);
  return answers;
}
