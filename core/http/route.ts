// API routes are declared as data (method, path, schemas, responses) plus a handler. The same declaration validates
// requests and produces the OpenAPI document: one source of truth, no hand-kept copy.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z, type ZodType } from 'zod';
import { BadRequestError, UnsupportedMediaTypeError, ValidationError, type FieldError } from '../errors.ts';

export type Auth = 'public' | 'api-key' | 'admin';

export interface ResponseDoc {
  description: string;
  schema?: ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  example?: unknown;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteDef<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI-style path: /api/v1/processes/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: Auth;
  params?: P;
  query?: Q;
  /** A JSON body validated by this schema. */
  body?: B;
  bodyExample?: unknown;
  /** A multipart body handled by the route itself; the schema documents it. */
  multipart?: { schema: ZodType; description: string; encoding?: Record<string, { contentType: string }> };
  /** Honours the Idempotency-Key header. */
  idempotent?: boolean;
  responses: Record<number, ResponseDoc>;
  handler(ctx: Context, input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<void>;
}

/** Helper that keeps a route's types connected between its schemas and its handler. */
export function defineRoute<
  P extends ZodType = z.ZodObject<Record<string, never>>,
  Q extends ZodType = z.ZodObject<Record<string, never>>,
  B extends ZodType = z.ZodUnknown,
>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

export function koaPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export type Authenticator = (ctx: Context, auth: Auth) => Promise<void>;

/** Mounts routes on a router; `authenticate` runs before validation so an anonymous caller learns nothing about inputs. */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: Authenticator): void {
  for (const route of routes) {
    router[route.method](koaPath(route.path), async (ctx) => {
      await authenticate(ctx, route.auth);
      // Declared inputs only: a route without a query schema ignores its query string, as documented.
      const params = parseWith(route.params, route.params ? refuseNul(ctx.params, 'path') : ctx.params, 'path', BadRequestError);
      const query = parseWith(route.query, route.query ? refuseNul(ctx.query, 'query') : ctx.query, 'query', BadRequestError);
      let body: unknown;
      if (route.body && !(route.multipart && !ctx.is('application/json'))) {
        // The JSON body parser lets multipart through for the routes that stream it: a JSON-only route refuses it here.
        if (!ctx.is('application/json') && hasBody(ctx)) throw new UnsupportedMediaTypeError('Send application/json');
        const request = ctx.request as { body?: unknown; rawBody?: unknown };
        checkJsonInput(request.body, typeof request.rawBody === 'string' ? request.rawBody : undefined);
        body = parseWith(route.body, request.body, 'body', ValidationError);
      }
      await route.handler(ctx, { params, query, body } as RouteInput<unknown, unknown, unknown>);
    });
  }
}

function hasBody(ctx: Context): boolean {
  return Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
}

function parseWith(schema: ZodType | undefined, value: unknown, where: string, ErrorType: typeof BadRequestError | typeof ValidationError): unknown {
  if (!schema) return value ?? {};
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.flatMap((i) => {
    const path = i.path.map(String);
    // An unknown field is named itself (not its parent), so a client sees at once which one to drop.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...path, k].join('.'), message: 'is not a known field' }));
    return [{ field: path.join('.') || where, message: i.message }];
  });
  const message = `The request ${where} is not valid`;
  if (ErrorType === ValidationError) throw new ValidationError(message, errors);
  throw new BadRequestError(message, { errors });
}

/** A NUL character in a path segment or query value never reaches a handler (Postgres text cannot hold one). */
function refuseNul(values: Record<string, unknown>, where: 'path' | 'query'): Record<string, unknown> {
  for (const [name, value] of Object.entries(values ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && v.includes('\u0000')) {
        throw new BadRequestError(`The request ${where} is not valid`, { errors: [{ field: name, message: 'contains a NUL character' }] });
      }
    }
  }
  return values;
}

