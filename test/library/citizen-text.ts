// The words a citizen reads in a service definition: the start page, every question, hint and option, the information,
// exit and declaration pages, the tracking page's steps and the e-mails and text messages. Walked by key rather than by
// question type, so a new kind of question with a label, hint or body is read without changing this file.
import type { ServiceDefinition } from '../../core/services/index.ts';

/** One piece of text and where it is in the definition ("fields.noiseType.options.dog.label"). */
export interface CitizenText {
  where: string;
  text: string;
}

/** Keys whose string is shown to the citizen. */
const TEXT_KEYS = new Set([
  'title',
  'description',
  'startPage',
  'whatHappensNext',
  'label',
  'hint',
  'body',
  'warning',
  'confirm',
  'requiredMessage',
  'patternMessage',
  'subject',
  'sms',
]);

/** Parts no citizen sees: where submissions go, how answers become XML, who to contact, conditions. */
const NOT_SHOWN = new Set(['xml', 'bindings', 'notify', 'contact', 'showIf', 'retention', 'saveAndReturn', 'routeByBoundary']);

export function citizenText(def: ServiceDefinition): CitizenText[] {
  const found: CitizenText[] = [];
  walk(def, '', found);
  return found;
}

function walk(node: unknown, where: string, found: CitizenText[]): void {
  if (Array.isArray(node)) {
    // Name items by their id, value or key, which reads better in a failure than an index.
    node.forEach((item, i) => walk(item, `${where}.${nameOfItem(item) ?? i}`, found));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (NOT_SHOWN.has(key)) continue;
    const path = where ? `${where}.${key}` : key;
    if (typeof value === 'string') {
      if (TEXT_KEYS.has(key)) found.push({ where: path, text: value });
    } else walk(value, path, found);
  }
}

function nameOfItem(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const named = item as { id?: unknown; value?: unknown; key?: unknown };
  for (const name of [named.id, named.value, named.key]) if (typeof name === 'string') return name;
  return undefined;
}
