// Published services: what a citizen can submit and what each question expects.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { serviceDefinitionSchema } from '../../services/index.ts';
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
      tags: ['Services'],
      auth: 'public',
      responses: { 200: { description: 'Published services', schema: z.object({ services: z.array(serviceSummary) }) } },
      async handler(ctx) {
        ctx.body = {
          services: hub.catalogue.list().map((s) => ({
            id: s.serviceId,
            title: s.definition.title,
            ...(s.definition.description ? { description: s.definition.description } : {}),
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
