// The pages of a service's form and the path a citizen takes through them. Questions sharing a `page` id are asked
// together, others alone; an option's `goTo` skips ahead; an exit page on the path ends the form there (one without a
// showIf is reached only by a goTo, as GOV.UK Forms' exit pages are). The citizen's
// pages and validateAnswers (so the API) follow the same path: a question off it is neither asked nor kept.
import { CHECK_ANSWERS_PAGE, type Field, type ServiceDefinition } from './definition.ts';
import { isFieldShown, type Answers } from './field-shown.ts';

export interface FormPage {
  id: string;
  fields: Field[];
}

export type ExitField = Extract<Field, { type: 'exit' }>;

export interface FormPath {
  /** The pages visited, in order, each with something to ask or show. */
  pages: FormPage[];
  /** The exit page the answers lead to (the last page of `pages`), or null when they lead to "check your answers". */
  exit: ExitField | null;
}

export function formPages(def: Pick<ServiceDefinition, 'fields'>): FormPage[] {
  const pages: FormPage[] = [];
  const byId = new Map<string, FormPage>();
  for (const field of def.fields) {
    const id = field.page ?? field.id;
    let page = byId.get(id);
    if (!page) {
      page = { id, fields: [] };
      byId.set(id, page);
      pages.push(page);
    }
    page.fields.push(field);
  }
  return pages;
}

/** Questions on a page the citizen should see now: a question whose condition is on the same page is always offered
 * (revealed by its option, or shown with the option named in its hint); one depending on an earlier page only when met. */
export function visibleFields(page: FormPage, answers: Answers): Field[] {
  const onPage = new Set(page.fields.map((f) => f.id));
  return page.fields.filter((f) => !f.showIf || onPage.has(f.showIf.field) || isFieldShown(f, answers));
}

export function pageIsShown(page: FormPage, answers: Answers): boolean {
  return visibleFields(page, answers).length > 0;
}

/** The exit page a page is, when the answers show it. */
export function exitOn(page: FormPage, answers: Answers): ExitField | null {
  return (page.fields.find((f) => f.type === 'exit' && isFieldShown(f, answers)) as ExitField | undefined) ?? null;
}

/** Where a page's answers lead: the `goTo` of a chosen option (first question first), or null for the next page. */
export function routeFrom(page: FormPage, answers: Answers): string | null {
  for (const field of page.fields) {
    if ((field.type !== 'radios' && field.type !== 'select') || !isFieldShown(field, answers)) continue;
    const chosen = field.options.find((o) => o.value === answers[field.id]);
    if (chosen?.goTo) return chosen.goTo;
  }
  return null;
}

/**
 * Walks the pages as the citizen would with these answers. `visit` runs for each page reached, before its route is
 * read, so a caller can settle the page's answers first (validateAnswers does: its answers are only the checked ones).
 */
export function walkPath(pages: FormPage[], answers: Answers, visit: (page: FormPage) => void = () => {}): FormPath {
  const path: FormPage[] = [];
  let i = 0;
  let arrivedBy: string | null = null;
  while (i < pages.length) {
    const page = pages[i]!;
    // An exit page with no condition of its own is where a goTo leads, never the page after another.
    const routedOnly = page.fields.length === 1 && page.fields[0]!.type === 'exit' && !page.fields[0]!.showIf;
    if (routedOnly && arrivedBy !== page.id) {
      i++;
      continue;
    }
    visit(page);
    if (!pageIsShown(page, answers)) {
      i++;
      continue;
    }
    path.push(page);
    const exit = exitOn(page, answers);
    if (exit) return { pages: path, exit };
    const target = routeFrom(page, answers);
    if (target === CHECK_ANSWERS_PAGE) break;
    const j = target ? pages.findIndex((p) => p.id === target) : -1;
    arrivedBy = j > i ? target : null;
    i = j > i ? j : i + 1;
  }
  return { pages: path, exit: null };
}

export function formPath(def: Pick<ServiceDefinition, 'fields'>, answers: Answers): FormPath {
  return walkPath(formPages(def), answers);
}

/** Is this page on the path the answers take? */
export function isOnPath(def: Pick<ServiceDefinition, 'fields'>, pageId: string, answers: Answers): boolean {
  return formPath(def, answers).pages.some((p) => p.id === pageId);
}

/** The questions the answers lead the citizen to and show them: on the path, and their condition met. */
export function shownFields(def: Pick<ServiceDefinition, 'fields'>, answers: Answers): Field[] {
  return formPath(def, answers).pages.flatMap((p) => p.fields.filter((f) => isFieldShown(f, answers)));
}
