// What erased data is replaced with: one marker for free text, small stand-in documents that say what happened, and a
// scrubber that takes a citizen's known values out of operational texts (delivery errors) while keeping the rest.
import { createHash } from 'node:crypto';
import type { ServiceDefinition } from '../services/index.ts';

/** Replaces every erased value: answers, note texts, notification texts, response excerpts. */
export const ERASED = '[erased]';

/** Answer types that hold what a citizen wrote (or who they are); choices from a fixed list do not. */
const PERSONAL_TYPES = new Set(['text', 'textarea', 'email', 'phone', 'address', 'location', 'date', 'datetime', 'file']);

/** Values shorter than this are not scrubbed from texts: they would match inside ordinary words. */
const MIN_SCRUB_LENGTH = 3;

/** Every answer keeps its question id; its value becomes the marker (so what was asked stays known, not what was said). */
export function redactedAnswers(answers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(answers).map((k) => [k, ERASED]));
}

/** The stand-in kept in place of an erased document (so readers of the row never meet a missing blob). */
export function erasedDocument(kind: string, reference: string, erasedAt: Date): { content: Buffer; sha256: string } {
  const at = erasedAt.toISOString();
  let text: string;
  switch (kind) {
    case 'xml':
      text = `<?xml version="1.0" encoding="UTF-8"?>\n<Erased reference="${reference}" erasedAt="${at}">The XML sent for this process held personal data and was erased.</Erased>\n`;
      break;
    case 'form-json':
      text = `${JSON.stringify({ erased: true, reference, erasedAt: at }, null, 2)}\n`;
      break;
    case 'form-html':
      text = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${reference} (erased)</title></head>\n<body><p>The answers of ${reference} were erased on ${at}.</p></body></html>\n`;
      break;
    default:
      text = '';
  }
  const content = Buffer.from(text);
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * The citizen's own values, to find them in texts written by machines (delivery errors quoting the XML, an SMTP error
 * naming the address): free-text and address answers, file names and contact details. Longest first.
 */
export function personalValues(definition: ServiceDefinition | null, answers: Record<string, unknown>, extra: string[] = []): string[] {
  const fields = new Map((definition?.fields ?? []).map((f) => [f.id, f.type]));
  const out: string[] = [...extra];
  for (const [id, value] of Object.entries(answers)) {
    const type = fields.get(id);
    if (type && !PERSONAL_TYPES.has(type)) continue;
    if (type === 'file') {
      for (const f of Array.isArray(value) ? value : []) if (f && typeof (f as { name?: unknown }).name === 'string') out.push((f as { name: string }).name);
      continue;
    }
    leaves(value, out, type === 'address' || type === 'location');
  }
  const unique = new Map<string, string>();
  for (const v of out.map((x) => x.trim())) {
    if (v.length >= MIN_SCRUB_LENGTH && v !== ERASED && !unique.has(v.toLowerCase())) unique.set(v.toLowerCase(), v);
  }
  return [...unique.values()].sort((a, b) => b.length - a.length);
}

/** The text with every occurrence of the values (as written, or XML-escaped) replaced by the marker, ignoring case. */
export function scrubText(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) {
    for (const form of new Set([v, xmlEscape(v)])) out = out.replace(new RegExp(escapeRegExp(form), 'gi'), ERASED);
  }
  return out;
}

function leaves(value: unknown, out: string[], numbersToo: boolean): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' && numbersToo) out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leaves(v, out, numbersToo);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) leaves(v, out, numbersToo);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
