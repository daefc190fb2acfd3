// An XSD (and every file it includes or imports) as plain data: the schema elements only (xs:*), with their attributes
// and the prefixes in scope. The designer builds its element tree from this without touching the XML binding, which
// stays behind core/xml.
import { dirname, relative, resolve } from 'node:path';
import type { Element } from 'libxmljs2';
import { loadXsd, type Xsd } from './xsd.ts';

export const XS_NAMESPACE = 'http://www.w3.org/2001/XMLSchema';

/** One xs:* element: its local name ("element", "complexType"…), attributes and xs:* children. */
export interface SchemaNode {
  tag: string;
  attrs: Record<string, string>;
  children: SchemaNode[];
}

export interface SchemaFile {
  targetNamespace: string | null;
  elementFormQualified: boolean;
  /** prefix ("" for the default namespace) → namespace URI, as declared on xs:schema. */
  prefixes: Record<string, string>;
  root: SchemaNode;
}

/**
 * Each loaded file as data, made once: the mapping editor reads an XSD on every page and every save, and turning its
 * libxml tree into these objects each time was most of that. Keyed by loadXsd's object, which is new when a file is
 * loaded again (an uploaded XSD materialised with other content), so an entry never outlives its file. Frozen, as
 * every caller shares it.
 */
const asData = new WeakMap<Xsd, SchemaFile | null>();

/** The XSD and every file it includes/imports (each loaded through loadXsd, so with the same safety checks). */
export function readSchemaFiles(xsdDir: string, file: string): SchemaFile[] {
  const files: SchemaFile[] = [];
  const seen = new Set<string>();
  const visit = (xsd: Xsd) => {
    if (seen.has(xsd.file)) return;
    seen.add(xsd.file);
    let file = asData.get(xsd);
    if (file === undefined) {
      file = schemaFile(xsd);
      asData.set(xsd, file);
    }
    if (!file) return;
    files.push(file);
    for (const ref of file.root.children.filter((c) => ['include', 'import', 'redefine'].includes(c.tag))) {
      const location = ref.attrs.schemaLocation;
      if (!location) continue;
      const target = resolve(dirname(xsd.file), location);
      visit(loadXsd(xsdDir, relative(resolve(xsdDir), target)));
    }
  };
  visit(loadXsd(xsdDir, file));
  return files;
}

function schemaFile(xsd: Xsd): SchemaFile | null {
  const root = xsd.doc.root();
  if (!root) return null;
  const node = toNode(root);
  const prefixes: Record<string, string> = {};
  for (const ns of root.namespaces()) prefixes[ns.prefix() ?? ''] = ns.href();
  return Object.freeze({
    targetNamespace: node.attrs.targetNamespace ?? null,
    elementFormQualified: node.attrs.elementFormDefault === 'qualified',
    prefixes: Object.freeze(prefixes),
    root: node,
  });
}

function toNode(el: Element): SchemaNode {
  const attrs: Record<string, string> = {};
  for (const a of el.attrs()) attrs[a.name()] = a.value();
  const children: SchemaNode[] = [];
  for (const child of el.childNodes()) {
    if (child.type() !== 'element') continue;
    const c = child as Element;
    if (c.namespace()?.href() !== XS_NAMESPACE) continue;
    children.push(toNode(c));
  }
  return Object.freeze({ tag: el.name(), attrs: Object.freeze(attrs), children: Object.freeze(children) as SchemaNode[] });
}
