// The question builder's edits, as pure functions over a draft definition: add, change, remove and move questions, move
// pages, rename a question (and everything that names it), page titles, contact details. Routes call these inside
// editDraft; a change the definition cannot take is a QuestionEditError whose message is said to the designer as is.
import type { FieldInput } from '../services/index.ts';
import type { DraftDefinition } from './drafts.ts';

export class QuestionEditError extends Error {
  constructor(
    message: string,
    /** The form field the message belongs to, for the error summary's link. */
    readonly field = 'question',
  ) {
    super(message);
  }
}

export interface QuestionPage {
  id: string;
  /** The page's own heading (definition `pages.{id}.title`), if it has one. */
  title: string | undefined;
  fields: FieldInput[];
}

export type Direction = 'up' | 'down';

/** Where a question goes: on an existing page (by id) or on a new page of its own. */
export type Placement = { page: string } | { newPage: true };

const CHOICE_TYPES = new Set(['select', 'radios', 'checkboxes']);

export function pageIdOf(field: FieldInput): string {
  return field.page ?? field.id;
}

/** The draft's questions grouped by page, in the order citizens meet them (a page where its first question is). */
export function questionPages(def: DraftDefinition): QuestionPage[] {
  const pages: QuestionPage[] = [];
  const byId = new Map<string, QuestionPage>();
  for (const field of def.fields) {
    const id = pageIdOf(field);
    let page = byId.get(id);
    if (!page) {
      page = { id, title: def.pages?.[id]?.title, fields: [] };
      byId.set(id, page);
      pages.push(page);
    }
    page.fields.push(field);
  }
  return pages;
}

/** Questions with options (radios, select, checkboxes): the ones a condition can look at. */
export function hasOptions(field: FieldInput): field is Extract<FieldInput, { options: unknown }> {
  return CHOICE_TYPES.has(field.type);
}

/** "Where is the animal?" → "whereIsTheAnimal", made unique among the draft's question and page ids. */
export function makeFieldId(label: string, def: DraftDefinition, except?: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6);
  let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('');
  if (!/^[a-zA-Z]/.test(base)) base = `question${base}`;
  base = base.slice(0, 40);
  const taken = takenIds(def, except);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/** Words the builder's own addresses use after /questions/: a question with one of these ids could not be opened there. */
export const RESERVED_IDS: readonly string[] = ['new', 'start', 'confirmation', 'contact', 'move', 'order', 'pages'];

function takenIds(def: DraftDefinition, except?: string): Set<string> {
  const ids = new Set<string>(RESERVED_IDS);
  for (const f of def.fields) {
    if (f.id !== except) ids.add(f.id);
    if (f.page) ids.add(f.page);
  }
  for (const id of Object.keys(def.pages ?? {})) ids.add(id);
  return ids;
}

export function findQuestion(def: DraftDefinition, id: string): FieldInput | undefined {
  return def.fields.find((f) => f.id === id);
}

function indexOf(def: DraftDefinition, id: string): number {
  const i = def.fields.findIndex((f) => f.id === id);
  if (i < 0) throw new QuestionEditError('That question is no longer in this service');
  return i;
}

/** Adds a question on a page (at its end) or on a new page at the end of the form. */
export function addQuestion(def: DraftDefinition, field: FieldInput, placement: Placement): void {
  if (def.fields.some((f) => f.id === field.id)) throw new QuestionEditError(`There is already a question with the id “${field.id}”`, 'id');
  def.fields.push(field);
  placeQuestion(def, field.id, placement);
}

/**
 * Replaces a question with its changed version. A new id renames it everywhere it is named; a new placement moves it.
 * Neither changes anything when the form came back as it was shown.
 */
export function updateQuestion(def: DraftDefinition, id: string, next: FieldInput, placement?: Placement): void {
  const i = indexOf(def, id);
  const page = def.fields[i]!.page;
  const moves = placement && !('page' in placement && placement.page === (page ?? id));
  def.fields[i] = { ...next, id, ...(page === undefined ? {} : { page }) } as FieldInput;
  if (page === undefined) delete def.fields[i]!.page;
  if (next.id !== id) renameQuestion(def, id, next.id);
  if (moves) placeQuestion(def, next.id, placement);
}

