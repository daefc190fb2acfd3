// What an XSD uploaded in the staff console must be before it is stored: small, UTF-8 text, no DOCTYPE or entity
// declarations (so no XXE and no entity-expansion bombs reach libxml2), well-formed XML whose root is xs:schema, naming
// no other file (no URL, nothing outside: an uploaded XSD stands alone), declaring at least one element, and compiling.
// Each refusal is a sentence an admin can act on.
import libxmljs from 'libxmljs2';
import { parseXmlSafely, UnsafeXmlError, XmlSyntaxError } from '@closeloop/sdk/xml';
import { XS_NAMESPACE } from './xsd-source.ts';

export const XSD_UPLOAD_LIMIT = 1024 * 1024;

export type XsdUploadCheck = { ok: true; text: string } | { ok: false; message: string };

export function checkUploadedXsd(bytes: Buffer): XsdUploadCheck {
  const refuse = (message: string): XsdUploadCheck => ({ ok: false, message });
  if (bytes.length === 0) return refuse('The selected file is empty');
  if (bytes.length > XSD_UPLOAD_LIMIT) return refuse('The selected file must be smaller than 1 MB');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse('The selected file must be text in UTF-8: it is not an XSD');
  }
  if (/<!DOCTYPE/i.test(text)) return refuse('The XSD must not contain a DOCTYPE: remove it and upload the file again');
  if (/<!ENTITY/i.test(text)) return refuse('The XSD must not declare entities: remove them and upload the file again');
  let doc;
  try {
    doc = parseXmlSafely(text, XSD_UPLOAD_LIMIT);
  } catch (err) {
    if (err instanceof XmlSyntaxError) return refuse(`The selected file is not XML${err.line ? ` (line ${err.line} cannot be read)` : ''}: it is not an XSD`);
    if (err instanceof UnsafeXmlError) return refuse('The XSD must not contain a DOCTYPE: remove it and upload the file again');
    throw err;
  }
  const root = doc.root();
  if (!root || root.name() !== 'schema' || root.namespace()?.href() !== XS_NAMESPACE)
    return refuse('The selected file is not an XSD: its first element must be xs:schema');
  const refs = doc.find('//xs:include | //xs:import | //xs:redefine | //xs:override', { xs: XS_NAMESPACE });
  for (const ref of refs) {
    const location = (ref as unknown as { attr(n: string): { value(): string } | null }).attr('schemaLocation')?.value();
    if (location === undefined) continue;
    const what = /^[a-z][a-z0-9+.-]*:/i.test(location) ? 'a web address' : 'another file';
    return refuse(`The XSD must not include or import ${what} (“${location.slice(0, 100)}”): upload one XSD that contains all its types`);
  }
  if (!doc.find('/xs:schema/xs:element', { xs: XS_NAMESPACE }).length)
    return refuse('The XSD declares no elements: it must declare the root element of the XML');
  try {
    libxmljs.parseXml('<probe/>').validate(doc);
  } catch {
    return refuse('The XSD has a mistake that stops it being used (a type or element it names is not defined, or it breaks another XSD rule)');
  }
  return { ok: true, text };
}
