// Conditions ("Show this question only when…") as the designer sets them: an earlier question with options, and whether
// its answer is, or is not, one of some values. Written as the definition's showIf (equals, in or notIn).
import type { FieldInput } from '../services/index.ts';
import type { DraftDefinition } from './drafts.ts';
import { findQuestion, hasOptions, QuestionEditError } from './questions.ts';

/** A condition as the designer sees it: show the question when `field` is (or is not) one of `values`. */
export interface ConditionChoice {
  field: string;
  is: boolean;
  values: string[];
}

export function conditionOf(field: FieldInput): ConditionChoice | undefined {
  const c = field.showIf;
  if (!c) return undefined;
  if (c.notIn) return { field: c.field, is: false, values: c.notIn };
  return { field: c.field, is: true, values: c.equals !== undefined ? [c.equals] : (c.in ?? []) };
}

/** Earlier questions with options: what a question's condition may look at. */
export function conditionCandidates(def: DraftDefinition, id: string): FieldInput[] {
  const i = def.fields.findIndex((f) => f.id === id);
  return def.fields.slice(0, i < 0 ? def.fields.length : i).filter(hasOptions);
}

/** Sets or (undefined) removes a question's condition. The same condition posted back leaves it as written. */
export function setCondition(def: DraftDefinition, id: string, choice: ConditionChoice | undefined): void {
  const field = findQuestion(def, id);
  if (!field) throw new QuestionEditError('That question is no longer in this service');
  if (!choice) {
    delete field.showIf;
    return;
  }
  const current = conditionOf(field);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((v) => b.includes(v));
  if (current && current.field === choice.field && current.is === choice.is && sameSet(current.values, choice.values)) return;
  const target = conditionCandidates(def, id).find((f) => f.id === choice.field);
  if (!target || !hasOptions(target)) throw new QuestionEditError('Select an earlier question that has options', 'field');
  if (!choice.values.length) throw new QuestionEditError('Select at least one answer', 'values');
  if (choice.values.some((v) => !target.options.some((o) => o.value === v))) throw new QuestionEditError('Select answers from the list', 'values');
  field.showIf = choice.is
    ? choice.values.length === 1
      ? { field: choice.field, equals: choice.values[0]! }
      : { field: choice.field, in: choice.values }
    : { field: choice.field, notIn: choice.values };
}

/** "Shown only if ‘What has been dumped?’ is ‘Other’ or ‘Garden waste’". */
export function conditionInWords(def: DraftDefinition, field: FieldInput): string | undefined {
  const c = conditionOf(field);
  if (!c) return undefined;
  const target = findQuestion(def, c.field);
  const names = c.values.map((v) => `‘${(target && hasOptions(target) && target.options.find((o) => o.value === v)?.label) || v}’`);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
  return `Shown only if ‘${target?.label ?? c.field}’ ${c.is ? 'is' : 'is not'} ${list}`;
}
