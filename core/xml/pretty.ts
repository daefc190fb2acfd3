// XML laid out for people to read (the staff console's "XML sent"): one element a line, indented. What was sent is not
// changed by this; the text shown is.
import libxmljs from 'libxmljs2';
import { PARSE_OPTIONS } from '@closeloop/sdk/xml';

/** The document indented; the text as it is when it is not well-formed or carries a DOCTYPE (never parsed then). */
export function prettyXml(xml: string): string {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) return xml;
  try {
    return libxmljs
      .parseXml(xml, { ...PARSE_OPTIONS, noblanks: true })
      .toString(true)
      .trimEnd();
  } catch {
    return xml;
  }
}
