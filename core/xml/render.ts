// Build + validate in one call, as the delivery worker and the admin preview use it.
import libxmljs from 'libxmljs2';
import { buildXmlString, type CompiledMapping, type XmlBuildInput } from './build.ts';
import { PARSE_OPTIONS } from '@closeloop/sdk/xml';
import { loadXsd, validateDocument, type XsdError } from './xsd.ts';

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
