// The Koa application of the `serve` role: middleware, API routes (declared once, documented from the same declarations).
import type { StaffConsoleOptions } from './staff/index.ts';
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import type { Hub } from '../hub.ts';
import { logContext, safePath } from '../log.ts';
import { observeHttpRequest, routeTemplate, type ServeOps } from '../metrics/index.ts';
import { UnsupportedMediaTypeError } from '../errors.ts';
import { authenticator } from './auth.ts';
import { failureLimiter } from './rate-limit.ts';
import { readJsonBody } from './json-body.ts';
import { buildOpenApi } from './openapi.ts';
import { problemMiddleware } from './problem.ts';
import { mountRoutes, type RouteDef } from './route.ts';
import { processRoutes } from './routes/processes.ts';
import { councilDocumentRoutes } from './routes/council-documents.ts';
import { backOfficeRoutes } from './routes/back-office.ts';
import { adminDeliveryRoutes } from './routes/admin-deliveries.ts';
import { adminServiceRoutes } from './routes/admin-services.ts';
import { adminAlertRoutes } from './routes/admin-alerts.ts';
import { adminAuditRoutes } from './routes/admin-audit.ts';
import { adminEraseRoutes } from './routes/admin-erase.ts';
import { adminSubscriptionRoutes } from './routes/admin-subscriptions.ts';
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
  /** The staff console's settings that are code, not config (tests replace what a provider's sign-in does). */
  staff?: StaffConsoleOptions;
  /** Readiness, metrics and the queue dashboard's Redis (the serve role opens them); without it /readyz and /metrics are absent. */
  ops?: ServeOps;
}

export function createApp(hub: Hub, options: CreateAppOptions = {}): HttpApp {
  // Only behind a proxy that sets X-Forwarded-*: otherwise anyone could choose the client IP the rate limits count.
  // maxIpsCount 1: the client's address is the entry our proxy appended (the last), not the first, which the client writes.
  const app = new Koa({ proxy: hub.config.server.trustProxy, maxIpsCount: 1 });
  const router = new Router();
  const routes: RouteDef[] = [
    ...serviceRoutes(hub),
    ...submissionRoutes(hub),
    ...trackRoutes(hub),
    ...processRoutes(hub),
    ...councilDocumentRoutes(hub),
    ...backOfficeRoutes(hub),
    ...adminDeliveryRoutes(hub),
    ...adminServiceRoutes(hub),
    ...adminAlertRoutes(hub),
    ...adminAuditRoutes(hub),
    ...adminEraseRoutes(hub),
    ...adminSubscriptionRoutes(hub),
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
    // Every log line written while this request is handled carries its id (see logContext in core/log.ts).
    await logContext.run({ reqId: requestId }, next);
    const seconds = (performance.now() - started) / 1000;
    observeHttpRequest(ctx, seconds);
    const route = routeTemplate(ctx);
    const line = {
      reqId: requestId,
      method: ctx.method,
      route,
      path: route === 'unmatched' || route === 'other' ? safePath(ctx.path) : undefined,
      status: ctx.status,
      ms: Math.round(seconds * 1000),
    };
    // Probes and scrapes come every few seconds: debug, so the info log stays readable.
    if (PROBE_PATHS.has(ctx.path)) hub.log.debug(line, 'request');
    else hub.log.info(line, 'request');
  });
  app.use(problemMiddleware(hub.log, options.renderHtmlError));
  for (const mw of options.before ?? []) app.use(mw);
  app.use(jsonBodyFor(hub.config.server.limits.jsonBytes, routes));

  mountSystemRoutes(router, hub, openapi, options.ops);
  mountRoutes(router, routes, authenticator(hub.db, failureLimiter(hub, 'auth', hub.config.server.rateLimits.failedAuthPerMinute)));
  for (const mount of options.extraRouters ?? []) mount(router);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return { app, routes, openapi };
}

const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * JSON bodies for API routes: limited in size, strict (UTF-8, objects/arrays only; see json-body.ts), refused with 415 when
 * a route wants JSON but the request says otherwise. Multipart bodies are left alone for their routes to stream.
 */
function jsonBodyFor(limitBytes: number, routes: RouteDef[]): Koa.Middleware {
  const multipartPrefixes = routes.filter((r) => r.multipart).length > 0;
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    if (ctx.is('multipart/form-data') && multipartPrefixes) return next();
    if (!ctx.is('application/json') && Number(ctx.get('content-length') || 0) > 0) {
      throw new UnsupportedMediaTypeError('Send application/json' + (multipartPrefixes ? ' (or multipart/form-data where documented)' : ''));
    }
    if (ctx.is('application/json')) {
      const { parsed, raw } = await readJsonBody(ctx, limitBytes);
      Object.assign(ctx.request, { body: parsed, rawBody: raw });
    }
    return next();
  };
}
