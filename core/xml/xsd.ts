// XSDs are our own files under config/xsd. Each is parsed and compiled once and reused (re-parsing per validation halves
// throughput). xs:include / xs:import / xs:redefine may only point at files inside the XSD folder: never a URL.
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import libxmljs, { type Document } from 'libxmljs2';
import { PARSE_OPTIONS, UnsafeXmlError } from './safe-parse.ts';

export interface XsdError {
  message: string;
  line: number | null;
  element: string | null;
}

export interface Xsd {
  file: string;
  doc: Document;
}

const cache = new Map<string, Xsd>();
/** By the caller's (folder, file) pair: the hot path (every delivery) skips resolving the path again. */
const byArguments = new Map<string, Xsd>();

export function loadXsd(xsdDir: string, file: string): Xsd {
  const key = `${xsdDir}\n${file}`;
  const known = byArguments.get(key);
  if (known) return known;
  const path = resolve(xsdDir, file);
  const hit = cache.get(path);
  if (hit) {
    byArguments.set(key, hit);
    return hit;
  }
  const root = resolve(xsdDir);
  checkReferences(root, path, new Set());
  const doc = libxmljs.parseXml(readFileSync(path, 'utf8'), { ...PARSE_OPTIONS, baseUrl: path });
  const xsd = { file: path, doc };
  cache.set(path, xsd);
  byArguments.set(key, xsd);
  return xsd;
}

export function clearXsdCache(): void {
  cache.clear();
  byArguments.clear();
}

/** Walks include/import/redefine schemaLocations, refusing URLs and anything outside the XSD folder. */
function checkReferences(root: string, path: string, seen: Set<string>): void {
  if (!(path === root || path.startsWith(root + sep))) throw new UnsafeXmlError(`${path} is outside the XSD folder ${root}`);
  if (seen.has(path)) return;
  seen.add(path);
  const text = readFileSync(path, 'utf8');
  if (/<!DOCTYPE/i.test(text)) throw new UnsafeXmlError(`${path}: an XSD with a DOCTYPE is refused`);
  const doc = libxmljs.parseXml(text, PARSE_OPTIONS);
  const refs = doc.find('//xs:include | //xs:import | //xs:redefine', { xs: 'http://www.w3.org/2001/XMLSchema' });
  for (const ref of refs) {
    const location = (ref as unknown as { attr(n: string): { value(): string } | null }).attr('schemaLocation')?.value();
    if (!location) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(location)) throw new UnsafeXmlError(`${path}: schemaLocation "${location}" is a URL; only files in the XSD folder may be included`);
    checkReferences(root, resolve(dirname(path), location), seen);
  }
}

/** Validates a document against a compiled schema. */
export function validateDocument(doc: Document, xsd: Xsd): { valid: boolean; errors: XsdError[] } {
  const valid = doc.validate(xsd.doc);
  return { valid, errors: valid ? [] : doc.validationErrors.map(toXsdError) };
}

/** Validates XML text (line numbers refer to it). */
export function validateXml(xml: string, xsd: Xsd): { valid: boolean; errors: XsdError[] } {
  // The same rule as parseXmlSafely: nothing with a DOCTYPE reaches libxml2 (XXE, entity bombs, GHSA-78h3-pg4x-j8cv).
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) return { valid: false, errors: [{ message: 'XML with a DOCTYPE or ENTITY declaration is refused', line: null, element: null }] };
  let doc: Document;
  try {
    doc = libxmljs.parseXml(xml, PARSE_OPTIONS);
  } catch (err) {
    const e = err as { message?: string; line?: number | null };
    return { valid: false, errors: [{ message: `not well-formed: ${(e.message ?? '').trim()}`, line: e.line ?? null, element: null }] };
  }
  return validateDocument(doc, xsd);
}

function toXsdError(e: { message: string; line: number | null }): XsdError {
  const element = /Element '(?:\{[^}]*\})?([^']+)'/.exec(e.message)?.[1] ?? null;
  return { message: e.message.trim(), line: e.line || null, element };
}
