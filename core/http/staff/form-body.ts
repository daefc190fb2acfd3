// HTML form bodies (application/x-www-form-urlencoded) of the staff pages: small, parsed once by the /staff router.
import type Koa from 'koa';
import { UnsupportedMediaTypeError } from '../../errors.ts';

const LIMIT = 64 * 1024;

/**
 * The multipart forms, whose routes read the body themselves: the designer's XSD upload (services/xsd-upload-body.ts) and
 * a case's "Add a document" (case-document-upload.ts).
 */
const MULTIPART_PATH = /^\/staff\/(services\/[a-z][a-z0-9-]*\/xml\/xsd\/upload|cases\/[0-9a-fA-F-]{36}\/documents)$/;

/** Parses a posted form into ctx.request.body (the first value of each field). */
export function parseStaffForms(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && !(MULTIPART_PATH.test(ctx.path) && ctx.is('multipart/form-data'))) {
      const length = Number(ctx.get('content-length') || 0);
      if (length > 0 && !ctx.is('application/x-www-form-urlencoded')) throw new UnsupportedMediaTypeError('Send the form as application/x-www-form-urlencoded');
      const { default: getRawBody } = await import('raw-body');
      const raw = await getRawBody(ctx.req, { limit: LIMIT, encoding: 'utf8' });
      const body: Record<string, string> = {};
      const all: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(raw)) {
        if (!(k in body)) body[k] = v;
        const seen = all[k];
        all[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
      }
      Object.assign(ctx.request, { body });
      ALL_VALUES.set(ctx, all);
    }
    await next();
  };
}

const ALL_VALUES = new WeakMap<Koa.Context, Record<string, string | string[]>>();

/** Every value of each posted field (ticked checkboxes share a name), for forms that need them all (the designer's try-it). */
export function formFields(ctx: Koa.Context): Record<string, string | string[]> {
  return ALL_VALUES.get(ctx) ?? {};
}

export function formBody(ctx: Koa.Context): Record<string, string | undefined> {
  return ((ctx.request as { body?: Record<string, string> }).body ?? {}) as Record<string, string | undefined>;
}
