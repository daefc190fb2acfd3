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

/**
 * Messages of errors that say the database or Redis went away (found by the chaos suite, test/chaos): pg's "Connection
 * terminated unexpectedly" when Postgres stops or crashes under a query (no SQLSTATE: the socket just closed), pg-pool's
 * connect timeout, and ioredis refusing commands while it reconnects.
 */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection is closed|Redis connection|ECONNREFUSED|timeout exceeded when trying to connect|not queryable|the database system is (starting up|shutting down|in recovery mode)|Stream isn't writeable|Reached the max retries per request limit/;

/** Errors that say the database or Redis is unreachable: the client should retry, not give up. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const name = e?.name ?? '';
  const code = e?.code ?? e?.cause?.code ?? '';
  return (
    /MaxRetriesPerRequestError/.test(name) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004'].includes(code) ||
    UNAVAILABLE_MESSAGES.test(e?.message ?? '') ||
    UNAVAILABLE_MESSAGES.test(e?.cause?.message ?? '')
  );
}

export function problemMiddleware(log: Logger, renderHtml?: (ctx: Context, status: number, title: string, detail: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        if (renderHtml?.(ctx, 404, 'Page not found', 'There is nothing at this address.')) return;
        sendProblem(ctx, 404, 'Not found', `No route for ${ctx.method} ${ctx.path}`);
      } else if (ctx.status === 405 && (ctx.body === undefined || ctx.body === null || typeof ctx.body === 'string')) {
        // The router answers 405 in plain text; the API answers in problem+json everywhere.
        sendProblem(ctx, 405, 'Method not allowed', `${ctx.method} is not allowed here; use ${ctx.response.get('Allow')}`);
      }
    } catch (err) {
      const { status, title, detail, extra, headers } = classify(err);
      if (status >= 500) log.error({ err: loggable(err), reqId: ctx.state.requestId, path: ctx.path }, 'request failed');
      for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
      if (renderHtml?.(ctx, status, title, detail)) return;
      sendProblem(ctx, status, title, detail, extra);
    }
  };
}

/**
 * The error as plain fields for the log. Driver errors can carry references back to their connection (and a `cause`
 * that does): pino's serializer gives up on them ("circular reference is too complex") and the log would say nothing
 * about what failed.
 */
export function loggable(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; message?: string; code?: string; stack?: string; cause?: { code?: string; message?: string } } | null;
  if (!e || typeof e !== 'object') return { message: String(err) };
  return {
    name: e.name ?? 'Error',
    message: e.message,
    ...(e.code ? { code: e.code } : {}),
    ...(e.cause && e.cause.message !== e.message
      ? { cause: { code: e.cause.code, message: e.cause.message } }
      : e.cause?.code
        ? { cause: { code: e.cause.code } }
        : {}),
    stack: e.stack,
  };
}

function classify(err: unknown): { status: number; title: string; detail: string; extra: Record<string, unknown>; headers: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, title: err.title, detail: err.message, extra: err.extra, headers: err.headers };
  const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
  const status = e?.status ?? e?.statusCode;
  // Errors from body parsers and koa itself (e.g. 413 entity too large, 400 invalid JSON) carry an exposed status.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const title = status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : status === 405 ? 'Method not allowed' : 'Bad request';
    return { status, title, detail: e.expose ? String(e.message) : (bodyParserDetail(err) ?? title), extra: {}, headers: {} };
  }
  if (isUnavailable(err)) {
    return {
      status: 503,
      title: 'Service unavailable',
      detail: 'A backing service is unavailable; try again shortly.',
      extra: {},
      headers: { 'Retry-After': '5' },
    };
  }
  return { status: 500, title: 'Internal server error', detail: 'Something went wrong; it has been logged.', extra: {}, headers: {} };
}

/** What a JSON body parser's SyntaxError means, in words a client can act on. */
function bodyParserDetail(err: unknown): string | null {
  if (!(err instanceof SyntaxError)) return null;
  if (/prototype property/.test(err.message)) return 'The body contains a "__proto__" or "constructor.prototype" key, which is refused';
  if (/only supports object and array/.test(err.message)) return 'The body must be a JSON object';
  return 'The body is not valid JSON';
}