/**
 * Gives a question a new id and updates what names it: other questions' conditions, contact details, the XML mapping's
 * answers, and its page (questions sharing the page of a question alone on it follow the new id, as does the title).
 */
export function renameQuestion(def: DraftDefinition, oldId: string, newId: string): void {
  if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(newId))
    throw new QuestionEditError('Enter a question id that starts with a letter and uses only letters, numbers and _', 'id');
  if (takenIds(def, oldId).has(newId)) throw new QuestionEditError(`There is already a question or page with the id “${newId}”`, 'id');
  const field = def.fields[indexOf(def, oldId)]!;
  field.id = newId;
  for (const f of def.fields) if (f.showIf?.field === oldId) f.showIf.field = newId;
  for (const role of ['name', 'email', 'phone'] as const) if (def.contact?.[role] === oldId) def.contact[role] = newId;
  if (field.page === undefined) {
    for (const f of def.fields) if (f.page === oldId) f.page = newId;
    // A "go to" names the page, whose id was the question's.
    for (const f of def.fields) if (f.type === 'radios' || f.type === 'select') for (const o of f.options) if (o.goTo === oldId) o.goTo = newId;
    if (def.pages?.[oldId]) {
      def.pages[newId] = def.pages[oldId];
      delete def.pages[oldId];
    }
  }
  if (def.xml) def.xml.mapping = renameInMapping(def.xml.mapping, oldId, newId);
}

/** Every `answer: id` / `answer: id.part` and `each: { answer | documents: id }` in a mapping, renamed. */
function renameInMapping(node: unknown, oldId: string, newId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => renameInMapping(n, oldId, newId));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'answer' || key === 'documents') && typeof value === 'string' && (value === oldId || value.startsWith(`${oldId}.`)))
      out[key] = newId + value.slice(oldId.length);
    else out[key] = renameInMapping(value, oldId, newId);
  }
  return out;
}

/** Does the XML mapping take an answer from this question? */
export function mappingUses(def: DraftDefinition, id: string): boolean {
  const probe = JSON.stringify(renameInMapping(def.xml?.mapping ?? null, id, '\u0000'));
  return probe.includes('\\u0000');
}

/** Removes a question. Refused while another question's condition or the XML mapping uses its answer. */
export function removeQuestion(def: DraftDefinition, id: string): FieldInput {
  const i = indexOf(def, id);
  const field = def.fields[i]!;
  const dependent = def.fields.find((f) => f.showIf?.field === id);
  if (dependent) throw new QuestionEditError(`“${dependent.label}” is shown only for some answers to this question. Change or remove its condition first.`);
  if (mappingUses(def, id)) throw new QuestionEditError('The XML mapping uses the answer to this question. Change the mapping first.');
  const page = pageIdOf(field);
  if (!def.fields.some((f) => f !== field && pageIdOf(f) === page)) {
    const router = def.fields.find((f) => (f.type === 'radios' || f.type === 'select') && f.options.some((o) => o.goTo === page));
    if (router) throw new QuestionEditError(`An answer to “${router.label}” goes to this page. Change where that answer goes first.`);
  }
  def.fields.splice(i, 1);
  for (const role of ['name', 'email', 'phone'] as const) if (def.contact?.[role] === id) delete def.contact[role];
  // The page's heading goes with its last question.
  dropUnusedTitles(def);
  return field;
}

/**
 * Moves a question one place within its page; from the top or bottom of its page into the page before or after (at
 * that page's end or start). A question alone on its page moves with its page (movePage).
 */
