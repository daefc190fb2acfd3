// The element tree an XSD allows under one root element, as the mapping editor shows it: names and namespaces,
// required or optional, how often each repeats, simple types with their enumerations and limits, attributes, and whether
// children come in a sequence or as a choice. Built from the schema as plain data (core/xml readSchemaFiles), so this
// file is pure and tested on config/xsd.
import { XS_NAMESPACE, type SchemaFile, type SchemaNode } from '../xml/index.ts';
import { builtinInfo, type SimpleTypeInfo } from './xsd-simple-type.ts';

export { formatFor, type SimpleTypeInfo } from './xsd-simple-type.ts';

export interface XsdTreeNode {
  kind: 'element' | 'attribute';
  name: string;
  namespace: string | null;
  /** "Case/Reference"; an attribute is "Documents/Document/@kind". The root element's children have one segment. */
  path: string;
  minOccurs: number;
  /** null: unbounded. */
  maxOccurs: number | null;
  /** The complex type's name, when it is a named one. */
  typeName: string | null;
  /** Set for elements with text content and for attributes. */
  simple: SimpleTypeInfo | null;
  /** How the children are grouped. */
  compositor: 'sequence' | 'choice' | 'all' | null;
  /** This element is one of the alternatives of a choice: only one of them may be given. */
  inChoice: boolean;
  children: XsdTreeNode[];
  attributes: XsdTreeNode[];
  /** The type is recursive: its children are not expanded again here. */
  recursive: boolean;
}

export interface XsdTree {
  root: { name: string; namespace: string | null };
  children: XsdTreeNode[];
  attributes: XsdTreeNode[];
  compositor: XsdTreeNode['compositor'];
}

/** Thrown when the root element is not a global element of the XSD. */
export class XsdTreeError extends Error {
  override name = 'XsdTreeError';
}

type Kind = 'element' | 'complexType' | 'simpleType' | 'group' | 'attributeGroup' | 'attribute';

interface Scoped {
  node: SchemaNode;
  file: SchemaFile;
}

/** Global declarations of every file, by kind and {namespace}name. */
class SchemaIndex {
  private readonly byKey = new Map<string, Scoped>();
  constructor(readonly files: SchemaFile[]) {
    for (const file of files)
      for (const node of file.root.children) {
        const name = node.attrs.name;
        if (name && ['element', 'complexType', 'simpleType', 'group', 'attributeGroup', 'attribute'].includes(node.tag))
          this.byKey.set(`${node.tag} {${file.targetNamespace ?? ''}}${name}`, { node, file });
      }
  }
  get(kind: Kind, qname: { ns: string | null; name: string }): Scoped | undefined {
    return this.byKey.get(`${kind} {${qname.ns ?? ''}}${qname.name}`);
  }
  globalElements(): { name: string; namespace: string | null }[] {
    return this.files.flatMap((f) =>
      f.root.children.filter((n) => n.tag === 'element' && n.attrs.name).map((n) => ({ name: n.attrs.name!, namespace: f.targetNamespace })),
    );
  }
}

/** The global elements of an XSD: the root elements a mapping may choose. */
export function globalElements(files: SchemaFile[]): { name: string; namespace: string | null }[] {
  return new SchemaIndex(files).globalElements();
}

/** The tree under the global element `rootName` (a "prefix:Name" is matched on its local name). */
export function xsdTree(files: SchemaFile[], rootName: string): XsdTree {
  const index = new SchemaIndex(files);
  const local = rootName.includes(':') ? rootName.split(':')[1]! : rootName;
  const found = index.globalElements().find((e) => e.name === local);
  if (!found) throw new XsdTreeError(`The XSD has no element called ${local}`);
  const root = index.get('element', { ns: found.namespace, name: local })!;
  const content = new Builder(index).content(root, '', new Set());
  return { root: found, children: content.children, attributes: content.attributes, compositor: content.compositor };
}

/** Every node of the tree, depth first (elements, each followed by its attributes then its children). */
export function flattenTree(nodes: XsdTreeNode[]): XsdTreeNode[] {
  return nodes.flatMap((n) => [n, ...n.attributes, ...flattenTree(n.children)]);
}

const MAX_DEPTH = 12;

class Builder {
  constructor(private readonly index: SchemaIndex) {}

