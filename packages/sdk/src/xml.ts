// @closeloop/sdk/xml: the only way XML from outside is parsed, in the hub and in connectors. No DOCTYPE at all (so no
// external entities, no DTD loading, no entity expansion bombs), no network, bounded size; libxml2 options
// noent/huge/dtdload/dtdvalid are never used. libxmljs2 stays behind these functions (the hub's core/xml uses them
// too), so a maintained binding can replace it in one place. It is an optional peer dependency: the hub has it; a
// connector installed outside the hub's folder that imports this entry point installs it too.
import libxmljs, { type Document, type Element } from 'libxmljs2';

export type { Document as XmlDocument, Element as XmlElement } from 'libxmljs2';

export class UnsafeXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeXmlError';
  }
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

export const PARSE_OPTIONS = { nonet: true, noent: false, dtdload: false, dtdvalid: false, huge: false, noblanks: false } as const;

export function parseXmlSafely(input: string | Buffer, maxBytes = 5 * 1024 * 1024): Document {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (Buffer.byteLength(text) > maxBytes) throw new UnsafeXmlError(`XML larger than ${maxBytes} bytes`);
  // A DOCTYPE is how every XXE and entity-expansion attack starts; no document we accept needs one.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new UnsafeXmlError('XML with a DOCTYPE or ENTITY declaration is refused');
  try {
    return libxmljs.parseXml(text, PARSE_OPTIONS);
  } catch (err) {
    const e = err as { message?: string; line?: number | null };
    throw new XmlSyntaxError(`XML is not well-formed: ${(e.message ?? String(err)).trim()}`, e.line ?? null);
  }
}

/** Text of the first node an XPath selects, or null. */
export function selectText(doc: Document, xpath: string, namespaces?: Record<string, string>): string | null {
  const node = namespaces ? doc.get(xpath, namespaces) : doc.get(xpath);
  if (!node) return null;
  const n = node as unknown as { text?: () => string; value?: () => string };
  return (n.value?.() ?? n.text?.() ?? null)?.trim() ?? null;
}

export function selectAll(doc: Document, xpath: string, namespaces?: Record<string, string>): Element[] {
  return (namespaces ? doc.find(xpath, namespaces) : doc.find(xpath)) as Element[];
}

/** C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF: characters XML 1.0 cannot carry. */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text with the characters XML 1.0 cannot carry replaced by U+FFFD. */
export function cleanXmlText(text: string): string {
  return text.replace(INVALID_XML_CHARS, '\ufffd');
}

/** XML text escaping: the one place values become markup-safe (or, with `attribute`, a double-quoted attribute value). */
export function escapeXml(text: string, attribute = false): string {
  let out = cleanXmlText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attribute) out = out.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
  return out;
}
