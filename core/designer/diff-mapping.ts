// The XML mapping as rows for the readable diff: one row per element path ("NoiseComplaint/Case/Reference") saying where
// its value comes from, in words. The mapping is whatever the definition holds (it is checked elsewhere), so every
// shape is read defensively. Pure: no I/O.
import { stableJson, valueText } from './diff-text.ts';

interface MappingNode {
  element?: unknown;
  value?: unknown;
  each?: unknown;
  attributes?: unknown;
  required?: unknown;
  children?: unknown;
}

/** Element path → what fills it, in words. The root's own settings are rows too ("NoiseComplaint (namespace)"). */
export function mappingRows(mapping: unknown, labelOf: (id: string) => string): Map<string, string> {
  const rows = new Map<string, string>();
  if (!mapping || typeof mapping !== 'object') return rows;
  const m = mapping as { root?: unknown; namespace?: unknown; namespaces?: unknown; children?: unknown };
  const root = typeof m.root === 'string' ? m.root : '(root)';
  if (m.namespace !== undefined) rows.set(`${root} (namespace)`, valueText(m.namespace));
  if (m.namespaces !== undefined) rows.set(`${root} (namespace prefixes)`, stableJson(m.namespaces));
  walk(m.children, root, rows, labelOf);
  return rows;
}

function walk(children: unknown, parent: string, rows: Map<string, string>, labelOf: (id: string) => string): void {
  if (!Array.isArray(children)) return;
  const seen = new Map<string, number>();
  for (const child of children as MappingNode[]) {
    if (!child || typeof child !== 'object') continue;
    const name = typeof child.element === 'string' ? child.element : '(unnamed)';
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    const path = `${parent}/${name}${n > 1 ? `[${n}]` : ''}`;
    rows.set(path, nodeText(child, labelOf));
    walk(child.children, path, rows, labelOf);
  }
}

function nodeText(node: MappingNode, labelOf: (id: string) => string): string {
  const parts: string[] = [];
  if (node.each !== undefined) parts.push(`one for each of ${sourceText(node.each, labelOf)}`);
  if (node.value !== undefined) parts.push(sourceText(node.value, labelOf));
  else if (Array.isArray(node.children)) parts.push('contains other elements');
  if (node.attributes !== undefined) parts.push(`attributes ${stableJson(node.attributes)}`);
  if (node.required === true) parts.push('required');
  return parts.join('; ') || 'empty';
}

/** "the answer to “Type of noise”, codes: music → NS01, dog → NS02, formatted as upper". */
function sourceText(value: unknown, labelOf: (id: string) => string): string {
  if (!value || typeof value !== 'object') return valueText(value);
  const v = value as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof v.answer === 'string') {
    const [id, part] = v.answer.split('.');
    parts.push(`${part ? `the ${part} of ` : ''}the answer to “${labelOf(id ?? '')}”`);
  } else if (typeof v.process === 'string') parts.push(`the case’s ${v.process}`);
  else if (v.constant !== undefined) parts.push(`the fixed value ${valueText(v.constant)}`);
  else if (typeof v.item === 'string') parts.push(`the item’s ${v.item}`);
  else if (typeof v.documents === 'string') parts.push(`the documents (${v.documents})`);
  if (v.lookup && typeof v.lookup === 'object')
    parts.push(
      `codes: ${Object.entries(v.lookup as Record<string, unknown>)
        .map(([from, to]) => `${from} → ${String(to)}`)
        .join(', ')}`,
    );
  if (v.join !== undefined) parts.push(`joined with ${valueText(v.join)}`);
  if (v.default !== undefined) parts.push(`otherwise ${valueText(v.default)}`);
  if (v.format !== undefined) parts.push(`formatted as ${typeof v.format === 'string' ? v.format : stableJson(v.format)}`);
  const known = new Set(['answer', 'process', 'constant', 'item', 'documents', 'lookup', 'join', 'default', 'format']);
  const rest = Object.fromEntries(Object.entries(v).filter(([k]) => !known.has(k)));
  if (Object.keys(rest).length) parts.push(stableJson(rest));
  return parts.join(', ');
}
