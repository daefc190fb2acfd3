// Mounts plugin inbound routes: connectors at /connectors/{binding}/..., channels at /channels/{channel}/....
// Handlers get the raw body bytes (for signatures) and return a plain response; errors become problem+json.
import type Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { InboundHandler, InboundRequest, InboundRoutes } from '../plugins/index.ts';
import { PayloadTooLargeError } from '../errors.ts';

const INBOUND_LIMIT = 1024 * 1024;

export function inboundRoutesFor(router: Router, prefix: string): InboundRoutes {
  const add = (method: 'get' | 'post') => (path: string, handler: InboundHandler) => {
    router[method](`${prefix}${path.startsWith('/') ? path : `/${path}`}`, async (ctx) => {
      const rawBody = method === 'post' ? await readRaw(ctx) : Buffer.alloc(0);
      const req: InboundRequest = {
        method: ctx.method,
        path: ctx.path,
        params: ctx.params as Record<string, string>,
        query: ctx.query as InboundRequest['query'],
        headers: ctx.headers,
        rawBody,
      };
      const res = await handler(req);
      ctx.status = res.status;
      for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
      if (res.body !== undefined) ctx.body = res.body;
    });
  };
  return { get: add('get'), post: add('post') };
}

async function readRaw(ctx: Context): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit: INBOUND_LIMIT, length: ctx.get('content-length') || undefined });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeError(`Callbacks are limited to ${INBOUND_LIMIT} bytes`);
    throw err;
  }
}
