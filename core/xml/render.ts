// Build + validate in one call: at once for the previews and checks, together with the turn's other documents for the
// delivery worker (validate-together.ts).
import libxmljs from 'libxmljs2';
import { buildXmlString, type CompiledMapping, type XmlBuildInput } from './build.ts';
import { PARSE_OPTIONS } from '@closeloop/sdk/xml';
import { loadXsd, validateDocument, type XsdError } from './xsd.ts';
import { validateTogether } from './validate-together.ts';

export interface RenderedXml {
  xml: string;
  valid: boolean;
  errors: XsdError[];
}

export function renderXml(mapping: CompiledMapping, xsdDir: string, xsdFile: string, input: XmlBuildInput): RenderedXml {
  const xsd = loadXsd(xsdDir, xsdFile);
  const xml = buildXmlString(mapping, input);
  // Validating the parsed text checks exactly what will be sent, with line numbers people can read.
  const checked = validateDocument(libxmljs.parseXml(xml, PARSE_OPTIONS), xsd);
  return { xml, valid: checked.valid, errors: checked.errors };
}

/** As renderXml, validated together with the other documents built for the same schema in this turn of the event loop. */
export async function renderXmlTogether(mapping: CompiledMapping, xsdDir: string, xsdFile: string, input: XmlBuildInput): Promise<RenderedXml> {
  const xsd = loadXsd(xsdDir, xsdFile);
  const xml = buildXmlString(mapping, input);
  const checked = await validateTogether(xml, xsd);
  return { xml, valid: checked.valid, errors: checked.errors };
}