export function moveQuestion(def: DraftDefinition, id: string, direction: Direction): void {
  const pages = questionPages(def);
  const p = pages.findIndex((pg) => pg.fields.some((f) => f.id === id));
  const page = pages[p]!;
  const at = page.fields.findIndex((f) => f.id === id);
  const field = page.fields[at]!;
  const step = direction === 'up' ? -1 : 1;
  const to = at + step;
  if (to >= 0 && to < page.fields.length) {
    page.fields.splice(at, 1);
    page.fields.splice(to, 0, field);
  } else {
    const neighbour = pages[p + step];
    if (!neighbour) throw new QuestionEditError(`“${field.label}” is already the ${direction === 'up' ? 'first' : 'last'} question`);
    if (page.fields.length === 1) return movePage(def, page.id, direction);
    // A question whose id names its page leaves the page id to the questions that stay on it.
    page.fields.splice(at, 1);
    setPage(field, neighbour.id);
    if (direction === 'up') neighbour.fields.push(field);
    else neighbour.fields.unshift(field);
  }
  commitOrder(def, pages);
}

/** Moves a whole page one place up or down. */
export function movePage(def: DraftDefinition, pageId: string, direction: Direction): void {
  const pages = questionPages(def);
  const p = pages.findIndex((pg) => pg.id === pageId);
  if (p < 0) throw new QuestionEditError('That page is no longer in this service');
  const to = p + (direction === 'up' ? -1 : 1);
  if (to < 0 || to >= pages.length) throw new QuestionEditError(`That page is already the ${direction === 'up' ? 'first' : 'last'} page`);
  const [page] = pages.splice(p, 1);
  pages.splice(to, 0, page!);
  commitOrder(def, pages);
}

/**
 * Puts questions in a new order (the drag-and-drop enhancement posts the whole order), with the page each is on when
 * `pages` is given (a question dropped among another page's questions joins that page). Each page stays in one piece.
 */
export function reorderQuestions(def: DraftDefinition, order: string[], pages?: string[]): void {
  const byId = new Map(def.fields.map((f) => [f.id, f]));
  const known = new Set(questionPages(def).map((p) => p.id));
  const stale = () => new QuestionEditError('The questions have changed since the page was shown. Reload the page and try again.');
  if (order.length !== def.fields.length || new Set(order).size !== order.length || !order.every((id) => byId.has(id))) throw stale();
  if (pages && (pages.length !== order.length || !pages.every((p) => known.has(p)))) throw stale();
  const next = order.map((id) => structuredClone(byId.get(id)!));
  if (pages) {
    next.forEach((f, i) => {
      if (pageIdOf(f) !== pages[i]) setPage(f, pages[i]!);
    });
    const seen = new Set<string>();
    next.forEach((f, i) => {
      const page = pageIdOf(f);
      if (i > 0 && pageIdOf(next[i - 1]!) !== page && seen.has(page)) throw new QuestionEditError('Keep the questions of a page together');
      seen.add(page);
    });
  }
  assertConditionsInOrder(next);
  def.fields = next;
  dropUnusedTitles(def);
}

/** A page title whose page has no questions left goes with it (a title of no page is a definition problem). */
function dropUnusedTitles(def: DraftDefinition): void {
  if (!def.pages) return;
  const used = new Set(def.fields.map(pageIdOf));
  const unused = Object.keys(def.pages).filter((id) => !used.has(id));
  for (const id of unused) delete def.pages[id];
  if (unused.length && !Object.keys(def.pages).length) delete def.pages;
}

function setPage(field: FieldInput, pageId: string): void {
  if (pageId === field.id) delete field.page;
  else field.page = pageId;
}

/** Moves a question to another page (at its end) or to a new page of its own after its current one. */
export function placeQuestion(def: DraftDefinition, id: string, placement: Placement): void {
  const pages = questionPages(def);
  const field = findQuestion(def, id)!;
  const from = pages.findIndex((pg) => pg.fields.includes(field));
  const fromPage = pages[from]!;
  fromPage.fields.splice(fromPage.fields.indexOf(field), 1);
  if ('newPage' in placement) {
    // Alone on a page of its own: its page id is its id, unless others use that id for theirs.
    delete field.page;
    if (def.fields.some((f) => f !== field && pageIdOf(f) === id)) field.page = uniquePageId(def, `${id}-page`);
    pages.splice(from + 1, 0, { id: pageIdOf(field), title: undefined, fields: [field] });
  } else {
    const target = pages.find((pg) => pg.id === placement.page);
    if (!target) throw new QuestionEditError('Select a page that is in this service', 'page');
    setPage(field, target.id);
    target.fields.push(field);
  }
  commitOrder(
    def,
    pages.filter((pg) => pg.fields.length),
  );
}

