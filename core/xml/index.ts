// Every XML operation in the project goes through here, so the libxml2 binding can be replaced in one place.
export {
  xmlMappingSchema,
  valueSchema,
  DOCUMENT_ITEM_KEYS,
  XML_NAME,
  XML_PREFIX,
  type XmlMapping,
  type ElementSpec,
  type ValueSpec,
} from './mapping-schema.ts';
export { compileMapping, buildXml, buildXmlDocument, buildXmlString, escapeXml, XmlMappingError, type CompiledMapping, type XmlBuildInput } from './build.ts';
export { answerProblems, mappingQuestions, type MappingQuestion, type MappingProblem } from './mapping-answers.ts';
export {
  loadXsd,
  clearXsdCache,
  validateXml,
  validateDocument,
  xsdDisplayPath,
  xsdFolderName,
  XsdFileError,
  type Xsd,
  type XsdError,
  type Validation,
} from './xsd.ts';
export { parseXmlSafely, selectText, selectAll, UnsafeXmlError, XmlSyntaxError } from '@closeloop/sdk/xml';
export { readSchemaFiles, XS_NAMESPACE, type SchemaFile, type SchemaNode } from './xsd-source.ts';
export { checkUploadedXsd, XSD_UPLOAD_LIMIT, type XsdUploadCheck } from './xsd-upload-check.ts';
export {
  materialiseXsd,
  ensureUploadedXsd,
  uploadedXsdExists,
  syncUploadedXsds,
  syncUploadedXsd,
  uploadedXsdPath,
  parseUploadedXsdPath,
  uploadedXsdRoot,
  sha256,
} from './uploaded-xsds.ts';
export { insertUploadedXsd, listUploadedXsds, findUploadedXsd, XSD_UPLOADS_CHANNEL, type UploadedXsdRow } from './uploaded-xsds-repo.ts';
export { renderXml, renderXmlTogether, type RenderedXml } from './render.ts';
export { validateTogether, togetherStats } from './validate-together.ts';
export { prettyXml } from './pretty.ts';