/** Nesting deeper than this is refused: no request the API documents comes near it, and deeper values overflow the stack of
 * recursive code (JSON.stringify when a value is echoed or stored). */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Characters XML 1.0 cannot carry (its Char production): C0 controls other than tab, LF and CR, and U+FFFE, U+FFFF. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Problems with text that would be stored: a NUL character (Postgres text and jsonb cannot hold one), a lone UTF-16
 * surrogate (from a "\ud800" escape: not Unicode, jsonb refuses it) or another character XML 1.0 cannot carry (a back
 * office's XML would have to drop or alter it), in any string or key; and nesting deeper than MAX_JSON_DEPTH. Tab, CR and
 * LF are text. Iterative, so a hostile depth cannot overflow the stack here either. `prefix` names where the value sits.
 */
export function textProblems(value: unknown, prefix: string[] = [], limit = 20): FieldError[] {
  const problems: FieldError[] = [];
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value, path: prefix, depth: 0 }];
  const check = (text: string, path: string[]) => {
    const field = path.join('.') || 'body';
    const notXml = NOT_XML.exec(text);
    if (text.includes('\u0000')) problems.push({ field, message: 'contains a NUL character' });
    else if (LONE_SURROGATE.test(text)) problems.push({ field, message: 'is not valid Unicode (a lone surrogate)' });
    else if (notXml)
      problems.push({
        field,
        message: `contains a character that cannot be sent on (${codePoint(notXml[0])}): only tab, line breaks and printable characters are allowed`,
      });
  };
  while (stack.length && problems.length < limit) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      check(v, path);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      problems.push({ field: path.join('.') || 'body', message: `is nested more than ${MAX_JSON_DEPTH} levels deep` });
      continue;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      if (!Array.isArray(v)) check(k, [...path, k]);
      stack.push({ value: x, path: [...path, k], depth: depth + 1 });
    }
  }
  return problems;
}

/**
 * Duplicate keys in one JSON object ({"a":1,"a":2}): JSON.parse silently keeps the last, another parser on the way (a proxy,
 * a back office reading a copy) may keep the first, so the request is ambiguous. `text` must be valid JSON (already parsed).
 * Returns the dotted paths of the duplicates.
 */
export function duplicateJsonKeys(text: string, limit = 20): string[] {
  return scanJson(text, limit).duplicates;
}

/** One pass over JSON text: its duplicate keys, and whether it nests deeper than MAX_JSON_DEPTH (the scan stops there). */
function scanJson(text: string, limit = 20): { duplicates: string[]; tooDeep: boolean } {
  interface Frame {
    parent: Frame | null;
    /** This container's key or index in its parent. */
    segment: string | null;
    keys: Set<string> | null;
    expectKey: boolean;
    key: string | null;
    index: number;
  }
  const found: string[] = [];
  const pathOf = (f: Frame | null, last: string): string => {
    const parts = [last];
    for (let x = f; x && x.segment !== null; x = x.parent) parts.unshift(x.segment);
    return parts.join('.');
  };
  let top = null as Frame | null;
  let depth = 0;
  let tooDeep = false;
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = jsonString(text.slice(i, j + 1));
        if (top.keys.has(key)) found.push(pathOf(top, key));
        else top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_JSON_DEPTH) {
        tooDeep = true;
        break;
      }
      const segment: string | null = top ? (top.keys ? top.key : String(top.index)) : null;
      top = { parent: top, segment, keys: c === '{' ? new Set() : null, expectKey: c === '{', key: null, index: 0 };
    } else if (c === '}' || c === ']') {
      depth--;
      top = top?.parent ?? null;
    } else if (c === ',' && top) {
      if (top.keys) top.expectKey = true;
      else top.index++;
    }
  }
  return { duplicates: found, tooDeep };
}

function jsonString(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

/** Refuses (422, naming each field) a parsed JSON body with text XML cannot carry (NUL, lone surrogates…), hostile depth or duplicate keys. */
export function checkJsonInput(value: unknown, rawText?: string, prefix: string[] = []): void {
  // Fast path (every submission): text with no \u escape, no character XML cannot carry (NUL included) and no lone
  // surrogate (a body in another charset could carry one raw) has none in any string or key, and the duplicate-key scan
  // also measures the depth. Anything else takes the full walk, which names the fields at fault.
  if (rawText !== undefined && !rawText.includes('\\u') && !NOT_XML.test(rawText) && !LONE_SURROGATE.test(rawText)) {
    const scan = scanJson(rawText);
    if (!scan.tooDeep) {
      const duplicates = scan.duplicates.map((path) => ({ field: [...prefix, path].join('.'), message: 'appears more than once' }));
      if (duplicates.length) throw new ValidationError('The request body is not valid', duplicates);
      return;
    }
  }
  const problems = textProblems(value, prefix);
  if (!problems.length && rawText !== undefined) {
    for (const path of duplicateJsonKeys(rawText)) problems.push({ field: [...prefix, path].join('.'), message: 'appears more than once' });
  }
  if (problems.length) throw new ValidationError('The request body is not valid', problems);
}
