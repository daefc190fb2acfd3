// Admins try a service's XML mapping with sample answers: the XML it yields and every XSD error (message, line, element).
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { compileMapping, loadXsd, mappingQuestions, renderXml, UnsafeXmlError, XmlMappingError, XsdFileError } from '../../xml/index.ts';
import { sampleAnswers, sampleDocuments } from '../../services/sample-answers.ts';
import { serviceDefinitionSchema, type ServiceDefinition, type ServiceVersion } from '../../services/index.ts';
import { publishProblems } from '../../designer/publish-problems.ts';
import { insertAuditEvent } from '../../governance/audit-repo.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';

const versionSummary = z.object({
  version: z.number().int(),
  state: z.enum(['draft', 'published', 'retired']),
  source: z.string(),
  createdAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
});

const previewResult = z.object({
  xml: z.string().nullable(),
  valid: z.boolean(),
  errors: z.array(z.object({ message: z.string(), line: z.number().int().nullable(), element: z.string().nullable() })),
  answersUsed: z.record(z.string(), z.unknown()),
});

export function adminServiceRoutes(hub: Hub) {
  /** A council's admin key manages only its council's services; another council's service looks like no service. */
  const inScope = (ctx: Parameters<typeof clientOf>[0], def: ServiceDefinition) => {
    const { council } = clientOf(ctx);
    if (council !== null && (def.council ?? hub.councils.defaultId) !== council) throw new NotFoundError('There is no such service');
  };
  const latestDefinition = async (serviceId: string): Promise<ServiceDefinition | null> => {
    if (hub.catalogue.has(serviceId)) return hub.catalogue.get(serviceId).definition;
    const [latest] = await hub.catalogue.versionsOf(serviceId);
    return latest ? (await hub.catalogue.getVersion(serviceId, latest.version)).definition : null;
  };
  const audit = (actor: string, action: string, target: string) => insertAuditEvent(hub.db, { actor, action, target });
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/services/{serviceId}/versions',
      operationId: 'createServiceDraft',
      summary: 'Save a new draft version of a service (a new service if the id is new)',
      description: 'The body is a service definition (see /schemas/service.json). It is checked like config files are; it takes effect only when published.',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ serviceId: z.string() }),
      body: serviceDefinitionSchema,
      bodyExample: {
        id: 'bonfire-complaint',
        title: 'Report a bonfire',
        referencePrefix: 'BON',
        fields: [{ id: 'where', type: 'address', label: 'Where is the bonfire?' }],
        tasks: [{ key: 'triage', title: 'Triage' }],
      },
      responses: {
        201: {
          description: 'Draft saved',
          schema: z.object({
            serviceId: z.string(),
            version: z.number().int(),
            state: z.literal('draft'),
            problems: z.array(z.object({ field: z.string(), message: z.string() })),
          }),
        },
      },
      async handler(ctx, { params, body }) {
        if (body.id !== params.serviceId)
          throw new ValidationError('The definition is for another service', [{ field: 'id', message: `must be "${params.serviceId}"` }]);
        const { council } = clientOf(ctx);
        // A council's admin writes services of its own council: the definition's council defaults to the key's.
        if (council !== null) {
          if (body.council && body.council !== council)
            throw new ValidationError('The definition is for another council', [{ field: 'council', message: `must be "${council}" (this key's council)` }]);
          body.council = council;
        }
        const existing = await latestDefinition(body.id);
        if (existing) inScope(ctx, existing);
        const { version } = await hub.catalogue.createDraft(body);
        await audit(`api-client:${clientOf(ctx).name}`, 'service.draft-saved', `${body.id}@${version}`);
        ctx.status = 201;
        ctx.set('Location', `/api/v1/admin/services/${body.id}/versions/${version}`);
        // Problems do not stop a draft (it can be fixed), but they stop publishing.
        ctx.body = { serviceId: body.id, version, state: 'draft', problems: publishProblems(hub.config, hub.catalogue, body) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/services/{serviceId}/versions',
      operationId: 'listServiceVersions',
      summary: "A service's versions (drafts, the published one, retired ones)",
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ serviceId: z.string() }),
      responses: { 200: { description: 'Newest first', schema: z.object({ versions: z.array(versionSummary) }) } },
      async handler(ctx, { params }) {
        const versions = await hub.catalogue.versionsOf(params.serviceId);
        if (!versions.length) throw new ValidationError('Unknown service', [{ field: 'serviceId', message: 'no such service' }]);
        inScope(ctx, (await latestDefinition(params.serviceId))!);
        ctx.body = { versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString(), publishedAt: v.publishedAt?.toISOString() ?? null })) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/services/{serviceId}/versions/{version}/publish',
      operationId: 'publishServiceVersion',
      summary: 'Publish a version: checks the definition, its XML mapping and XSD together, then every API process uses it',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ serviceId: z.string(), version: z.coerce.number().int().positive() }),
      responses: { 200: { description: 'Published', schema: z.object({ serviceId: z.string(), version: z.number().int(), state: z.literal('published') }) } },
      async handler(ctx, { params }) {
        const sv: ServiceVersion = await hub.catalogue.getVersion(params.serviceId, params.version);
        inScope(ctx, sv.definition);
        const problems = publishProblems(hub.config, hub.catalogue, sv.definition);
        if (problems.length) throw new ValidationError('This version cannot be published', problems);
        await hub.catalogue.publish(params.serviceId, params.version);
        await audit(`api-client:${clientOf(ctx).name}`, 'service.published', `${params.serviceId}@${params.version}`);
        ctx.body = { serviceId: params.serviceId, version: params.version, state: 'published' };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/services/{serviceId}/xml-preview',
      operationId: 'previewXml',
      summary: "Build a service's XML from sample answers and validate it against the service's XSD",
      description: 'Answers not given are filled with generated samples. Nothing is stored. `?version=` previews a draft.',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ serviceId: z.string() }),
      query: z.strictObject({ version: z.coerce.number().int().positive().optional() }),
      body: z.strictObject({ answers: z.record(z.string(), z.unknown()).default({}) }),
      bodyExample: { answers: { noiseType: 'music', startedOn: '2026-10-12' } },
      responses: { 200: { description: 'The XML and its XSD errors (valid: false when there are any)', schema: previewResult } },
      async handler(ctx, { params, query, body }) {
        const { definition: def, version } = query.version
          ? await hub.catalogue.getVersion(params.serviceId, query.version)
          : hub.catalogue.get(params.serviceId);
        inScope(ctx, def);
        if (!def.xml) throw new ValidationError('This service has no XML mapping', [{ field: 'serviceId', message: 'no xml section' }]);
        const answers = { ...sampleAnswers(def), ...body.answers };
        // A draft may name an XSD that cannot be used (outside the XSD folder, missing, not XML): the draft's problem, not ours.
        try {
          loadXsd(hub.config.paths.xsd, def.xml.xsd);
        } catch (err) {
          // These messages name files inside the XSD folder only (never the server's path): safe to show.
          const message = err instanceof UnsafeXmlError || err instanceof XsdFileError ? err.message : `${def.xml.xsd} cannot be read as an XSD`;
          throw new ValidationError("The version's XSD cannot be used", [{ field: 'xml.xsd', message }]);
        }
        try {
          const result = renderXml(compileMapping(def.xml.mapping, mappingQuestions(def.fields)), hub.config.paths.xsd, def.xml.xsd, {
            process: {
              id: '00000000-0000-4000-8000-000000000000',
              reference: `${def.referencePrefix}-SAMPLE23`,
              serviceId: def.id,
              serviceVersion: version,
              submittedAt: new Date().toISOString(),
            },
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
