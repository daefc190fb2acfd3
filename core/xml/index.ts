// Every XML operation in the project goes through here, so the libxml2 binding can be replaced in one place.
export { xmlMappingSchema, type XmlMapping, type ElementSpec, type ValueSpec } from './mapping-schema.ts';
export { compileMapping, buildXml, buildXmlDocument, buildXmlString, escapeXml, XmlMappingError, type CompiledMapping, type XmlBuildInput } from './build.ts';
export { loadXsd, clearXsdCache, validateXml, validateDocument, xsdDisplayPath, xsdFolderName, XsdFileError, type Xsd, type XsdError } from './xsd.ts';
export { parseXmlSafely, selectText, selectAll, UnsafeXmlError, XmlSyntaxError } from '@closeloop/sdk/xml';
export { renderXml, type RenderedXml } from './render.ts';
export { prettyXml } from './pretty.ts';
