// The mapping editor's rows: each element (and attribute) of the XSD's tree, matched to where the service's mapping
// (the existing mapping format, core/xml/mapping-schema.ts) says its value comes from; one row changed at a time, and
// everything else in the mapping — including anything the editor cannot show as a row — kept exactly as it was.
import { isDeepStrictEqual } from 'node:util';
import type { ElementSpec, ValueSpec, XmlMapping } from '../xml/index.ts';
import type { XsdTree, XsdTreeNode } from './xsd-tree.ts';

/** A mapping while it is designed: it may have no rows yet. */
export type DraftMapping = Omit<XmlMapping, 'children'> & { children: ElementSpec[] };
type Each = NonNullable<ElementSpec['each']>;
type AttributeValue = ValueSpec | string;

/** One row's new state, from the editor's form. */
export interface RowEdit {
  /** null: the value comes from nowhere (the element or attribute is left out). */
  value: ValueSpec | null;
  /** Elements only: repeat once per item (null: once). */
  each?: Each | null;
  /** Elements only. */
  required?: boolean;
}

export interface MissingElement {
  path: string;
  name: string;
  /** The other elements that would do instead (when it is one alternative of a choice). */
  alternatives: string[];
}

/** A part of the mapping that no row of the tree shows: kept and shown as it is, never lost. */
export interface UnrepresentedRow {
  /** Where it sits in the mapping, in element names: "Case/Extra". */
  path: string;
  spec: ElementSpec | { attribute: string; value: AttributeValue };
}