  /** The children, attributes and text type of an element declaration (global or local). */
  content(
    decl: Scoped,
    path: string,
    typesOnPath: Set<string>,
  ): Pick<XsdTreeNode, 'children' | 'attributes' | 'compositor' | 'simple' | 'typeName' | 'recursive'> {
    const empty = { children: [], attributes: [], compositor: null, simple: null, typeName: null, recursive: false };
    const typeAttr = decl.node.attrs.type;
    let complex: Scoped | undefined;
    let typeName: string | null = null;
    if (typeAttr) {
      const q = resolveQName(decl.file, typeAttr);
      if (q.ns === XS_NAMESPACE) return { ...empty, simple: builtinInfo(q.name) };
      const simple = this.index.get('simpleType', q);
      if (simple) return { ...empty, simple: this.simpleInfo(simple, q.name) };
      complex = this.index.get('complexType', q);
      typeName = q.name;
      if (!complex) return { ...empty, simple: builtinInfo('string') };
    } else {
      const inlineSimple = decl.node.children.find((c) => c.tag === 'simpleType');
      if (inlineSimple) return { ...empty, simple: this.simpleInfo({ node: inlineSimple, file: decl.file }, null) };
      const inlineComplex = decl.node.children.find((c) => c.tag === 'complexType');
      if (!inlineComplex) return { ...empty, simple: builtinInfo('anyType') };
      complex = { node: inlineComplex, file: decl.file };
    }
    const key = typeName ?? '';
    if (typeName && typesOnPath.has(key)) return { ...empty, typeName, recursive: true };
    if (path.split('/').length > MAX_DEPTH) return { ...empty, typeName, recursive: true };
    const onPath = typeName ? new Set([...typesOnPath, key]) : typesOnPath;
    return { ...this.complexContent(complex, path, onPath), typeName, recursive: false };
  }

  private complexContent(type: Scoped, path: string, onPath: Set<string>): Pick<XsdTreeNode, 'children' | 'attributes' | 'compositor' | 'simple'> {
    const result: Pick<XsdTreeNode, 'children' | 'attributes' | 'compositor' | 'simple'> = { children: [], attributes: [], compositor: null, simple: null };
    for (const part of type.node.children) {
      if (['sequence', 'choice', 'all', 'group'].includes(part.tag)) {
        result.compositor = part.tag === 'group' ? 'sequence' : (part.tag as XsdTreeNode['compositor']);
        result.children.push(...this.particles({ node: part, file: type.file }, path, onPath, false));
      } else if (part.tag === 'attribute' || part.tag === 'attributeGroup') {
        result.attributes.push(...this.attributes({ node: part, file: type.file }, path));
      } else if (part.tag === 'simpleContent' || part.tag === 'complexContent') {
        const derivation = part.children.find((c) => c.tag === 'extension' || c.tag === 'restriction');
        if (!derivation) continue;
        const base = derivation.attrs.base ? resolveQName(type.file, derivation.attrs.base) : null;
        if (part.tag === 'simpleContent') {
          result.simple =
            base?.ns === XS_NAMESPACE
              ? builtinInfo(base.name)
              : base && this.index.get('simpleType', base)
                ? this.simpleInfo(this.index.get('simpleType', base)!, base.name)
                : builtinInfo('string');
        } else if (base && base.ns !== XS_NAMESPACE && derivation.tag === 'extension') {
          const baseType = this.index.get('complexType', base);
          if (baseType) {
            const inherited = this.complexContent(baseType, path, onPath);
            result.children.push(...inherited.children);
            result.attributes.push(...inherited.attributes);
            result.compositor = inherited.compositor;
          }
        }
        const own = this.complexContent({ node: derivation, file: type.file }, path, onPath);
        result.children.push(...own.children);
        result.attributes.push(...own.attributes);
        result.compositor = own.compositor ?? result.compositor;
      }
    }
    return result;
  }

  /** Elements of a sequence/choice/all/group, flattened (nested groups' elements inherit "in a choice"). */
  private particles(group: Scoped, path: string, onPath: Set<string>, inChoice: boolean): XsdTreeNode[] {
    const { node, file } = group;
    if (node.tag === 'group') {
      const ref = node.attrs.ref ? this.index.get('group', resolveQName(file, node.attrs.ref)) : group;
      if (!ref) return [];
      return ref.node.children
        .filter((c) => ['sequence', 'choice', 'all'].includes(c.tag))
        .flatMap((c) => this.particles({ node: c, file: ref.file }, path, onPath, inChoice));
    }
    const choice = inChoice || node.tag === 'choice';
    const out: XsdTreeNode[] = [];
    for (const child of node.children) {
      if (child.tag === 'element') out.push(this.element({ node: child, file }, path, onPath, choice));
      else if (['sequence', 'choice', 'all', 'group'].includes(child.tag)) out.push(...this.particles({ node: child, file }, path, onPath, choice));
    }
    return out;
  }

  private element(local: Scoped, parentPath: string, onPath: Set<string>, inChoice: boolean): XsdTreeNode {
    let decl = local;
    let namespace: string | null = local.file.elementFormQualified ? local.file.targetNamespace : null;
    if (local.node.attrs.ref) {
      const q = resolveQName(local.file, local.node.attrs.ref);
      decl = this.index.get('element', q) ?? local;
      namespace = q.ns;
    }
    const name = decl.node.attrs.name ?? local.node.attrs.ref ?? '?';
    const path = parentPath ? `${parentPath}/${localName(name)}` : localName(name);
    return {
      kind: 'element',
      name: localName(name),
      namespace,
      path,
      minOccurs: occurs(local.node.attrs.minOccurs, 1)!,
      maxOccurs: occurs(local.node.attrs.maxOccurs, 1),
      inChoice,
      ...this.content(decl, path, onPath),
    };
  }

