// Admins try a service's XML mapping with sample answers: the XML it yields and every XSD error (message, line, element).
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { ValidationError } from '../../errors.ts';
import { compileMapping, renderXml, XmlMappingError } from '../../xml/index.ts';
import { sampleAnswers, sampleDocuments } from '../../services/sample-answers.ts';
import { defineRoute } from '../route.ts';

const previewResult = z.object({
  xml: z.string().nullable(),
  valid: z.boolean(),
  errors: z.array(z.object({ message: z.string(), line: z.number().int().nullable(), element: z.string().nullable() })),
  answersUsed: z.record(z.string(), z.unknown()),
});

export function adminServiceRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/services/{serviceId}/xml-preview',
      operationId: 'previewXml',
      summary: "Build a service's XML from sample answers and validate it against the service's XSD",
      description: 'Answers not given are filled with generated samples. Nothing is stored.',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ serviceId: z.string() }),
      body: z.strictObject({ answers: z.record(z.string(), z.unknown()).default({}) }),
      bodyExample: { answers: { noiseType: 'music', startedOn: '2026-10-12' } },
      responses: { 200: { description: 'The XML and its XSD errors (valid: false when there are any)', schema: previewResult } },
      async handler(ctx, { params, body }) {
        const { definition: def, version } = hub.catalogue.get(params.serviceId);
        if (!def.xml) throw new ValidationError('This service has no XML mapping', [{ field: 'serviceId', message: 'no xml section' }]);
        const answers = { ...sampleAnswers(def), ...body.answers };
        try {
          const result = renderXml(compileMapping(def.xml.mapping), hub.config.paths.xsd, def.xml.xsd, {
            process: { id: '00000000-0000-4000-8000-000000000000', reference: `${def.referencePrefix}-PREVIEW2`, serviceId: def.id, serviceVersion: version, submittedAt: new Date().toISOString() },
            answers,
            documents: sampleDocuments(def),
          });
          ctx.body = { xml: result.xml, valid: result.valid, errors: result.errors, answersUsed: answers };
        } catch (err) {
          if (!(err instanceof XmlMappingError)) throw err;
          ctx.body = { xml: null, valid: false, errors: [{ message: err.message, line: null, element: null }], answersUsed: answers };
        }
      },
    }),
  ];
}
