// The XML a process sends to back offices: built from its service version's mapping and validated against the XSD.
// (record.ts keeps it as the process's `xml` document with the attempt, so auditors see exactly what was sent.)
import { PermanentError } from '../plugins/index.ts';
import { compileMapping, renderXmlTogether, type CompiledMapping } from '../xml/index.ts';
import type { ServiceVersion } from '../services/index.ts';

export interface XmlInput {
  process: { id: string; reference: string; serviceId: string; serviceVersion: number; submittedAt: string };
  answers: Record<string, unknown>;
  documents: { id: string; kind: string; name: string; contentType: string; size: number; url: string }[];
}

/** By the definition's XML settings object: a service version's definition is one object for as long as the catalogue holds it,
 * and an id and version name different mappings in different hubs' databases (a test process opens many). */
const compiled = new WeakMap<object, CompiledMapping>();

/**
 * Builds and validates (together with the other deliveries' documents of this turn); throws PermanentError with the XSD
 * messages when the XML is not valid (a retry cannot fix it).
 */
export async function processXml(service: ServiceVersion, xsdDir: string, input: XmlInput): Promise<string> {
  const xmlConfig = service.definition.xml;
  if (!xmlConfig) throw new PermanentError(`Service "${service.serviceId}" has no XML mapping`);
  let mapping = compiled.get(xmlConfig);
  if (!mapping) {
    mapping = compileMapping(xmlConfig.mapping);
    compiled.set(xmlConfig, mapping);
  }
  let result;
  try {
    result = await renderXmlTogether(mapping, xsdDir, xmlConfig.xsd, input);
  } catch (err) {
    throw new PermanentError(`The XML mapping failed: ${(err as Error).message}`, { cause: err });
  }
  if (!result.valid) {
    const messages = result.errors.map((e) => `line ${e.line ?? '?'}${e.element ? ` <${e.element}>` : ''}: ${e.message}`);
    throw new PermanentError(`The XML does not match ${xmlConfig.xsd}: ${messages.join('; ')}`, { responseExcerpt: result.xml.slice(0, 2000) });
  }
  return result.xml;
}