  private attributes(part: Scoped, path: string): XsdTreeNode[] {
    const { node, file } = part;
    if (node.tag === 'attributeGroup') {
      const group = node.attrs.ref ? this.index.get('attributeGroup', resolveQName(file, node.attrs.ref)) : part;
      if (!group) return [];
      return group.node.children
        .filter((c) => c.tag === 'attribute' || c.tag === 'attributeGroup')
        .flatMap((c) => this.attributes({ node: c, file: group.file }, path));
    }
    if (node.attrs.use === 'prohibited') return [];
    let decl = part;
    if (node.attrs.ref) decl = this.index.get('attribute', resolveQName(file, node.attrs.ref)) ?? part;
    const name = localName(decl.node.attrs.name ?? node.attrs.ref ?? '?');
    const typeAttr = decl.node.attrs.type;
    let simple: SimpleTypeInfo = builtinInfo('string');
    if (typeAttr) {
      const q = resolveQName(decl.file, typeAttr);
      const named = q.ns === XS_NAMESPACE ? undefined : this.index.get('simpleType', q);
      simple = named ? this.simpleInfo(named, q.name) : builtinInfo(q.name);
    } else {
      const inline = decl.node.children.find((c) => c.tag === 'simpleType');
      if (inline) simple = this.simpleInfo({ node: inline, file: decl.file }, null);
    }
    return [
      {
        kind: 'attribute',
        name,
        namespace: null,
        path: path ? `${path}/@${name}` : `@${name}`,
        minOccurs: node.attrs.use === 'required' ? 1 : 0,
        maxOccurs: 1,
        typeName: null,
        simple,
        compositor: null,
        inChoice: false,
        children: [],
        attributes: [],
        recursive: false,
      },
    ];
  }

  /** A simple type's built-in base and facets, following named bases (facets of the nearest restriction win). */
  private simpleInfo(type: Scoped, name: string | null, depth = 0): SimpleTypeInfo {
    const restriction = type.node.children.find((c) => c.tag === 'restriction');
    let info: SimpleTypeInfo = { ...builtinInfo('string'), name };
    if (type.node.children.some((c) => c.tag === 'list' || c.tag === 'union'))
      return { ...info, builtin: type.node.children.some((c) => c.tag === 'list') ? 'list' : 'union' };
    if (!restriction) return info;
    const base = restriction.attrs.base ? resolveQName(type.file, restriction.attrs.base) : null;
    if (base?.ns === XS_NAMESPACE) info = { ...builtinInfo(base.name), name };
    else if (base && depth < 10) {
      const named = this.index.get('simpleType', base);
      if (named) info = { ...this.simpleInfo(named, base.name, depth + 1), name };
    } else {
      const inline = restriction.children.find((c) => c.tag === 'simpleType');
      if (inline && depth < 10) info = { ...this.simpleInfo({ node: inline, file: type.file }, null, depth + 1), name };
    }
    const facets = restriction.children;
    const enumeration = facets.filter((f) => f.tag === 'enumeration').map((f) => f.attrs.value ?? '');
    const pattern = facets.filter((f) => f.tag === 'pattern').map((f) => f.attrs.value ?? '');
    const facet = (tag: string) => facets.find((f) => f.tag === tag)?.attrs.value;
    const number = (tag: string) => (facet(tag) === undefined ? undefined : Number(facet(tag)));
    return {
      ...info,
      enumeration: enumeration.length ? enumeration : info.enumeration,
      pattern: pattern.length ? pattern : info.pattern,
      minLength: number('minLength') ?? number('length') ?? info.minLength,
      maxLength: number('maxLength') ?? number('length') ?? info.maxLength,
      minInclusive: facet('minInclusive') ?? info.minInclusive,
      maxInclusive: facet('maxInclusive') ?? info.maxInclusive,
    };
  }
}

function resolveQName(file: SchemaFile, qname: string): { ns: string | null; name: string } {
  const [prefix, name] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
  // An unprefixed reference in a schema without a default namespace is in no namespace; an included chameleon schema
  // takes the includer's namespace (approximated by its own targetNamespace, which is all config/xsd uses).
  return { ns: file.prefixes[prefix] ?? (prefix === '' ? file.targetNamespace : null), name };
}

function localName(name: string): string {
  return name.includes(':') ? name.split(':')[1]! : name;
}

function occurs(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  if (value === 'unbounded') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}
