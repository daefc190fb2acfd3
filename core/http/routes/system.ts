// Health (/healthz: the process is alive; /readyz: it can work), Prometheus metrics, the OpenAPI document and Swagger UI
// (served with its assets from swagger-ui-dist: nothing from a CDN, no web font from Google).
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Router from '@koa/router';
import { koaSwagger } from 'koa2-swagger-ui';
import type { Hub } from '../../hub.ts';
import { AuthError } from '../../errors.ts';
import { processMetrics, type ServeOps } from '../../metrics/index.ts';
import { stripOutsideLinksFromResponse } from '../strip-outside-links.ts';
import { serviceDefinitionJsonSchema } from './services.ts';
import { closeloopJsonSchema } from '../../config/json-schema.ts';
import { pluginConfigSchemas } from '../../plugins/index.ts';

/** URL name (what koa2-swagger-ui's page asks for) → file in swagger-ui-dist and its type. */
const SWAGGER_FILES: Record<string, [string, string]> = {
  'swagger-ui.min.css': ['swagger-ui.css', 'text/css; charset=utf-8'],
  'swagger-ui-bundle.js': ['swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
  'swagger-ui-standalone-preset.js': ['swagger-ui-standalone-preset.js', 'application/javascript; charset=utf-8'],
};

// Swagger UI's page runs an inline start-up script and inline styles; this CSP allows only that, and only on /docs.
export const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function mountSystemRoutes(router: Router, hub: Hub, openapi: () => Record<string, unknown>, ops?: ServeOps): void {
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  if (ops) mountOpsRoutes(router, hub, ops);

  let schemaJson: string | null = null;
  router.get('/schemas/service.json', (ctx) => {
    schemaJson ??= JSON.stringify(serviceDefinitionJsonSchema(), null, 2);
    ctx.type = 'application/schema+json';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = schemaJson;
  });

  // closeloop.yaml's format, with each binding's and channel's settings as its plugin (built-in or loaded) defines them.
  let configSchemaJson: Promise<string> | null = null;
  router.get('/schemas/closeloop.json', async (ctx) => {
    configSchemaJson ??= pluginConfigSchemas(hub.registry).then((plugins) => JSON.stringify(closeloopJsonSchema(plugins), null, 2));
    configSchemaJson.catch(() => (configSchemaJson = null));
    ctx.type = 'application/schema+json';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await configSchemaJson;
  });

  let openapiJson: string | null = null;
  router.get('/openapi.json', (ctx) => {
    openapiJson ??= JSON.stringify(openapi());
    ctx.type = 'application/json';
    ctx.body = openapiJson;
  });

  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const swaggerPage = koaSwagger({
    routePrefix: false,
    title: `${hub.config.council.name} – Closeloop API`,
    swaggerCdnUrl: '/docs/assets',
    swaggerVersion: 'dist',
    favicon: '/docs/favicon.png',
    hideTopbar: true,
    // The key typed into Authorize stays in the page's memory only: persisted, it would sit in localStorage, readable by
    // any script on this origin and left behind on a shared computer.
    swaggerOptions: { url: '/openapi.json', persistAuthorization: false, validatorUrl: null, deepLinking: true },
  });
  router.get('/docs', async (ctx, next) => {
    await swaggerPage(ctx, next);
    // Its template hard-codes a Google Fonts stylesheet: taken out, so the page asks no outside host for anything.
    stripOutsideLinksFromResponse(ctx);
    ctx.set('Content-Security-Policy', DOCS_CSP);
  });
  router.get('/docs/assets/dist/:file', async (ctx) => {
    const entry = SWAGGER_FILES[ctx.params.file!];
    if (!entry) return;
    ctx.type = entry[1];
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(join(swaggerDir, entry[0]));
  });
  router.get('/docs/favicon.png', async (ctx) => {
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(join(swaggerDir, 'favicon-32x32.png'));
  });
}

/** /readyz and /metrics: what a load balancer and Prometheus ask every few seconds. */
function mountOpsRoutes(router: Router, hub: Hub, ops: ServeOps): void {
  let wasReady: boolean | null = null;
  router.get('/readyz', async (ctx) => {
    const r = await ops.readiness();
    // Log changes only: a probe every few seconds during an outage must not flood the log.
    if (r.ready !== wasReady) {
      if (r.ready) hub.log.info({ checks: r.checks }, 'ready');
      else hub.log.warn({ checks: r.checks, errors: r.errors }, 'not ready');
      wasReady = r.ready;
    }
    ctx.set('Cache-Control', 'no-store');
    if (!r.ready) ctx.set('Retry-After', '5');
    ctx.status = r.ready ? 200 : 503;
    ctx.body = {
      status: r.ready ? 'ready' : 'unavailable',
      checks: r.checks,
      ...(r.ready ? {} : { failing: r.failing }),
      ...(r.pendingMigrations ? { pendingMigrations: r.pendingMigrations } : {}),
    };
  });

  const metrics = ops.metrics;
  if (!metrics) return;
  const tokenHash = ops.metricsToken === null ? null : sha256(ops.metricsToken);
  router.get('/metrics', async (ctx) => {
    if (tokenHash) {
      const given = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      if (!given || !timingSafeEqual(sha256(given), tokenHash)) throw new AuthError('/metrics needs the bearer token set in server.metrics.bearerToken');
    }
    const own = processMetrics().registry;
    const [processText, hubText] = await Promise.all([own.metrics(), metrics.metrics()]);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = own.contentType;
    ctx.body = `${processText.trimEnd()}\n\n${hubText}`;
  });
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
