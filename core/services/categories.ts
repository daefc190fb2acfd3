// The catalogue's sections: services grouped by their definition's `category`, in the order SERVICE_CATEGORIES gives,
// each section A–Z by title, and the services without a category last under "Other services".
import { SERVICE_CATEGORIES, type ServiceCategory } from './definition.ts';

/** The heading of the section for services that name no category. */
export const OTHER_SERVICES = 'Other services';

export interface CategoryGroup<T> {
  /** null: the "Other services" section. */
  id: ServiceCategory | null;
  label: string;
  services: T[];
}

/** The category ids, in the catalogue's order. */
export function categoryIds(): ServiceCategory[] {
  return Object.keys(SERVICE_CATEGORIES) as ServiceCategory[];
}

export function isCategoryId(id: string): id is ServiceCategory {
  return Object.hasOwn(SERVICE_CATEGORIES, id);
}

/** A category's label ("Noise and nuisance"); undefined for none. */
export function categoryLabel(id: string | undefined): string | undefined {
  return id !== undefined && isCategoryId(id) ? SERVICE_CATEGORIES[id] : undefined;
}

/** Sections with at least one service, in catalogue order; services A–Z within each. */
export function groupByCategory<T>(services: T[], categoryOf: (s: T) => string | undefined, titleOf: (s: T) => string): CategoryGroup<T>[] {
  const byTitle = (a: T, b: T) => titleOf(a).localeCompare(titleOf(b), 'en-GB');
  const groups: CategoryGroup<T>[] = categoryIds().map((id) => ({ id, label: SERVICE_CATEGORIES[id], services: [] }));
  const other: CategoryGroup<T> = { id: null, label: OTHER_SERVICES, services: [] };
  for (const s of services) {
    const id = categoryOf(s);
    (groups.find((g) => g.id === id) ?? other).services.push(s);
  }
  return [...groups, other].filter((g) => g.services.length).map((g) => ({ ...g, services: [...g.services].sort(byTitle) }));
}
