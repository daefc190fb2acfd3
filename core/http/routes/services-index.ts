// The citizen home page's catalogue: the published services by category (SERVICE_CATEGORIES order, A–Z within, those
// without a category under "Other services"), and by council first when services of more than one council are listed.
import type { Hub } from '../../hub.ts';
import { groupByCategory } from '../../services/index.ts';
import type { ServicesIndexSection } from '../pages/index.ts';

export function servicesIndexSections(hub: Hub): ServicesIndexSection[] {
  const services = hub.catalogue.list();
  const ownerOf = (id: string | undefined) => (id !== undefined && hub.councils.has(id) ? id : hub.councils.defaultId);
  const owners = hub.councils.ids().filter((c) => services.some((s) => ownerOf(s.definition.council) === c));
  return owners.map((councilId) => ({
    council: owners.length > 1 ? hub.councils.get(councilId).name : null,
    categories: groupByCategory(
      services
        .filter((s) => ownerOf(s.definition.council) === councilId)
        .map((s) => ({ id: s.serviceId, title: s.definition.title, description: s.definition.description, category: s.definition.category })),
      (s) => s.category,
      (s) => s.title,
    ).map((g) => ({ label: g.label, services: g.services.map(({ id, title, description }) => ({ id, title, description })) })),
  }));
}
