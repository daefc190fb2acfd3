// A citizen in Chromium walking a service's pages, driven by its definition: the pages the answers lead to, in order,
// each filled by the kind of question it asks (the address finder or its manual entry, a location by its nearest
// street, files, money, a declaration, "add another" items), then Continue. Used by walk-browser.test.ts.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { formPath, shownFields, visibleFields, type FormPage } from '../../core/services/form-path.ts';
import { isFieldShown, type Field, type ListItemField, type ServiceDefinition } from '../../core/services/index.ts';
import { sampleAnswers } from '../../core/services/sample-answers.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { patternedSample } from './variants.ts';

/** The finder's search that finds exactly one address in the example gazetteer (so it is offered as a radio). */
const FINDER_SEARCH = { postcode: 'AA1 1AB', building: '7' };
/** A street the example gazetteer knows, for a location question's "nearest street". */
const NEAREST_STREET = 'millbeck road';

export interface Walker {
  page: Page;
  def: ServiceDefinition;
  /** The hub's address, e.g. http://127.0.0.1:1234. */
  origin: string;
  /** Address questions: through the finder (true) or its manual entry (false). */
  finder: boolean;
  /** Checks the page the browser shows now (axe with JavaScript on; nothing without). */
  check(step: string): Promise<void>;
}

/** The answers a walk gives: the sample answers (which never lead to an exit page), patterned text filled, and only
 * what the path then shows (a question hidden by an earlier answer is not asked). */
export function walkAnswers(def: ServiceDefinition, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const answers: Record<string, unknown> = { ...sampleAnswers(def), ...overrides };
  for (const field of def.fields) {
    if ((field.type === 'text' || field.type === 'textarea') && field.pattern && answers[field.id] === undefined) {
      const sample = patternedSample(field.pattern);
      if (sample !== undefined) answers[field.id] = sample;
    }
  }
  // Dropping one hidden answer can hide another (a chain of conditions): until nothing changes.
  for (;;) {
    const shown = new Set(shownFields(def, answers).map((f) => f.id));
    const hidden = Object.keys(answers).filter((id) => !shown.has(id));
    if (!hidden.length) return answers;
    for (const id of hidden) delete answers[id];
  }
}

export function serviceUrl(w: Walker, pageId?: string): string {
  return `${w.origin}/services/${w.def.id}${pageId ? `/${pageId}` : ''}`;
}

/** A form post or link: wait for the page it leads to. Its HTML parsed is enough: the pages' scripts are deferred (they
 * have run by then), and nothing here needs their images or fonts. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), action()]);
}

/** Fails unless the browser shows `pageId` of the form, naming what it shows instead (with its error summary). */
export async function assertAt(w: Walker, pageId: string): Promise<void> {
  const at = new URL(w.page.url()).pathname;
  const want = `/services/${w.def.id}/${pageId}`;
  if (at === want) return;
  const summary = await w.page.locator('.govuk-error-summary').allInnerTexts();
  const heading = await w.page
    .locator('h1')
    .first()
    .innerText()
    .catch(() => '(no heading)');
  assert.fail(`${w.def.id}: expected ${want}, the browser shows ${at} "${heading}"${summary.length ? `: ${summary.join(' ').replace(/\s+/g, ' ')}` : ''}`);
}

/** The start page, then every page of the path the answers take, ending at "check your answers" or the exit page. */
export async function walkForm(w: Walker, answers: Record<string, unknown>): Promise<FormPage[]> {
  const { page, def } = w;
  await page.goto(serviceUrl(w), { waitUntil: 'domcontentloaded' });
  assert.equal(await page.locator('h1').innerText(), def.title, `${def.id}: the start page`);
  await w.check('start page');
  await navigate(page, () => page.getByRole('button', { name: 'Start now' }).click());
  const { pages, exit } = formPath(def, answers);
  for (const [i, formPage] of pages.entries()) {
    await assertAt(w, formPage.id);
    if (exit && i === pages.length - 1) return pages; // the exit page: the caller looks at it
    await answerPage(w, formPage, answers);
  }
  await assertAt(w, 'check-answers');
  return pages;
}

/** One page: its questions answered, then Continue (the finder's and the location's steps on the way). */
async function answerPage(w: Walker, formPage: FormPage, answers: Record<string, unknown>): Promise<void> {
  const { page } = w;
  const asked = visibleFields(formPage, answers).filter((f) => isFieldShown(f, answers));
  const alone = visibleFields(formPage, answers);
  if (alone.length === 1 && alone[0]!.type === 'address') return findAddress(w, alone[0]!, answers[alone[0]!.id]);
  await w.check(`page ${formPage.id}`);
  if (asked.length === 1 && asked[0]!.type === 'content') {
    assert.equal(await page.locator('h1').innerText(), asked[0]!.label, `${w.def.id}: the content page's heading`);
  }
  for (const field of asked) if (field.type !== 'location') await fill(w, field, answers[field.id]);
  const location = asked.find((f) => f.type === 'location');
  if (location) return placeLocation(w, location, answers[location.id]);
  await continueOn(page);
}

async function continueOn(page: Page): Promise<void> {
  await navigate(page, () => page.getByRole('button', { name: 'Continue', exact: true }).click());
}

