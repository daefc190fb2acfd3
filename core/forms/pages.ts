// The form's pages as the citizen moves through them: next and back follow the path the answers take
// (core/services/form-path.ts), so a `goTo` skips pages both ways and an exit page ends the form.
import { formPath, formPages, type FormPage } from '../services/form-path.ts';
import type { ServiceDefinition } from '../services/index.ts';

export { formPages, visibleFields, pageIsShown, type FormPage } from '../services/form-path.ts';

/** The page after `current` on the citizen's path, or null when the next step is "check your answers" (or the
 * current page is an exit page, which has no next). */
export function nextPage(def: Pick<ServiceDefinition, 'fields'>, current: string, answers: Record<string, unknown>): FormPage | null {
  const { pages } = formPath(def, answers);
  const i = pages.findIndex((p) => p.id === current);
  if (i !== -1) return pages[i + 1] ?? null;
  // A page off the path (reached by its address): on to the first page of the path after it.
  const all = formPages(def);
  const at = all.findIndex((p) => p.id === current);
  return pages.find((p) => all.findIndex((q) => q.id === p.id) > at) ?? null;
}

export function previousPage(def: Pick<ServiceDefinition, 'fields'>, current: string, answers: Record<string, unknown>): FormPage | null {
  const { pages } = formPath(def, answers);
  const i = pages.findIndex((p) => p.id === current);
  if (i > 0) return pages[i - 1]!;
  if (i === 0) return null;
  const all = formPages(def);
  const at = all.findIndex((p) => p.id === current);
  return [...pages].reverse().find((p) => all.findIndex((q) => q.id === p.id) < at) ?? null;
}
