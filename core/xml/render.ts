// Build + validate in one call, as the delivery worker and the admin preview use it.
import { buildXmlDocument, type CompiledMapping, type XmlBuildInput } from './build.ts';
import { loadXsd, validateDocument, validateXml, type XsdError } from './xsd.ts';

export interface RenderedXml {
  xml: string;
  valid: boolean;
  errors: XsdError[];
}

export function renderXml(mapping: CompiledMapping, xsdDir: string, xsdFile: string, input: XmlBuildInput): RenderedXml {
  const xsd = loadXsd(xsdDir, xsdFile);
  const doc = buildXmlDocument(mapping, input);
  const xml = doc.toString(true);
  const checked = validateDocument(doc, xsd);
  if (checked.valid) return { xml, valid: true, errors: [] };
  // Validate the text again only on failure, so the messages carry line numbers of the XML people will read.
  return { xml, valid: false, errors: validateXml(xml, xsd).errors };
}