function uniquePageId(def: DraftDefinition, base: string): string {
  const taken = takenIds(def);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Writes the pages' order back as the definition's question order, after checking conditions still come after their question. */
function commitOrder(def: DraftDefinition, pages: QuestionPage[]): void {
  const next = pages.flatMap((pg) => pg.fields);
  assertConditionsInOrder(next);
  def.fields = next;
  dropUnusedTitles(def);
}

function assertConditionsInOrder(fields: FieldInput[]): void {
  assertPagesHold(fields);
  const seen = new Set<string>();
  for (const f of fields) {
    if (f.showIf && !seen.has(f.showIf.field)) {
      const target = fields.find((g) => g.id === f.showIf!.field);
      throw new QuestionEditError(`“${f.label}” must come after “${target?.label ?? f.showIf.field}”, because it is shown only for some answers to it`);
    }
    seen.add(f.id);
  }
}

/** An exit page or a list keeps its page to itself, and an answer's "go to" still leads to a later page. */
function assertPagesHold(fields: FieldInput[]): void {
  const order: string[] = [];
  const size = new Map<string, number>();
  for (const f of fields) {
    const page = pageIdOf(f);
    if (!size.has(page)) order.push(page);
    size.set(page, (size.get(page) ?? 0) + 1);
  }
  for (const f of fields) {
    if ((f.type === 'exit' || f.type === 'list') && size.get(pageIdOf(f))! > 1)
      throw new QuestionEditError(
        `“${f.label}” is ${f.type === 'exit' ? 'an exit page' : 'a list'}, which has a page of its own: no other question can be on it`,
      );
    if (f.type !== 'radios' && f.type !== 'select') continue;
    for (const o of f.options) {
      if (!o.goTo || !size.has(o.goTo)) continue;
      if (order.indexOf(o.goTo) <= order.indexOf(pageIdOf(f))) {
        const target = fields.find((g) => pageIdOf(g) === o.goTo)!;
        throw new QuestionEditError(`The answer ‘${o.label}’ to “${f.label}” goes to the page with “${target.label}”, so that page must come after it`);
      }
    }
  }
}

/** Sets (or, with an empty title, removes) a page's heading. */
export function setPageTitle(def: DraftDefinition, pageId: string, title: string): void {
  if (!def.fields.some((f) => pageIdOf(f) === pageId)) throw new QuestionEditError('That page is no longer in this service');
  const text = title.trim();
  if (text) def.pages = { ...def.pages, [pageId]: { title: text } };
  else if (def.pages) {
    delete def.pages[pageId];
    if (!Object.keys(def.pages).length) delete def.pages;
  }
}

export type ContactRole = 'name' | 'email' | 'phone';

/** Questions that may give a contact detail: e-mail and phone questions of those types; a name from a text question. */
export function contactCandidates(def: DraftDefinition, role: ContactRole): FieldInput[] {
  const types: Record<ContactRole, string[]> = { name: ['text'], email: ['email'], phone: ['phone'] };
  // The question YAML names already stays on offer, so the page can always post back what is saved.
  return def.fields.filter((f) => types[role].includes(f.type) || f.id === def.contact?.[role]);
}

/** Sets which questions are the citizen's name, e-mail and phone (undefined: none). */
export function setContact(def: DraftDefinition, contact: Partial<Record<ContactRole, string | undefined>>): void {
  const next: Partial<Record<ContactRole, string>> = { ...def.contact };
  for (const role of ['name', 'email', 'phone'] as const) {
    if (!(role in contact)) continue;
    const id = contact[role];
    if (id === undefined) delete next[role];
    else if (!contactCandidates(def, role).some((f) => f.id === id))
      throw new QuestionEditError(
        `Select a question that asks for the ${role === 'name' ? 'name' : role === 'email' ? 'email address' : 'phone number'}`,
        role,
      );
    else next[role] = id;
  }
  if (def.contact === undefined && !Object.keys(next).length) return;
  def.contact = next;
}