function localName(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

function splitPath(path: string): { elements: string[]; attribute: string | null } {
  const parts = path.split('/').filter(Boolean);
  const last = parts.at(-1);
  if (last?.startsWith('@')) return { elements: parts.slice(0, -1), attribute: last.slice(1) };
  return { elements: parts, attribute: null };
}

/** The mapping's element at a tree path ("Case/Reference"), if the mapping has one. */
export function elementAt(mapping: DraftMapping, path: string): ElementSpec | undefined {
  let children: ElementSpec[] | undefined = mapping.children;
  let found: ElementSpec | undefined;
  for (const name of splitPath(path).elements) {
    found = children?.find((c) => localName(c.element) === name);
    if (!found) return undefined;
    children = found.children;
  }
  return found;
}

/** An attribute's value at "Documents/Document/@kind" (or "@version" on the root). */
export function attributeAt(mapping: DraftMapping, path: string): AttributeValue | undefined {
  const { elements, attribute } = splitPath(path);
  if (!attribute) return undefined;
  const owner = elements.length ? elementAt(mapping, elements.join('/')) : mapping;
  const entry = Object.entries(owner?.attributes ?? {}).find(([k]) => localName(k) === attribute);
  return entry?.[1];
}

/** An attribute value as the editor shows it (a plain string is a constant). */
export function asValueSpec(value: AttributeValue | undefined): ValueSpec | undefined {
  return typeof value === 'string' ? { constant: value } : value;
}

/** Whether a mapping element gives the element any content. */
function hasContent(spec: ElementSpec | undefined): boolean {
  return !!spec && (spec.value !== undefined || !!spec.children?.length || !!Object.keys(spec.attributes ?? {}).length || !!spec.each);
}

/**
 * The elements (and attributes) the XSD requires that the mapping leaves empty. An optional container is only looked
 * into when the mapping fills something in it; of a choice, one alternative is enough.
 */
export function missingRequiredElements(tree: XsdTree, mapping: DraftMapping): MissingElement[] {
  const missing: MissingElement[] = [];
  const visit = (
    nodes: XsdTreeNode[],
    attributes: XsdTreeNode[],
    owner: { attributes?: Record<string, AttributeValue>; children?: ElementSpec[] } | undefined,
  ) => {
    for (const a of attributes)
      if (a.minOccurs > 0 && !Object.keys(owner?.attributes ?? {}).some((k) => localName(k) === a.name))
        missing.push({ path: a.path, name: `@${a.name}`, alternatives: [] });
    const alternatives = nodes.filter((n) => n.inChoice);
    const choiceMade = alternatives.some((n) => hasContent(owner?.children?.find((c) => localName(c.element) === n.name)));
    for (const node of nodes) {
      const spec = owner?.children?.find((c) => localName(c.element) === node.name);
      const needed = node.minOccurs > 0 && !(node.inChoice && choiceMade);
      if (needed && !hasContent(spec)) {
        if (node.inChoice && alternatives[0] !== node) continue; // one entry for the whole choice
        missing.push({ path: node.path, name: node.name, alternatives: node.inChoice ? alternatives.filter((a) => a !== node).map((a) => a.name) : [] });
        continue;
      }
      if ((needed || hasContent(spec)) && !spec?.value) visit(node.children, node.attributes, spec ?? {});
    }
  };
  visit(tree.children, tree.attributes, mapping);
  return missing;
}

/** Mapping elements and attributes that match no row of the tree (a structure the editor does not show). */
export function unrepresentedRows(tree: XsdTree, mapping: DraftMapping): UnrepresentedRow[] {
  const out: UnrepresentedRow[] = [];
  const visit = (
    nodes: XsdTreeNode[],
    attributes: XsdTreeNode[],
    owner: { attributes?: Record<string, AttributeValue>; children?: ElementSpec[] },
    path: string,
  ) => {
    for (const [name, value] of Object.entries(owner.attributes ?? {}))
      if (!attributes.some((a) => a.name === localName(name))) out.push({ path: path ? `${path}/@${name}` : `@${name}`, spec: { attribute: name, value } });
    const used = new Set<string>();
    for (const child of owner.children ?? []) {
      const name = localName(child.element);
      const node = nodes.find((n) => n.name === name);
      const childPath = path ? `${path}/${name}` : name;
      // A second mapping element of the same name (or one the XSD does not have) has no row of its own.
      if (!node || used.has(name) || (node.simple && child.children)) {
        out.push({ path: childPath, spec: child });
        continue;
      }
      used.add(name);
      visit(node.children, node.attributes, child, childPath);
    }
  };
  visit(tree.children, tree.attributes, mapping, '');
  return out;
}

/**
 * Applies one row's edit to a copy of the mapping; returns the mapping unchanged (the same values, so a form posted as
 * it was shown changes nothing) when the edit says what the mapping already says.
 */
export function applyRowEdit(mapping: DraftMapping, tree: XsdTree, path: string, edit: RowEdit): DraftMapping {
  const next = structuredClone(mapping);
  const { elements, attribute } = splitPath(path);
  const nodes = nodesOnPath(tree, elements);
  const ensure = () => ensureElement(next, tree.children, nodes);
  if (attribute) {
    const existing = attributeAt(next, path);
    const value = edit.value === null ? undefined : sameValue(asValueSpec(existing), edit.value) ? existing : edit.value;
    if (value === existing) return next;
    const owner = elements.length ? ensure() : next;
    const key = Object.keys(owner.attributes ?? {}).find((k) => localName(k) === attribute) ?? attribute;
    const attributes = { ...(owner.attributes ?? {}) };
    if (value === undefined) delete attributes[key];
    else attributes[key] = value;
    if (Object.keys(attributes).length) owner.attributes = attributes;
    else delete owner.attributes;
    return next;
  }
  const current = elementAt(next, path);
  const wanted = {
    value: edit.value === null ? undefined : sameValue(current?.value, edit.value) ? current!.value : edit.value,
    each: edit.each === undefined ? current?.each : edit.each === null ? undefined : isDeepStrictEqual(current?.each, edit.each) ? current!.each : edit.each,
    required: edit.required === undefined ? current?.required : edit.required ? true : current?.required === false ? false : undefined,
  };
  if (current && wanted.value === current.value && wanted.each === current.each && wanted.required === current.required) return next;
  if (!current && wanted.value === undefined && wanted.each === undefined && wanted.required === undefined) return next;
  const spec = ensure();
  for (const key of ['value', 'each', 'required'] as const) {
    if (wanted[key] === undefined) delete spec[key];
    else (spec as unknown as Record<string, unknown>)[key] = wanted[key];
  }
  if (spec.value) delete spec.children;
  return next;
}

/** Two value specs that say the same (a constant 5 and "5" are the same to a form). */
export function sameValue(a: ValueSpec | undefined, b: ValueSpec | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const norm = (v: ValueSpec) => ({ ...v, ...(v.constant === undefined ? {} : { constant: String(v.constant) }) });
  return isDeepStrictEqual(norm(a), norm(b));
}

function nodesOnPath(tree: XsdTree, names: string[]): XsdTreeNode[] {
  const out: XsdTreeNode[] = [];
  let level = tree.children;
  for (const name of names) {
    const node = level.find((n) => n.name === name);
    if (!node) throw new Error(`The XSD has no element ${names.join('/')}`);
    out.push(node);
    level = node.children;
  }
  return out;
}

/** The mapping element for the last node of the path, made (in the XSD's order among its siblings) where missing. */
function ensureElement(mapping: DraftMapping, top: XsdTreeNode[], nodes: XsdTreeNode[]): ElementSpec {
  let owner: { children?: ElementSpec[] } = mapping;
  let siblings = top;
  let spec: ElementSpec | undefined;
  for (const node of nodes) {
    const children: ElementSpec[] = owner.children ?? (owner.children = []);
    spec = children.find((c) => localName(c.element) === node.name);
    if (!spec) {
      spec = { element: elementName(mapping, node) };
      const order = siblings;
      const xsdIndex = (name: string) => order.findIndex((n) => n.name === name);
      const mine = xsdIndex(node.name);
      const before = children.findIndex((c) => xsdIndex(localName(c.element)) > mine);
      if (before === -1) children.push(spec);
      else children.splice(before, 0, spec);
    }
    if ((spec as ElementSpec).value) delete (spec as ElementSpec).value; // a container: its children carry the values
    siblings = node.children;
    owner = spec;
  }
  return spec!;
}

/** The name a new mapping element gets: prefixed when its namespace is not the mapping's default namespace. */
function elementName(mapping: DraftMapping, node: XsdTreeNode): string {
  if (!node.namespace || node.namespace === mapping.namespace) return node.name;
  const prefix = Object.entries(mapping.namespaces ?? {}).find(([, uri]) => uri === node.namespace)?.[0];
  if (prefix) return `${prefix}:${node.name}`;
  let n = 1;
  while (mapping.namespaces?.[`ns${n}`]) n++;
  mapping.namespaces = { ...(mapping.namespaces ?? {}), [`ns${n}`]: node.namespace };
  return `ns${n}:${node.name}`;
}
