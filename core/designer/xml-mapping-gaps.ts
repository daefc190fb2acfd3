// "Required elements not mapped", for any page that needs the list from a definition alone (the publish page lists
// them with its problems, each linking to the mapping row that fills it).
import type { DraftDefinition } from './drafts.ts';
import { missingRequiredElements, type DraftMapping, type MissingElement } from './xml-mapping-rows.ts';
import { schemaFilesOf } from './xsd-choices.ts';
import { xsdTree, XsdTreeError } from './xsd-tree.ts';

export interface MappingGap extends MissingElement {
  /** The mapping editor's page for the row: /staff/services/{id}/xml/row?path=… */
  href: string;
}

/** The elements the draft's XSD requires that its mapping leaves empty; [] when it has no XML or its XSD cannot be read. */
export function requiredElementsNotMapped(xsdDir: string, definition: DraftDefinition): MappingGap[] {
  const xml = definition.xml as { xsd?: unknown; mapping?: Partial<DraftMapping> } | undefined;
  if (typeof xml?.xsd !== 'string' || typeof xml.mapping?.root !== 'string' || !Array.isArray(xml.mapping.children)) return [];
  const schema = schemaFilesOf(xsdDir, xml.xsd);
  if ('problem' in schema) return [];
  try {
    const tree = xsdTree(schema.files, xml.mapping.root);
    return missingRequiredElements(tree, xml.mapping as DraftMapping).map((m) => ({
      ...m,
      href: `/staff/services/${definition.id}/xml/row?path=${encodeURIComponent(m.path)}`,
    }));
  } catch (err) {
    if (err instanceof XsdTreeError) return [];
    throw err;
  }
}
