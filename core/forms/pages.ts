// How a service's questions are split into pages: questions sharing a `page` id are asked together, others alone.
import type { Field, ServiceDefinition } from '../services/index.ts';
import { isFieldShown } from '../services/index.ts';

export interface FormPage {
  id: string;
  fields: Field[];
}

export function formPages(def: ServiceDefinition): FormPage[] {
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
export function visibleFields(page: FormPage, answers: Record<string, unknown>): Field[] {
  const onPage = new Set(page.fields.map((f) => f.id));
  return page.fields.filter((f) => !f.showIf || onPage.has(f.showIf.field) || isFieldShown(f, answers));
}

export function pageIsShown(page: FormPage, answers: Record<string, unknown>): boolean {
  return visibleFields(page, answers).length > 0;
}

/** The page after `current` that has something to ask, or null when the next step is "check your answers". */
export function nextPage(pages: FormPage[], current: string, answers: Record<string, unknown>): FormPage | null {
  const i = pages.findIndex((p) => p.id === current);
  for (const page of pages.slice(i + 1)) if (pageIsShown(page, answers)) return page;
  return null;
}

export function previousPage(pages: FormPage[], current: string, answers: Record<string, unknown>): FormPage | null {
  const i = pages.findIndex((p) => p.id === current);
  for (const page of pages.slice(0, Math.max(i, 0)).reverse()) if (pageIsShown(page, answers)) return page;
  return null;
}
