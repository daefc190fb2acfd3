// Mounts plugin inbound routes: connectors at /connectors/{binding}/..., channels at /channels/{channel}/....
// Handlers get the raw body bytes (for signatures), the client's address and the API's JSON reader, and return a plain
// response; errors become problem+json. A body over the route's limit is 413 in problem+json, whatever the client accepts.
import type Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { problem, type InboundHandler, type InboundJson, type InboundRequest, type InboundRouteOptions, type InboundRoutes } from '@closeloop/sdk';
import { HttpError } from '../errors.ts';
import { clientAddress } from './client-address.ts';
import { jsonFromBytes } from './json-body.ts';
import { sendProblem } from './problem.ts';

const INBOUND_LIMIT = 1024 * 1024;

export interface InboundOptions {
  /** server.trustProxy: whose address a request comes from. */
  trustProxy: boolean;
  /**
   * Set when plugin pages (routes with `staffPage`) need staff sign-in: lets a signed-in person through (true), or answers
   * the request itself (a redirect to sign in, 403 for a form) and says false.
   */
  staffGate?: (ctx: Context) => Promise<boolean>;
}

/** Where plugin pages behind staff sign-in are: the staff session's cookie is sent to /staff only. */
export const STAFF_PAGES_PREFIX = '/staff';

export function inboundRoutesFor(router: Router, prefix: string, options: InboundOptions): InboundRoutes {
  const add =
    (method: 'get' | 'post') =>
    (path: string, handler: InboundHandler, routeOptions: InboundRouteOptions = {}) => {
      const limit = routeOptions.maxBodyBytes ?? INBOUND_LIMIT;
      const route = `${prefix}${path.startsWith('/') ? path : `/${path}`}`;
      const gate = routeOptions.staffPage ? options.staffGate : undefined;
      const base = gate ? `${STAFF_PAGES_PREFIX}${prefix}` : prefix;
      if (gate) {
        // The plain address of a staff page: a browser is sent to the signed-in one; a form posted there is refused.
        router[method](route, (ctx) => {
          if (method !== 'get') return sendProblem(ctx, 403, 'Forbidden', `Sign in to the staff console: this page is at ${STAFF_PAGES_PREFIX}${prefix}`);
          ctx.redirect(`${STAFF_PAGES_PREFIX}${ctx.path}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
        });
      }
      router[method](gate ? `${STAFF_PAGES_PREFIX}${route}` : route, async (ctx) => {
        if (gate && !(await gate(ctx))) return;
        let rawBody: Buffer = Buffer.alloc(0);
        if (method === 'post') {
          const read = await readRaw(ctx, limit);
          if (!read) return sendProblem(ctx, 413, 'Payload too large', `This route takes at most ${describeBytes(limit)}`);
          rawBody = read;
        }
        const req: InboundRequest = {
          method: ctx.method,
          path: ctx.path,
          params: ctx.params as Record<string, string>,
          query: ctx.query as InboundRequest['query'],
          headers: ctx.headers,
          rawBody,
          clientAddress: clientAddress(ctx, options.trustProxy),
          json: () => inboundJson(rawBody, ctx.get('content-type') || undefined),
          base,
        };
        const res = await handler(req);
        ctx.status = res.status;
        for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
        if (res.body !== undefined) ctx.body = res.body;
      });
    };
  return { get: add('get'), post: add('post') };
}

/** The body, or null when it is larger than `limit`. */
async function readRaw(ctx: Context, limit: number): Promise<Buffer | null> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') return null;
    throw err;
  }
}

/** The API's JSON rules (json-body.ts), with a refusal as the problem answer to send (InboundRequest.json). */
export function inboundJson(bytes: Buffer, contentType: string | undefined): InboundJson {
  try {
    return { ok: true, value: jsonFromBytes(bytes, contentType) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { ok: false, response: problem(err.status, err.title, err.message, err.extra) };
  }
}

function describeBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MB` : n % 1024 === 0 ? `${n / 1024} KB` : `${n} bytes`;
}
