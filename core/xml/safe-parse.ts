// The only way XML from outside is parsed: no DOCTYPE at all (so no external entities, no DTD loading, no entity
// expansion bombs), no network, bounded size. libxml2 options noent/huge/dtdload/dtdvalid are never used.
import libxmljs, { type Document, type Element } from 'libxmljs2';

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
