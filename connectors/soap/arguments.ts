// Argument objects for the soap client, which writes an object's keys in the order it gets them. Admins write
// `arguments:` in any order, so each object is re-ordered to follow the WSDL's xs:sequence (from client.describe()).

/** client.describe() of an element: child name (with "[]" when repeated) → type name or nested description. */
export interface Description {
  [name: string]: string | Description;
}

/** Keys describe() adds that are not elements. */
const META = new Set(['targetNSAlias', 'targetNamespace']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** The element names of a description, in WSDL order, each with its own description. */
function children(description: Description | string | undefined): [string, Description | string][] {
  if (!description || typeof description === 'string') return [];
  return Object.entries(description)
    .filter(([k]) => !META.has(k))
    .map(([k, v]) => [k.replace(/\[\]$/, ''), v]);
}

/** `value` with its keys (recursively) in the order of `description`; keys it does not know keep their place at the end. */
export function orderLike(value: unknown, description: Description | string | undefined): Record<string, unknown> {
  return reorder(value, description) as Record<string, unknown>;
}

function reorder(value: unknown, description: Description | string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, description));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of children(description)) if (name in value) out[name] = reorder(value[name], child);
  for (const [k, v] of Object.entries(value)) if (!(k in out)) out[k] = v;
  return out;
}

/** Whether a dotted element path (Contact.Name) exists in a description. */
export function describes(description: Description | string | undefined, path: string): boolean {
  let node: Description | string | undefined = description;
  for (const part of path.split('.')) {
    node = children(node).find(([name]) => name === part)?.[1];
    if (node === undefined) return false;
  }
  return true;
}

/** The element names a description has at its top level (for messages). */
export function elementNames(description: Description | string | undefined): string[] {
  return children(description).map(([name]) => name);
}

/** Sets a dotted path (Contact.Name) in a nested object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Reads a dotted path from the soap client's result object; attribute-carrying elements keep their text in $value. */
export function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split('.')) node = isPlainObject(node) ? node[part] : undefined;
  if (isPlainObject(node) && '$value' in node) node = node.$value;
  return node;
}
