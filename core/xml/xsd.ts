// XSDs are our own files under config/xsd. Each is parsed and compiled once and reused (re-parsing per validation halves
// throughput). xs:include / xs:import / xs:redefine may only point at files inside the XSD folder: never a URL.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import libxmljs, { type Document } from 'libxmljs2';
import { PARSE_OPTIONS, UnsafeXmlError } from '@closeloop/sdk/xml';

export interface XsdError {
  message: string;
  line: number | null;
  element: string | null;
}

/** Whether a document matches its schema, and if not, why (line numbers refer to the document's text). */
export interface Validation {
  valid: boolean;
  errors: XsdError[];
}

/** An XSD, or a file it includes, is not there. */
export class XsdFileError extends Error {
  override name = 'XsdFileError';
}

export interface Xsd {
  file: string;
  doc: Document;
  /** The schema or a file it includes names IDREF: its documents are never validated together (validate-together.ts). */
  usesIdref: boolean;
}

const cache = new Map<string, Xsd>();
/** By the caller's (folder, file) pair: the hot path (every delivery) skips resolving the path again. */
const byArguments = new Map<string, Xsd>();

/**
 * Where XSDs uploaded in the staff console are materialised from Postgres (core/xml/uploaded-xsds.ts): a folder of this
 * process's own, never the config folder. A service names one as "uploaded/<council>/<name>.xsd".
 */
let uploadedRoot: string | null = null;

export function setUploadedXsdRoot(dir: string): void {
  uploadedRoot = resolve(dir);
}

export const UPLOADED_PREFIX = 'uploaded/';

export function loadXsd(configXsdDir: string, file: string): Xsd {
  const key = `${configXsdDir}\n${file}`;
  const known = byArguments.get(key);
  if (known) return known;
  // An uploaded XSD resolves in the materialised folder (its checks, below, then keep it inside that folder).
  const xsdDir = file.startsWith(UPLOADED_PREFIX) && uploadedRoot ? uploadedRoot : configXsdDir;
  const path = resolve(xsdDir, file);
  const hit = cache.get(path);
  if (hit) {
    byArguments.set(key, hit);
    return hit;
  }
  const root = resolve(xsdDir);
  if (!inside(root, path)) throw new UnsafeXmlError(`${file} is outside the XSD folder ${xsdFolderName(root)}`);
  if (!existsSync(path)) throw new XsdFileError(`there is no ${xsdDisplayPath(root, path)}`);
  const found = { idref: false };
  checkReferences(root, path, new Set(), found);
  const doc = libxmljs.parseXml(readFileSync(path, 'utf8'), { ...PARSE_OPTIONS, baseUrl: path });
  const xsd = { file: path, doc, usesIdref: found.idref };
  cache.set(path, xsd);
  byArguments.set(key, xsd);
  return xsd;
}

/** Forgets one compiled XSD (an uploaded file materialised again with other content). */
export function forgetXsd(path: string): void {
  const full = resolve(path);
  cache.delete(full);
  for (const [key, xsd] of byArguments) if (xsd.file === full) byArguments.delete(key);
}

export function clearXsdCache(): void {
  cache.clear();
  byArguments.clear();
}

/**
 * How problems name an XSD file: by the XSD folder's name and the path inside it ("xsd/common/types.xsd"), which is the
 * path relative to the config folder when the XSD folder sits in it (the default). Never the server's absolute path: these
 * messages reach admins through the API and people reading check-config's output.
 */
export function xsdDisplayPath(xsdDir: string, path: string): string {
  const inFolder = relative(xsdDir, path).split(sep).join('/');
  // Uploaded XSDs are named as services name them ("uploaded/<council>/<name>.xsd"), not by this process's folder.
  if (uploadedRoot && resolve(xsdDir) === uploadedRoot) return inFolder;
  return `${xsdFolderName(xsdDir)}${inFolder}`;
}

/** The XSD folder as problems name it: "xsd/". */
export function xsdFolderName(xsdDir: string): string {
  return `${basename(xsdDir)}/`;
}

/**
 * Walks include/import/redefine schemaLocations, refusing URLs, missing files and anything outside the XSD folder; notes
 * whether any of the files names IDREF (a type, or one derived from it).
 */
function checkReferences(root: string, path: string, seen: Set<string>, found: { idref: boolean }): void {
  if (seen.has(path)) return;
  seen.add(path);
  const shown = xsdDisplayPath(root, path);
  const text = readFileSync(path, 'utf8');
  if (/<!DOCTYPE/i.test(text)) throw new UnsafeXmlError(`${shown}: an XSD with a DOCTYPE is refused`);
  if (text.includes('IDREF')) found.idref = true;
  const doc = libxmljs.parseXml(text, PARSE_OPTIONS);
  const refs = doc.find('//xs:include | //xs:import | //xs:redefine', { xs: 'http://www.w3.org/2001/XMLSchema' });
  for (const ref of refs) {
    const location = (ref as unknown as { attr(n: string): { value(): string } | null }).attr('schemaLocation')?.value();
    if (!location) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(location))
      throw new UnsafeXmlError(`${shown}: schemaLocation "${location}" is a URL; only files in the XSD folder may be included`);
    const target = resolve(dirname(path), location);
    if (!inside(root, target)) throw new UnsafeXmlError(`${shown} includes "${location}", which is outside the XSD folder ${xsdFolderName(root)}`);
    if (!existsSync(target)) throw new XsdFileError(`${shown} includes "${location}": there is no ${xsdDisplayPath(root, target)}`);
    checkReferences(root, target, seen, found);
  }
}

function inside(root: string, path: string): boolean {
  return path.startsWith(root + sep);
}

/** Validates a document against a compiled schema. */
export function validateDocument(doc: Document, xsd: Xsd): Validation {
  const valid = doc.validate(xsd.doc);
  return { valid, errors: valid ? [] : doc.validationErrors.map(toXsdError) };
}

/** Validates XML text (line numbers refer to it). */
export function validateXml(xml: string, xsd: Xsd): Validation {
  // The same rule as parseXmlSafely: nothing with a DOCTYPE reaches libxml2 (XXE, entity bombs, GHSA-78h3-pg4x-j8cv).
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    return { valid: false, errors: [{ message: 'XML with a DOCTYPE or ENTITY declaration is refused', line: null, element: null }] };
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
