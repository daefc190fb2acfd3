// HTML form bodies (application/x-www-form-urlencoded) of the staff pages: small, parsed once by the /staff router.
import type Koa from 'koa';
import { UnsupportedMediaTypeError } from '../../errors.ts';

const LIMIT = 64 * 1024;

/** Parses a posted form into ctx.request.body (the first value of each field). */
export function parseStaffForms(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST') {
      const length = Number(ctx.get('content-length') || 0);
      if (length > 0 && !ctx.is('application/x-www-form-urlencoded')) throw new UnsupportedMediaTypeError('Send the form as application/x-www-form-urlencoded');
      const { default: getRawBody } = await import('raw-body');
      const raw = await getRawBody(ctx.req, { limit: LIMIT, encoding: 'utf8' });
      const body: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(raw)) if (!(k in body)) body[k] = v;
      Object.assign(ctx.request, { body });
    }
    await next();
  };
}

export function formBody(ctx: Koa.Context): Record<string, string | undefined> {
  return ((ctx.request as { body?: Record<string, string> }).body ?? {}) as Record<string, string | undefined>;
}
