// Turns flat form fields (multipart or urlencoded) into nested answers: "location.postcode" or "location[postcode]" → { location: { postcode } }.
import { BadRequestError } from '../errors.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'answers' || name.startsWith('_')) continue; // _csrf and other form plumbing
    const path = name.replace(/\]/g, '').split(/[.[]/);
    if (path.some((p) => p === '' || FORBIDDEN_KEYS.has(p)) || path.length > 2) throw new BadRequestError(`The field name "${name}" is not valid`);
    if (path.length === 1) {
      answers[path[0]!] = value;
    } else {
      const [outer, inner] = path as [string, string];
      const node = (answers[outer] && typeof answers[outer] === 'object' ? answers[outer] : (answers[outer] = {})) as Record<string, unknown>;
      node[inner] = Array.isArray(value) ? value[value.length - 1] : value;
    }
  }
  return answers;
}
