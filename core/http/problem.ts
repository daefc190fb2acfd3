// Maps every error to RFC 9457 problem+json, once, for the whole API.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from '../errors.ts';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extra: string]: unknown;
}

/** Writes a problem response. */
export function sendProblem(ctx: Context, status: number, title: string, detail?: string, extra: Record<string, unknown> = {}): void {
  const body: Problem = { type: 'about:blank', title, status, ...(detail ? { detail } : {}), instance: ctx.path, ...extra };
  ctx.status = status;
  ctx.type = PROBLEM_TYPE;
  ctx.body = body;
}

/** Errors that say the database or Redis is unreachable: the client should retry, not give up. */
function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; parent?: { code?: string } };
  const name = e?.name ?? '';
  const code = e?.code ?? e?.parent?.code ?? '';
  return (
    /^SequelizeConnection|ConnectionAcquireTimeoutError|SequelizeHostNotReachable/.test(name) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001', '08003'].includes(code) ||
    /Connection is closed|Redis connection|ECONNREFUSED/.test(e?.message ?? '')
  );
}

export function problemMiddleware(log: Logger, renderHtml?: (ctx: Context, status: number, title: string, detail: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        if (renderHtml?.(ctx, 404, 'Page not found', 'There is nothing at this address.')) return;
        sendProblem(ctx, 404, 'Not found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const { status, title, detail, extra, headers } = classify(err);
      if (status >= 500) log.error({ err, reqId: ctx.state.requestId, path: ctx.path }, 'request failed');
      for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
      if (renderHtml?.(ctx, status, title, detail)) return;
      sendProblem(ctx, status, title, detail, extra);
    }
  };
}

function classify(err: unknown): { status: number; title: string; detail: string; extra: Record<string, unknown>; headers: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, title: err.title, detail: err.message, extra: err.extra, headers: err.headers };
  const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
  const status = e?.status ?? e?.statusCode;
  // Errors from body parsers and koa itself (e.g. 413 entity too large, 400 invalid JSON) carry an exposed status.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const title = status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : 'Bad request';
    return { status, title, detail: e.expose ? String(e.message) : title, extra: {}, headers: {} };
  }
  if (isUnavailable(err)) {
    return { status: 503, title: 'Service unavailable', detail: 'A backing service is unavailable; try again shortly.', extra: {}, headers: { 'Retry-After': '5' } };
  }
  return { status: 500, title: 'Internal server error', detail: 'Something went wrong; it has been logged.', extra: {}, headers: {} };
}
