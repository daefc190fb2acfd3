// Per-process metrics: prom-client's defaults (CPU, memory, event loop lag, GC…) and the HTTP request duration histogram.
// One registry per process, whatever the number of hubs in it (tests run several).
import type { Context } from 'koa';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'closeloop_';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface ProcessMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_class'>;
}

let instance: ProcessMetrics | null = null;

/** The process's registry, made (and default metrics started) on first use. */
export function processMetrics(): ProcessMetrics {
  if (instance) return instance;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests handled by this process, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  instance = { registry, httpDuration };
  return instance;
}

/**
 * The route a request matched, as its template (`/api/v1/processes/:id`), never the raw path: ids and tracking tokens
 * would make one series per request and put capabilities in the metrics. Middleware that answers outside the router
 * names itself in `ctx.state.routeTemplate`.
 */
export function routeTemplate(ctx: Context): string {
  const own = (ctx.state as { routeTemplate?: unknown }).routeTemplate;
  if (typeof own === 'string') return own;
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  return ctx.status === 404 ? 'unmatched' : 'other';
}

export function observeHttpRequest(ctx: Context, seconds: number): void {
  const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
  processMetrics().httpDuration.observe({ method, route: routeTemplate(ctx), status_class: `${Math.floor(ctx.status / 100)}xx` }, seconds);
}