/** By the finder (postcode and building → select → confirm) or by its manual entry (the typed address fields). */
async function findAddress(w: Walker, field: Field, answer: unknown): Promise<void> {
  const { page } = w;
  assert.equal(await page.getByRole('button', { name: 'Find address' }).count(), 1, `${w.def.id}: the finder opens first on ${field.id}`);
  await w.check(`find an address (${field.id})`);
  if (!w.finder) {
    await navigate(page, () => page.getByRole('link', { name: 'Enter the address manually' }).click());
    await w.check(`enter the address manually (${field.id})`);
    await fill(w, field, answer);
    return continueOn(page);
  }
  await page.locator('input[name="postcode"]').fill(FINDER_SEARCH.postcode);
  await page.locator('input[name="building"]').fill(FINDER_SEARCH.building);
  await navigate(page, () => page.getByRole('button', { name: 'Find address' }).click());
  assert.equal(await page.locator('h1').innerText(), 'Select an address');
  await w.check(`select an address (${field.id})`);
  await page.locator('input[name="uprn"]').first().check();
  await continueOn(page);
  assert.equal(await page.locator('h1').innerText(), 'Confirm address');
  await w.check(`confirm address (${field.id})`);
  await navigate(page, () => page.getByRole('button', { name: 'Use this address' }).click());
}

/** A location without a map: its description and nearest street → the addresses found → the nearest chosen → confirmed. */
async function placeLocation(w: Walker, field: Field, answer: unknown): Promise<void> {
  const { page } = w;
  const id = field.id;
  const description = (answer as { description?: string } | undefined)?.description ?? 'By the bus stop';
  await page.locator(`[name="${id}[description]"]`).fill(description);
  await page.locator(`[name="${id}[street]"]`).fill(NEAREST_STREET);
  await navigate(page, () => page.locator(`button[name="${id}[find]"]`).click());
  await w.check(`nearest addresses (${id})`);
  await page.locator(`input[name="${id}[uprn]"]`).first().check();
  await continueOn(page);
  assert.match(await page.locator(`[id="${id}-nearest"]`).innerText(), /^Nearest address: /, `${w.def.id}: the nearest address is confirmed`);
  await w.check(`confirm the place (${id})`);
  await continueOn(page);
}

/** Fills one question with its answer, by its kind; `name` is its form name (an "add another" item's part has its own). */
async function fill(w: Walker, field: Field | ListItemField, answer: unknown, name: string = field.id): Promise<void> {
  const { page } = w;
  const input = (n: string = name) => page.locator(`[name="${n}"]`);
  switch (field.type) {
    case 'content':
    case 'exit':
      return;
    case 'text':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'number':
    case 'money':
      if (answer !== undefined) await input().fill(String(answer));
      return;
    case 'date':
    case 'datetime': {
      if (answer === undefined) return;
      const [date, time] = String(answer).split('T');
      const [year, month, day] = date!.split('-');
      await input(`${name}-day`).fill(String(Number(day)));
      await input(`${name}-month`).fill(String(Number(month)));
      await input(`${name}-year`).fill(year!);
      if (time) await input(`${name}[time]`).fill(time);
      return;
    }
    case 'radios':
      if (answer !== undefined) await choice(page, name, String(answer)).check();
      return;
    case 'checkboxes':
      for (const value of (answer as string[] | undefined) ?? []) await choice(page, name, value).check();
      return;
    case 'select':
      if (answer !== undefined) await input().selectOption(String(answer));
      return;
    case 'declaration':
      await choice(page, name, 'yes').check();
      return;
    case 'address': {
      const parts = (answer ?? {}) as Record<string, unknown>;
      for (const part of ['line1', 'line2', 'town', 'postcode'])
        if (parts[part] !== undefined) await page.locator(`[name="${name}[${part}]"]`).fill(String(parts[part]));
      return;
    }
    case 'file': {
      const file = sampleFile(field);
      if (!file) {
        assert.ok(!field.required, `${w.def.id}.${field.id}: the walk has no sample file of a type it accepts (${field.accept.join(', ')})`);
        return;
      }
      await page.locator(`input[type="file"][name="${name}"]`).setInputFiles(file);
      return;
    }
    case 'list':
      return fillList(w, field, (answer as Record<string, unknown>[] | undefined) ?? []);
    case 'location':
      throw new Error('a location is placed by placeLocation');
  }
}

/** An "add another" page: as many items as the answer has ("Add another …" for each one the page does not show yet). */
async function fillList(w: Walker, field: Extract<Field, { type: 'list' }>, items: Record<string, unknown>[]): Promise<void> {
  const { page } = w;
  const itemName = (i: number, sub: ListItemField) => `${field.id}[${i}][${sub.id}]`;
  for (const [i, item] of items.entries()) {
    const first = field.fields[0]!;
    const present = (await page.locator(`[name^="${itemName(i, first)}"]`).count()) > 0;
    if (!present) {
      await navigate(page, () => page.getByRole('button', { name: `Add another ${field.itemName}` }).click());
      await w.check(`${field.id}: item ${i + 1} added`);
    }
    for (const sub of field.fields) await fill(w, sub, item[sub.id], itemName(i, sub));
  }
}

function choice(page: Page, name: string, value: string): Locator {
  return page.locator(`input[name="${name}"][value="${value}"]`);
}

/** Real bytes of a type the file question accepts (PNG or PDF), or null when it takes neither. */
export function sampleFile(field: Extract<Field, { type: 'file' }>): { buffer: Buffer; mimeType: string; name: string } | null {
  if (field.accept.includes('image/png')) return { buffer: pngBytes(), mimeType: 'image/png', name: 'photo.png' };
  if (field.accept.includes('application/pdf')) return { buffer: pdfBytes(), mimeType: 'application/pdf', name: 'evidence.pdf' };
  return null;
}
