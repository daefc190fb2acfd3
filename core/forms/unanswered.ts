// The first page of the citizen's path still to be answered: where a restored form carries on, and where a changed
// answer leads when it opens pages the citizen has not seen (GOV.UK Forms does the same after a "Change").
import { asksSomething, isFieldShown, validateAnswers, type ReceivedFile, type ServiceDefinition } from '../services/index.ts';
import { formPath, visibleFields, type FormPage } from '../services/form-path.ts';

/**
 * The first page on the path (after `after`, when given, and of those `among` picks) that is an exit page, has a problem in its answers (a required
 * question not answered yet) or has none of its questions answered; null when there is none. Pages that only show
 * something (content) are passed over: they hold nothing to answer.
 */
export function firstPageToAnswer(
  def: ServiceDefinition,
  answers: Record<string, unknown>,
  files: Map<string, ReceivedFile[]>,
  after?: string,
  among: (page: FormPage) => boolean = () => true,
): FormPage | null {
  const { pages, exit } = formPath(def, answers);
  const { errors } = validateAnswers(def, answers, files);
  const start = after === undefined ? 0 : pages.findIndex((p) => p.id === after) + 1;
  for (const page of pages.slice(start)) {
    if (!among(page)) continue;
    if (exit && page.fields.includes(exit)) return page;
    const asked = visibleFields(page, answers).filter((f) => asksSomething(f) && isFieldShown(f, answers));
    if (!asked.length) continue;
    const ids = new Set(asked.map((f) => f.id));
    if (errors.some((e) => ids.has(e.field.split('.')[0]!))) return page;
    if (!asked.some((f) => answers[f.id] !== undefined || files.has(f.id))) return page;
  }
  return null;
}
