// What every page of the mapping editor reads: the draft, its XSD as a tree under the mapping's root element, and the
// reason when the XSD cannot be used (a missing file, a root the XSD does not declare) — shown on the page, never a 500.
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import type { WorkingDraft } from '../../../designer/drafts.ts';
import { schemaFilesOf } from '../../../designer/xsd-choices.ts';
import { globalElements, xsdTree, XsdTreeError, type XsdTree, type XsdTreeNode } from '../../../designer/xsd-tree.ts';
import type { DraftMapping } from '../../../designer/xml-mapping-rows.ts';
import type { SchemaFile } from '../../../xml/index.ts';
import { draftForEditing } from './draft-access.ts';

export interface XmlEditorContext {
  draft: WorkingDraft;
  serviceId: string;
  xsd: string | null;
  mapping: DraftMapping | null;
  files: SchemaFile[] | null;
  tree: XsdTree | null;
  /** Why the tree cannot be shown. */
  problem: string | null;
}

export async function xmlEditorContext(ctx: Koa.Context, hub: Hub, serviceId: string): Promise<XmlEditorContext> {
  const draft = await draftForEditing(ctx, hub, serviceId);
  const xml = draft.definition.xml as { xsd?: unknown; mapping?: unknown } | undefined;
  const xsd = typeof xml?.xsd === 'string' ? xml.xsd : null;
  const mapping = isMapping(xml?.mapping) ? xml.mapping : null;
  const out: XmlEditorContext = { draft, serviceId, xsd, mapping, files: null, tree: null, problem: null };
  if (!xsd) return out;
  const schema = schemaFilesOf(hub.config.paths.xsd, xsd);
  if ('problem' in schema) return { ...out, problem: schema.problem };
  out.files = schema.files;
  if (!mapping) return out;
  try {
    out.tree = xsdTree(schema.files, mapping.root);
  } catch (err) {
    if (!(err instanceof XsdTreeError)) throw err;
    out.problem = `${err.message}: choose the root element again`;
  }
  return out;
}

function isMapping(value: unknown): value is DraftMapping {
  const m = value as Partial<DraftMapping> | undefined;
  return !!m && typeof m === 'object' && typeof m.root === 'string' && Array.isArray(m.children);
}

export function rootElementsOf(context: XmlEditorContext): { name: string; namespace: string | null }[] {
  return context.files ? globalElements(context.files) : [];
}

/** The node at a row path ("Case/Reference", "Documents/Document/@kind"), and the repeat it sits in, if any. */
export function nodeAt(tree: XsdTree, mapping: DraftMapping, path: string): { node: XsdTreeNode; inRepeat: string | null } | null {
  const parts = path.split('/');
  let level = tree.children;
  let attributes = tree.attributes;
  let node: XsdTreeNode | undefined;
  let children = mapping.children as DraftMapping['children'] | undefined;
  let inRepeat: string | null = null;
  for (const part of parts) {
    if (part.startsWith('@')) {
      node = attributes.find((a) => a.name === part.slice(1));
      return node && part === parts.at(-1) ? { node, inRepeat } : null;
    }
    node = level.find((n) => n.name === part);
    if (!node) return null;
    const spec = children?.find((c) => (c.element.includes(':') ? c.element.split(':')[1] : c.element) === part);
    // The repeat of the element itself is its own setting; its ancestors' repeats give its items.
    if (part !== parts.at(-1) && spec?.each) inRepeat = spec.each.answer ? `answer:${spec.each.answer}` : `documents:${spec.each.documents}`;
    children = spec?.children;
    level = node.children;
    attributes = node.attributes;
  }
  return node ? { node, inRepeat } : null;
}

/** An anchor id for a row ("row-Case-Reference"): letters, digits and dashes only. */
export function rowId(path: string): string {
  return `row-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}
