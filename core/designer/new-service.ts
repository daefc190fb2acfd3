// Creating a service in the designer: blank, as a copy of another service, or from an example in the library. The new
// service's id is made from its name (or typed), lower-case and unused by any stored service or draft; its reference
// prefix is 2–6 capitals no other service uses. Checks answer GOV.UK error messages per field.
import type { DraftDefinition } from './drafts.ts';

export const ID_MAX = 60;
export const TITLE_MAX = 120;

export interface NewServiceNames {
  title: string;
  id: string;
  referencePrefix: string;
}

/** "Report a dead animal!" → "report-a-dead-animal"; empty when the name has no letters or digits. */
export function idFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ID_MAX)
    .replace(/-+$/, '');
  return /^[0-9]/.test(slug) ? `service-${slug}`.slice(0, ID_MAX) : slug;
}

/** Field → message for each name that will not do (empty when all are fine). `taken` says what is already in use. */
export function newServiceErrors(
  names: NewServiceNames,
  taken: { ids: Set<string>; prefixes: Map<string, string> },
): Partial<Record<'title' | 'id' | 'referencePrefix', string>> {
  const errors: Partial<Record<'title' | 'id' | 'referencePrefix', string>> = {};
  if (!names.title) errors.title = 'Enter the name of the service';
  else if (names.title.length > TITLE_MAX) errors.title = `The name must be ${TITLE_MAX} characters or fewer`;
  if (!names.id)
    errors.id = names.title ? 'Enter an id for the service, using lower-case letters, digits and hyphens' : 'Enter the name of the service first, or an id';
  else if (names.id.length > ID_MAX) errors.id = `The id must be ${ID_MAX} characters or fewer`;
  else if (!/^[a-z][a-z0-9-]*$/.test(names.id)) errors.id = 'The id must start with a letter and use only lower-case letters, digits and hyphens';
  else if (taken.ids.has(names.id)) errors.id = `There is already a service with the id ${names.id}`;
  if (!names.referencePrefix) errors.referencePrefix = 'Enter a reference prefix';
  else if (!/^[A-Z]{2,6}$/.test(names.referencePrefix)) errors.referencePrefix = 'The reference prefix must be 2 to 6 capital letters, like DAN';
  else if (taken.prefixes.has(names.referencePrefix))
    errors.referencePrefix = `The reference prefix ${names.referencePrefix} is already used by ${taken.prefixes.get(names.referencePrefix)}`;
  return errors;
}

/** A blank service: no questions and no tasks yet. */
export function blankDefinition(names: NewServiceNames): DraftDefinition {
  return { id: names.id, title: names.title, referencePrefix: names.referencePrefix, fields: [], tasks: [] };
}

/**
 * A copy of another service's definition under new names. Bindings are not copied (a back office receives a service
 * only when someone chooses so); the council is the new service's (set by startDraft).
 */
export function copiedDefinition(source: DraftDefinition, names: NewServiceNames): DraftDefinition {
  const copy = structuredClone(source);
  delete copy.council;
  return { ...copy, id: names.id, title: names.title, referencePrefix: names.referencePrefix, bindings: [] };
}
