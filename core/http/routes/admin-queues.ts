// Bull Board at /admin/queues: the BullMQ queues (one per binding, and notifications) for admins, its UI served from the
// @bull-board/ui package (nothing from a CDN or Google Fonts). Browsers cannot add a bearer header, so an admin key is
// accepted as a bearer token or as the password of HTTP Basic authentication (any user name).
import { bindingTakesUpdates, builtBindings } from '../../plugins/bindings.ts';
import type { Sql } from '../../db/database.ts';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Hub } from '../../hub.ts';
import { findClientByKey } from '../../auth/api-keys.ts';
import { allQueueNames } from '../../jobs/index.ts';
import { ForbiddenError, HttpError, ServiceUnavailableError } from '../../errors.ts';
import type { ServeOps } from '../../metrics/index.ts';
import { stripOutsideLinksFromResponse } from '../strip-outside-links.ts';

export const QUEUES_PATH = '/admin/queues';

/**
 * The dashboard is a React app: its own script files only (no inline script, no eval), but inline styles (style
 * attributes and a <style> in its loading screen), and a <base href> (so base-uri 'self'). The Google Fonts stylesheet
 * its template hard-codes is taken out of the page (strip-outside-links.ts): it falls back to system fonts.
 */
export const QUEUES_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

const CHALLENGE = 'Basic realm="Closeloop admin", charset="UTF-8", Bearer realm="closeloop"';

class AdminAuthError extends HttpError {
  constructor(message: string) {
    super(401, 'Unauthorized', message, {}, { 'WWW-Authenticate': CHALLENGE });
  }
}

/** Koa middleware answering everything under /admin/queues (before the router); other paths pass through. */
export function adminQueuesMiddleware(hub: Hub, ops: ServeOps): Middleware {
  let board: Middleware | null = null;
  const allowedOrigins = new Set([new URL(hub.config.server.publicBaseUrl).origin]);
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== QUEUES_PATH && !ctx.path.startsWith(`${QUEUES_PATH}/`)) return next();
    ctx.state.routeTemplate = QUEUES_PATH;
    const viaBasic = await authenticateAdmin(hub.db, ctx);
    // HTTP Basic credentials are sent by the browser on its own: refuse changes asked for by another site (CSRF).
    if (viaBasic && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method) && !sameOrigin(ctx, allowedOrigins)) {
      throw new ForbiddenError('Changes through the queue dashboard must come from the dashboard itself');
    }
    ctx.set('Content-Security-Policy', QUEUES_CSP);
    ctx.set('Cache-Control', 'no-store');
    // bull-board turns Redis errors into 500s (or waits forever for a first connection): answer 503 while Redis is away.
    if (ops.redis.status !== 'ready') throw new ServiceUnavailableError('Redis is unavailable and the queue dashboard needs it; try again shortly.');
    board ??= buildBoard(hub, ops, await updateBindings(hub));
    await board(ctx, next);
    stripOutsideLinksFromResponse(ctx);
  };
}

/** Admin key as bearer token or Basic password. Returns true when it came through Basic. */
async function authenticateAdmin(db: Sql, ctx: Context): Promise<boolean> {
  const header = ctx.get('authorization');
  let key: string | undefined;
  let basic = false;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) key = bearer[1];
  const basicMatch = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (basicMatch) {
    const decoded = Buffer.from(basicMatch[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) key = decoded.slice(colon + 1);
    basic = true;
  }
  if (!key) throw new AdminAuthError('An admin API key is required: as a bearer token, or as the password of HTTP Basic authentication');
  const client = await findClientByKey(db, key);
  if (!client) throw new AdminAuthError('The API key is not valid, has expired or was revoked');
  if (!client.admin) throw new ForbiddenError('The queue dashboard needs an admin key');
  // The queues hold every council's jobs, and the dashboard can retry or remove them: the hub operator's keys only.
  if (client.council !== null) throw new ForbiddenError("The queue dashboard is for the hub operator's admin keys (made without --council)");
  ctx.state.client = client;
  return basic;
}

function sameOrigin(ctx: Context, allowed: Set<string>): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = ctx.get('origin');
  // (Koa 3's ctx.origin is the Origin header itself, so the hub's own origin is built from protocol and host.)
  if (origin && origin !== `${ctx.protocol}://${ctx.host}` && !allowed.has(origin)) return false;
  return true;
}

/** The bindings that take citizens' updates (they have an update queue too). */
async function updateBindings(hub: Hub): Promise<string[]> {
  const built = await builtBindings(hub);
  return built ? [...built.values()].filter(bindingTakesUpdates).map((b) => b.name) : [];
}

function buildBoard(hub: Hub, ops: ServeOps, updates: string[]): Middleware {
  const adapter = new KoaAdapter();
  adapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: allQueueNames(Object.keys(hub.config.bindings), updates).map((name) => new BullMQAdapter(ops.queues.get(name))),
    serverAdapter: adapter,
    options: {
      uiBasePath: dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')),
      uiConfig: { boardTitle: `${hub.config.council.name} queues` },
    },
  });
  return adapter.registerPlugin() as unknown as Middleware;
}
