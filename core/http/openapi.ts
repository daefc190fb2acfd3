// Builds the OpenAPI 3.1 document from the route declarations (zod → JSON Schema 2020-12, which OpenAPI 3.1 uses).
import { z, type ZodType } from 'zod';
import type { RouteDef } from './route.ts';
import { PROBLEM_TYPE } from './problem.ts';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    outsideArea: {
      type: 'object',
      description: "A submission's place outside the council's area (422): whose area it is not, and who to contact instead",
      required: ['council', 'contact', 'neighbours'],
      properties: {
        council: { type: 'string', description: 'The council whose area the place is not in, e.g. Example District Council' },
        contact: {
          description: 'Who holds the place, when known (a neighbouring authority, or another council of this hub: then without url)',
          oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Neighbour' }],
        },
        neighbours: { type: 'array', items: { $ref: '#/components/schemas/Neighbour' }, description: 'Every authority the council sends citizens to' },
      },
    },
  },
};

const STANDARD_PROBLEMS: Record<number, string> = {
  400: 'The request is malformed: e.g. not valid JSON, or text that is not valid UTF-8',
  401: 'No valid API key',
  403: 'The key may not use this route (an admin route needs an admin key). A process the key may not see answers 404, not 403',
  404: "Not found; a process the key may not see (another service's or another council's) answers 404 too, exactly as if it did not exist",
  413: 'Body too large',
  415: 'Wrong content type, or a charset other than UTF-8',
  422: 'The body is not valid; `errors` lists each field (a wrong value, a key or answer given twice, text with a character XML 1.0 cannot carry)',
  429: 'Too many requests; see Retry-After',
  503: 'A backing service is unavailable; see Retry-After',
};

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
}

export function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

export function buildOpenApi(routes: RouteDef[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        // A parameter's description and example belong to the parameter itself (shown and pre-filled by Swagger UI).
        const { description, example, ...rest } = prop;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: rest,
          ...(description ? { description } : {}),
          ...(example !== undefined ? { example } : {}),
        });
      }
    }
    if (r.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Any unique string (e.g. a UUID). Repeating a request with the same key and body replays the first response and has no second effect; the same key with another body is refused with 422.',
        schema: { type: 'string', maxLength: 200 },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(r.responses)) {
      // An error documented by its description alone is still a problem+json body (problem.ts writes every error).
      if (Number(status) >= 400 && !doc.schema && !doc.contentType) {
        responses[status] = { description: doc.description, content: { [PROBLEM_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
        continue;
      }
      const contentType = doc.contentType ?? (doc.schema ? 'application/json' : undefined);
      responses[status] = {
        description: doc.description,
        ...(contentType
          ? {
              content: {
                [contentType]: {
                  ...(doc.schema ? { schema: jsonSchema(doc.schema, 'output') } : { schema: { type: 'string', format: 'binary' } }),
                  ...(doc.example !== undefined ? { example: doc.example } : {}),
                },
              },
            }
          : {}),
      };
    }
    const problems = [422, 404, 503];
    if (r.auth !== 'public') problems.push(401, 403, 429);
    // Path and query values are checked (400 naming the field), and so is Idempotency-Key.
    if (r.params || r.query || r.idempotent) problems.push(400);
    // Any POST/PUT/PATCH/DELETE may carry a body the JSON parser refuses: malformed (400), too large (413), not JSON (415).
    if (r.body || r.multipart || r.method !== 'get') problems.push(400, 413, 415);
    for (const s of problems) {
      if (responses[s]) continue;
      responses[s] = { $ref: `#/components/responses/Problem${s}` };
    }
    const op: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      ...(parameters.length ? { parameters } : {}),
      responses,
      ...(r.auth === 'public' ? { security: [] } : {}),
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(r.body, 'input'), ...(r.bodyExample !== undefined ? { example: r.bodyExample } : {}) } },
      };
    }
    if (r.multipart) {
      const content: Record<string, unknown> = {
        'multipart/form-data': { schema: jsonSchema(r.multipart.schema, 'input'), ...(r.multipart.encoding ? { encoding: r.multipart.encoding } : {}) },
      };
      op.requestBody = r.body
        ? { ...(op.requestBody as object), content: { ...(op.requestBody as { content: object }).content, ...content } }
        : { required: true, description: r.multipart.description, content };
      if (r.body) (op.requestBody as Record<string, unknown>).description = r.multipart.description;
    }
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: info.serverUrl }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key made with `closeloop keys create`.' },
      },
      schemas: {
        Problem: problemSchema,
        Neighbour: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } } },
      },
      responses: Object.fromEntries(
        Object.entries(STANDARD_PROBLEMS).map(([s, d]) => [
          `Problem${s}`,
          { description: d, content: { [PROBLEM_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } },
        ]),
      ),
    },
  };
}
