// A question's own condition (`showIf`), apart from the path: is it shown, given the answers so far?
import type { Field } from './definition.ts';

export type Answers = Record<string, unknown>;

/** Is a question shown, given the answers so far? Questions hidden by a condition are neither required nor kept. */
export function isFieldShown(field: Pick<Field, 'showIf'>, answers: Answers): boolean {
  if (!field.showIf) return true;
  const value = answers[field.showIf.field];
  const values = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  const { equals, in: anyOf, notIn } = field.showIf;
  if (notIn) return !values.some((v) => notIn.includes(v));
  const wanted = equals !== undefined ? [equals] : (anyOf ?? []);
  return values.some((v) => wanted.includes(v));
}
