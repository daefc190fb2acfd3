// The XML mapping format admins write in a service's YAML (`xml.mapping`): the shape of the back office's XML and where
// each value comes from. Documented for admins in docs/xml-mapping.md.
import { z } from 'zod';

/** An element or attribute name, optionally prefixed: what a mapping may name (the staff console checks the same). */
export const XML_NAME = /^([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$/;
/** A namespace prefix. */
export const XML_PREFIX = /^[A-Za-z_][\w.-]*$/;

/** What `item` reads of a ticked checkbox ("value") or of a document. */
export const DOCUMENT_ITEM_KEYS = ['value', 'id', 'name', 'contentType', 'size', 'url', 'kind'] as const;

const xmlName = z.string().regex(XML_NAME, 'must be an XML element or attribute name (optionally prefix:name)');

export const formatSchema = z.union([
  z.enum(['date', 'datetime', 'upper', 'lower', 'integer', 'boolean']),
  z.strictObject({ decimals: z.number().int().min(0).max(10) }),
]);

/** Where a value comes from: exactly one of answer, process, constant or item. */
export const valueSchema = z
  .strictObject({
    /** An answer by question id, with an optional sub-path for addresses and locations: "source.postcode", "where.nearest.uprn". */
    answer: z
      .string()
      .regex(/^[A-Za-z][\w]*(\.[A-Za-z]\w*){0,2}$/)
      .optional(),
    process: z.enum(['reference', 'processId', 'submittedAt', 'serviceId', 'serviceVersion']).optional(),
    constant: z.union([z.string(), z.number()]).optional(),
    /** Inside `each`: the current item: "value" (a ticked checkbox), a document's id, name, contentType, size, url or kind,
     * or, repeating for an "add another" list, the id of one of the list's questions. */
    item: z
      .string()
      .regex(/^[A-Za-z]\w*$/, `must be ${DOCUMENT_ITEM_KEYS.join(', ')} or a question id of the list the element repeats for`)
      .max(100)
      .optional()
      .describe(`Inside each: value (a ticked checkbox), a document's ${DOCUMENT_ITEM_KEYS.slice(1).join(', ')}, or a question id of the list repeated for`),
    /** Value → code, e.g. { music: NS01 }. A value with no entry is an error unless `default` is given. */
    lookup: z.record(z.string(), z.string()).optional(),
    /** Used when the value is missing or has no lookup entry. */
    default: z.string().optional(),
    format: formatSchema.optional(),
    /** Lists (checkboxes) become one text joined by this separator. */
    join: z.string().optional(),
  })
  .refine((v) => [v.answer, v.process, v.constant, v.item].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of answer, process, constant or item',
  });

/** Repeat an element: once per item of an answer (a ticked checkbox, an "add another" list's item) or once per document. */
export const eachSchema = z
  .strictObject({
    answer: z
      .string()
      .regex(/^[A-Za-z]\w*$/)
      .optional(),
    /** evidence | all | form | a file question's id */
    documents: z.string().optional(),
  })
  .refine((e) => (e.answer === undefined) !== (e.documents === undefined), { message: 'give exactly one of answer or documents' });

export interface ElementSpec {
  element: string;
  value?: z.infer<typeof valueSchema>;
  attributes?: Record<string, z.infer<typeof valueSchema> | string>;
  children?: ElementSpec[];
  each?: z.infer<typeof eachSchema>;
  /** Fail the delivery (instead of omitting the element) when the value is empty. */
  required?: boolean;
}

export const elementSchema: z.ZodType<ElementSpec> = z.lazy(() =>
  z
    .strictObject({
      element: xmlName,
      value: valueSchema.optional(),
      attributes: z.record(xmlName, z.union([valueSchema, z.string()])).optional(),
      children: z.array(elementSchema).optional(),
      each: eachSchema.optional(),
      required: z.boolean().optional(),
    })
    .refine((e) => !(e.value && e.children), { message: 'an element has either a value or children, not both' }),
);

export const xmlMappingSchema = z.strictObject({
  root: xmlName,
  /** Default namespace of every element. */
  namespace: z.string().optional(),
  /** Extra prefixes, e.g. { gml: "http://www.opengis.net/gml/3.2" }, for element names like "gml:Point". */
  namespaces: z.record(z.string().regex(XML_PREFIX), z.string()).optional(),
  attributes: z.record(xmlName, z.union([valueSchema, z.string()])).optional(),
  children: z.array(elementSchema).min(1),
});

export type XmlMapping = z.infer<typeof xmlMappingSchema>;
export type ValueSpec = z.infer<typeof valueSchema>;
