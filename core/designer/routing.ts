// Routing by answer in the designer: the pages an option's "go to" may name (pages after the question's own page),
// each by the heading staff know it by, and the words a route reads as ("Goes to ‘Check your answers’").
import { CHECK_ANSWERS_PAGE, type FieldInput } from '../services/index.ts';
import type { DraftDefinition } from './drafts.ts';
import { pageIdOf, questionPages, type Placement, type QuestionPage } from './questions.ts';

/** A page as staff recognise it: its title, or its questions' labels. */
export function pageHeading(page: QuestionPage): string {
  return page.title ?? page.fields.map((f) => f.label).join(', ');
}

/**
 * The pages after the one a question is on (or is being put on). A new question on a new page goes at the end, so
 * nothing comes after it; a saved one moved to a new page goes right after its old page.
 */
export function laterPages(def: DraftDefinition, placement: Placement, original?: FieldInput): QuestionPage[] {
  const pages = questionPages(def);
  let at: number;
  if ('page' in placement) at = pages.findIndex((p) => p.id === placement.page);
  else if (original) at = pages.findIndex((p) => p.id === pageIdOf(original));
  else at = pages.length;
  return at < 0 ? [] : pages.slice(at + 1);
}

/** Where an option leads, in words: "the next page", "‘Check your answers’", "page 4 (‘Not our service’)". */
export function routeInWords(def: DraftDefinition, goTo: string | undefined): string {
  if (goTo === undefined || goTo === '') return 'the next page';
  if (goTo === CHECK_ANSWERS_PAGE) return '‘Check your answers’';
  const pages = questionPages(def);
  const i = pages.findIndex((p) => p.id === goTo);
  return i < 0 ? `a page that is not in the service (“${goTo}”)` : `page ${i + 1} (‘${pageHeading(pages[i]!)}’)`;
}

/** Options (of any question) whose answer leads to this page. */
export function routesTo(def: DraftDefinition, pageId: string): { field: FieldInput; label: string }[] {
  const out: { field: FieldInput; label: string }[] = [];
  for (const f of def.fields)
    if (f.type === 'radios' || f.type === 'select') for (const o of f.options) if (o.goTo === pageId) out.push({ field: f, label: o.label });
  return out;
}
