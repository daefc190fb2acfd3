// Validates the documents that reach it in one turn of the event loop against their schema in one libxml2 call.
//
// Why: libxmljs2 has no compiled-schema object. Every Document.validate(xsd) parses and compiles the schema again
// (xmlSchemaParse), then throws it away. For the example services' documents (2.4 KB) that compiling is about three
// quarters of a validation: 246 µs a document alone, 77 µs each in eights, 56 µs each in 32s (parse included). The delivery
// worker claims deliveries in batches, so their documents arrive together; they are wrapped in one element whose schema
// imports the service's, and validated at once. If the batch is not valid, each document is validated alone, so the
// errors and their line numbers are exactly those of the document on its own.
//
// Equivalence: each wrapped document's root must be a global element of the service's namespace, as a document's root
// must be on its own, and its content is checked by the same declarations. What could differ is what XSD scopes to the
// whole document: ID values must be unique in it (a batch can only fail on that, and then each is checked alone), and an
// IDREF must name an ID in it. libxml2 does not check the latter today; a schema that names IDREF is still never validated
// together, so a libxml2 that did could not pass one document on another's ID.
import { basename, dirname, join } from 'node:path';
import libxmljs, { type Document } from 'libxmljs2';
import { escapeXml, PARSE_OPTIONS } from '@closeloop/sdk/xml';
import { validateDocument, type Validation, type Xsd } from './xsd.ts';

interface Waiting {
  xml: string;
  resolve: (v: Validation) => void;
  reject: (err: unknown) => void;
}

/** The wrapper namespace: no service document's root can be in it. */
const WRAPPER_NS = 'urn:closeloop:validate-together';
const XML_DECLARATION = /^\s*<\?xml[^>]*\?>/;

const wrappers = new WeakMap<Xsd, Document | null>();
let waiting = new Map<Xsd, Waiting[]>();
let flushQueued = false;

/** Documents validated, and validations tried for them: one a batch, one each document alone (tests, profiling). */
export const togetherStats = { validations: 0, documents: 0 };

/** Validates XML text against a compiled schema, together with other documents for the same schema in this turn. */
export function validateTogether(xml: string, xsd: Xsd): Promise<Validation> {
  return new Promise((resolve, reject) => {
    const list = waiting.get(xsd);
    if (list) list.push({ xml, resolve, reject });
    else waiting.set(xsd, [{ xml, resolve, reject }]);
    if (!flushQueued) {
      flushQueued = true;
      // setImmediate runs once the current I/O callbacks and their promise continuations are done: every document of
      // a claim batch has been built by then.
      setImmediate(flush);
    }
  });
}

function flush(): void {
  const batches = waiting;
  waiting = new Map();
  flushQueued = false;
  for (const [xsd, list] of batches) validateBatch(xsd, list);
}

function validateBatch(xsd: Xsd, list: Waiting[]): void {
  const wrapper = list.length > 1 ? wrapperOf(xsd) : null;
  if (wrapper) {
    let ok: boolean;
    try {
      const body = list.map((w) => w.xml.replace(XML_DECLARATION, '')).join('');
      const doc = libxmljs.parseXml(`<v:together xmlns:v="${WRAPPER_NS}">${body}</v:together>`, PARSE_OPTIONS);
      // One element for each document: texts that were not each one document (an unclosed root and a stray end tag)
      // could make fewer, well-formed together.
      const roots = doc
        .root()!
        .childNodes()
        .filter((n) => n.type() === 'element').length;
      togetherStats.validations++;
      togetherStats.documents += list.length;
      ok = roots === list.length && doc.validate(wrapper);
    } catch {
      ok = false; // not well-formed together means one is not alone: each is parsed and reported on its own below
    }
    if (ok) {
      for (const w of list) w.resolve({ valid: true, errors: [] });
      return;
    }
  }
  for (const w of list) {
    try {
      const doc = libxmljs.parseXml(w.xml, PARSE_OPTIONS);
      togetherStats.validations++;
      togetherStats.documents++;
      w.resolve(validateDocument(doc, xsd));
    } catch (err) {
      w.reject(err);
    }
  }
}

/** The wrapper schema for a service schema, or null when its documents are validated one by one. */
function wrapperOf(xsd: Xsd): Document | null {
  let wrapper = wrappers.get(xsd);
  if (wrapper !== undefined) return wrapper;
  wrapper = xsd.usesIdref ? null : buildWrapper(xsd);
  wrappers.set(xsd, wrapper);
  return wrapper;
}

function buildWrapper(xsd: Xsd): Document | null {
  try {
    const ns = xsd.doc.root()?.attr('targetNamespace')?.value() ?? null;
    const imported = ns === null ? '' : ` namespace="${escapeXml(ns)}"`;
    const text =
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${WRAPPER_NS}" elementFormDefault="qualified">` +
      `<xs:import${imported} schemaLocation="${escapeXml(basename(xsd.file))}"/>` +
      `<xs:element name="together"><xs:complexType><xs:sequence>` +
      `<xs:any namespace="${ns === null ? '##local' : escapeXml(ns)}" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>` +
      `</xs:sequence></xs:complexType></xs:element></xs:schema>`;
    // Its address is beside the service's schema (a file that is never there), so the import resolves to that file.
    const wrapper = libxmljs.parseXml(text, { ...PARSE_OPTIONS, baseUrl: join(dirname(xsd.file), '.closeloop-together.xsd') });
    // A schema the wrapper cannot import (libxml2 refuses it) is validated one document at a time, as before.
    libxmljs.parseXml(`<v:together xmlns:v="${WRAPPER_NS}"/>`, PARSE_OPTIONS).validate(wrapper);
    return wrapper;
  } catch {
    return null;
  }
}
