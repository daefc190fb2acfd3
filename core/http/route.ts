// API routes are declared as data (method, path, schemas, responses) plus a handler. The same declaration validates
// requests and produces the OpenAPI document: one source of truth, no hand-kept copy.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z, type ZodType } from 'zod';
import { BadRequestError, ValidationError, type FieldError } from '../errors.ts';

export type Auth = 'public' | 'api-key' | 'admin';

export interface ResponseDoc {
  description: string;
  schema?: ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  example?: unknown;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteDef<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI-style path: /api/v1/processes/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: Auth;
  params?: P;
  query?: Q;
  /** A JSON body validated by this schema. */
  body?: B;
  bodyExample?: unknown;
  /** A multipart body handled by the route itself; the schema documents it. */
  multipart?: { schema: ZodType; description: string; encoding?: Record<string, { contentType: string }> };
  /** Honours the Idempotency-Key header. */
  idempotent?: boolean;
  responses: Record<number, ResponseDoc>;
  handler(ctx: Context, input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<void>;
}

/** Helper that keeps a route's types connected between its schemas and its handler. */
export function defineRoute<P extends ZodType = z.ZodObject<{}>, Q extends ZodType = z.ZodObject<{}>, B extends ZodType = z.ZodUnknown>(
  def: RouteDef<P, Q, B>,
): RouteDef<P, Q, B> {
  return def;
}

export function koaPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export type Authenticator = (ctx: Context, auth: Auth) => Promise<void>;

/** Mounts routes on a router; `authenticate` runs before validation so an anonymous caller learns nothing about inputs. */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: Authenticator): void {
  for (const route of routes) {
    router[route.method](koaPath(route.path), async (ctx) => {
      await authenticate(ctx, route.auth);
      const params = parseWith(route.params, ctx.params, 'path', BadRequestError);
      const query = parseWith(route.query, ctx.query, 'query', BadRequestError);
      const body = route.body ? parseWith(route.body, (ctx.request as { body?: unknown }).body, 'body', ValidationError) : undefined;
      await route.handler(ctx, { params, query, body } as RouteInput<unknown, unknown, unknown>);
    });
  }
}

function parseWith(schema: ZodType | undefined, value: unknown, where: string, ErrorType: typeof BadRequestError | typeof ValidationError): any {
  if (!schema) return value ?? {};
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  const message = `The request ${where} is not valid`;
  if (ErrorType === ValidationError) throw new ValidationError(message, errors);
  throw new BadRequestError(message, { errors });
}
