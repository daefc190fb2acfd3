// The XML a process sends to back offices: built from its service version's mapping, validated against the XSD, kept
// as a document (once per process) so the back office and auditors can see exactly what was sent.
import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
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

/** Keeps the XML (inline: it is small) as the process's `xml` document if it has none yet. */
export async function keepXmlDocument(sequelize: Sequelize, processId: string, reference: string, xml: string): Promise<void> {
  const bytes = Buffer.from(xml);
  await sequelize.query(
    `insert into documents (id, process_id, kind, name, content_type, size, sha256, content)
     values ($1, $2, 'xml', $3, 'application/xml', $4, $5, $6)
     on conflict (process_id) where kind = 'xml' do nothing`,
    { bind: [randomUUID(), processId, `${reference}.xml`, bytes.length, createHash('sha256').update(bytes).digest('hex'), bytes], type: QueryTypes.INSERT },
  );
}
