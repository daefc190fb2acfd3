// The Koa application of the `serve` role: middleware, API routes (declared once, documented from the same declarations).
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Hub } from '../hub.ts';
import { UnsupportedMediaTypeError } from '../errors.ts';
import { authenticate } from './auth.ts';
import { buildOpenApi } from './openapi.ts';
import { problemMiddleware } from './problem.ts';
import { mountRoutes, type RouteDef } from './route.ts';
import { processRoutes } from './routes/processes.ts';
import { backOfficeRoutes } from './routes/back-office.ts';
import { adminDeliveryRoutes } from './routes/admin-deliveries.ts';
import { adminServiceRoutes } from './routes/admin-services.ts';
import { serviceRoutes } from './routes/services.ts';
import { submissionRoutes } from './routes/submissions.ts';
import { mountSystemRoutes } from './routes/system.ts';
import { trackRoutes } from './routes/track.ts';

export interface HttpApp {
  app: Koa;
  routes: RouteDef[];
  openapi(): Record<string, unknown>;
}

/** Extra route groups other modules add (delivery admin, back-office writes…), each a function of the hub. */
export type RouteGroup = (hub: Hub) => RouteDef[];

export interface CreateAppOptions {
  /** Route groups beyond the built-in ones. */
  groups?: RouteGroup[];
  /** Mounts non-API routes (pages, connector inbound routes) on the router. */
  extraRouters?: ((router: Router) => void)[];
  /** Middleware that runs before routing (e.g. security headers). */
  before?: Koa.Middleware[];
  /** Routes mounted elsewhere (plugin inbound routes) that the OpenAPI document should describe. */
  documentedRoutes?: RouteDef[];
  /** Renders an HTML error page for browsers on citizen pages; returns false to fall back to problem+json. */
  renderHtmlError?: Parameters<typeof problemMiddleware>[1];
}

export function createApp(hub: Hub, options: CreateAppOptions = {}): HttpApp {
  const app = new Koa({ proxy: true });
  const router = new Router();
  const routes: RouteDef[] = [
    ...serviceRoutes(hub),
    ...submissionRoutes(hub),
    ...trackRoutes(hub),
    ...processRoutes(hub),
    ...backOfficeRoutes(hub),
    ...adminDeliveryRoutes(hub),
    ...adminServiceRoutes(hub),
    ...(options.groups ?? []).flatMap((g) => g(hub)),
  ] as RouteDef[];

  const openapi = () =>
    buildOpenApi([...routes, ...(options.documentedRoutes ?? [])], {
      title: 'Closeloop API',
      version: '1',
      description: `Integration hub of ${hub.config.council.name}: citizens submit services; back offices read processes and documents, add notes and update tasks; citizens follow along through a secret tracking link.`,
      serverUrl: hub.config.server.publicBaseUrl,
    });

  app.use(async (ctx, next) => {
    const requestId = ctx.get('x-request-id').slice(0, 100) || randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    hub.log.debug({ reqId: requestId, method: ctx.method, path: ctx.routerPath ?? ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(problemMiddleware(hub.log, options.renderHtmlError));
  for (const mw of options.before ?? []) app.use(mw);
  app.use(jsonBodyFor(hub.config.server.limits.jsonBytes, routes));

  mountSystemRoutes(router, hub, openapi);
  mountRoutes(router, routes, authenticate);
  for (const mount of options.extraRouters ?? []) mount(router);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return { app, routes, openapi };
}

/**
 * JSON bodies for API routes: limited in size, strict (objects/arrays only), refused with 415 when a route wants JSON but the
 * request says otherwise. Multipart bodies are left alone for their routes to stream.
 */
function jsonBodyFor(limitBytes: number, routes: RouteDef[]): Koa.Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limitBytes, jsonStrict: true, encoding: 'utf-8' });
  const multipartPrefixes = routes.filter((r) => r.multipart).length > 0;
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    if (ctx.is('multipart/form-data') && multipartPrefixes) return next();
    if (!ctx.is('application/json') && Number(ctx.get('content-length') || 0) > 0) {
      throw new UnsupportedMediaTypeError('Send application/json' + (multipartPrefixes ? ' (or multipart/form-data where documented)' : ''));
    }
    return parse(ctx, next);
  };
}
