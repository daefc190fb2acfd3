// Published services: what a citizen can submit and what each question expects.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { categoryIds, categoryLabel, groupByCategory, serviceDefinitionSchema } from '../../services/index.ts';
import { defineRoute } from '../route.ts';
import { serviceSummary } from '../schemas.ts';

import { jsonSchema } from '../openapi.ts';

/** The service definition format as JSON Schema, for editors validating YAML as it is written. */
export function serviceDefinitionJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: '/schemas/service.json',
    title: 'Closeloop service definition',
    ...jsonSchema(serviceDefinitionSchema, 'input'),
  };
}

/** What GET /api/v1/services/{serviceId} shows of a definition: everything but its bindings and XML mapping. */
const { bindings: _bindings, xml: _xml, ...publicShape } = serviceDefinitionSchema.shape;
const publicDefinition = z.object(publicShape);

export function serviceRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/services',
      operationId: 'listServices',
      summary: 'List published services',
      description: 'In catalogue order: by category (the order of the categories below), A–Z by title within each, then the services without a category.',
      tags: ['Services'],
      auth: 'public',
      query: z.strictObject({
        category: z
          .enum(categoryIds(), { error: `is not a category: use one of ${categoryIds().join(', ')}` })
          .optional()
          .describe('Only the services of this category'),
      }),
      responses: { 200: { description: 'Published services', schema: z.object({ services: z.array(serviceSummary) }) } },
      async handler(ctx, { query }) {
        const listed = hub.catalogue.list().filter((s) => query.category === undefined || s.definition.category === query.category);
        const groups = groupByCategory(
          listed,
          (s) => s.definition.category,
          (s) => s.definition.title,
        );
        ctx.body = {
          services: groups
            .flatMap((g) => g.services)
            .map((s) => ({
              id: s.serviceId,
              title: s.definition.title,
              ...(s.definition.description ? { description: s.definition.description } : {}),
              ...(s.definition.category ? { category: s.definition.category, categoryLabel: categoryLabel(s.definition.category) } : {}),
              version: s.version,
              url: `/api/v1/services/${s.serviceId}`,
            })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/services/{serviceId}',
      operationId: 'getService',
      summary: "A published service's definition: its questions, tasks and contact fields",
      tags: ['Services'],
      auth: 'public',
      params: z.object({ serviceId: z.string() }),
      responses: { 200: { description: 'The definition and its version', schema: z.object({ version: z.number().int(), definition: publicDefinition }) } },
      async handler(ctx, { params }) {
        const sv = hub.catalogue.get(params.serviceId);
        // Which back offices receive it is operational detail, not for the public.
        const { bindings: _bindings, xml: _xml, ...definition } = sv.definition;
        ctx.body = { version: sv.version, definition };
      },
    }),
  ];
}
