// The XML a process sends to back offices: built from its service version's mapping and validated against the XSD.
// (record.ts keeps it as the process's `xml` document with the attempt, so auditors see exactly what was sent.)
import { PermanentError } from '../plugins/index.ts';
import { compileMapping, renderXml, type CompiledMapping } from '../xml/index.ts';
import type { ServiceVersion } from '../services/index.ts';

export interface XmlInput {
  process: { id: string; reference: string; serviceId: string; serviceVersion: number; submittedAt: string };
  answers: Record<string, unknown>;
  documents: { id: string; kind: string; name: string; contentType: string; size: number; url: string }[];
}

const compiled = new Map<string, CompiledMapping>();

/** Builds and validates; throws PermanentError with the XSD messages when the XML is not valid (a retry cannot fix it). */
export function processXml(service: ServiceVersion, xsdDir: string, input: XmlInput): string {
  const xmlConfig = service.definition.xml;
  if (!xmlConfig) throw new PermanentError(`Service "${service.serviceId}" has no XML mapping`);
  const key = `${service.serviceId}@${service.version}`;
  let mapping = compiled.get(key);
  if (!mapping) {
    mapping = compileMapping(xmlConfig.mapping);
    compiled.set(key, mapping);
  }
  let result;
  try {
    result = renderXml(mapping, xsdDir, xmlConfig.xsd, input);
  } catch (err) {
    throw new PermanentError(`The XML mapping failed: ${(err as Error).message}`, { cause: err });
  }
  if (!result.valid) {
    const messages = result.errors.map((e) => `line ${e.line ?? '?'}${e.element ? ` <${e.element}>` : ''}: ${e.message}`);
    throw new PermanentError(`The XML does not match ${xmlConfig.xsd}: ${messages.join('; ')}`, { responseExcerpt: result.xml.slice(0, 2000) });
  }
  return result.xml;
}
