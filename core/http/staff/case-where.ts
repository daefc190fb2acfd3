// The case page's "Where": the place its answers give, in words and on the council's map. Nothing once the case is
// erased (its answers are redacted and must not be shown).
import type { Hub } from '../../hub.ts';
import { whereOf } from '../../boundary/index.ts';
import type { CasePage } from '../../staff/index.ts';
import { whereSection, type WhereSection } from '../where-section.ts';

export async function caseWhere(hub: Hub, page: CasePage): Promise<WhereSection | undefined> {
  if (page.erased) return undefined;
  const p = page.process;
  const version = await hub.catalogue.getVersion(p.serviceId, p.serviceVersion);
  return whereSection(hub.config, hub.councils.idOfService(hub.catalogue, p.serviceId), whereOf(version.definition.fields, p.answers));
}
