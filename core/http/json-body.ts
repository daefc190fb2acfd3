// JSON bodies read strictly, the same on every route that takes one (API, connector and channel callbacks): UTF-8 only
// (another declared charset is 415), invalid UTF-8 bytes refused (400) rather than replaced by U+FFFD, objects and arrays
// only, no "__proto__" key. Written here rather than with @koa/bodyparser: its parser (co-body) decodes leniently and
// ignores the declared charset, and neither has an option to do otherwise.
import type { Context } from 'koa';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import getRawBody from 'raw-body';
import { BadRequestError, HttpError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';
import { checkJsonInput } from './route.ts';

const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/** The charset parameter of a Content-Type header, lower-case, or '' when there is none. */
export function charsetOf(contentType: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '');
  return match ? match[1]!.toLowerCase() : '';
}

/** 415 unless the text is declared UTF-8 or not declared at all (JSON is UTF-8: RFC 8259). */
export function refuseOtherCharsets(contentType: string | undefined, what: string): void {
  const charset = charsetOf(contentType);
  if (charset && !UTF8_NAMES.has(charset)) throw new UnsupportedMediaTypeError(`${what} must be UTF-8, not ${charset.slice(0, 40)}`);
}

/** The bytes as text; 400 when they are not valid UTF-8. A leading byte order mark is dropped. */
export function decodeUtf8(bytes: Uint8Array, what = 'The body'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError(`${what} is not valid UTF-8`);
  }
}

/** Keys JSON.parse would keep as own properties that later code copying objects may treat as the prototype. */
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype'))) {
    throw new BadRequestError('The body contains a "__proto__" or "constructor.prototype" key, which is refused');
  }
  return value;
}

/** Parses a JSON object or array (empty text is {}); 400 with a detail a client can act on otherwise. */
export function parseJsonText(text: string): unknown {
  if (!/\S/.test(text)) return {};
  if (!/^[ \t\n\r]*[[{]/.test(text)) throw new BadRequestError('The body must be a JSON object');
  try {
    // The reviver costs a walk of the whole value: only when a forbidden key could be there (written plainly or escaped).
    return /proto|constructor|\\u/.test(text) ? JSON.parse(text, refuseProtoKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new BadRequestError('The body is not valid JSON');
  }
}

/**
 * Everything a callback route needs to accept a JSON body: declared application/json (415), UTF-8 (415, 400), valid JSON
 * (400), and the API's refusals by field (422: duplicate keys, text XML cannot carry, hostile depth).
 */
export function jsonFromBytes(bytes: Uint8Array, contentType: string | undefined): unknown {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError('Send application/json');
  refuseOtherCharsets(contentType, 'The body');
  const text = decodeUtf8(bytes);
  const value = parseJsonText(text);
  checkJsonInput(value, text);
  return value;
}

/** Reads and parses a JSON request body of at most `limitBytes` (after decompression). */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<{ parsed: unknown; raw: string }> {
  refuseOtherCharsets(ctx.get('content-type'), 'The body');
  const encoding = (ctx.get('content-encoding') || 'identity').toLowerCase();
  let stream: Readable = ctx.req;
  if (encoding === 'gzip') stream = ctx.req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = ctx.req.pipe(createInflate());
  else if (encoding !== 'identity') throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding.slice(0, 40)} is not supported`);
  let bytes: Buffer;
  try {
    bytes = await getRawBody(stream, { limit: limitBytes, length: encoding === 'identity' ? ctx.get('content-length') || undefined : undefined });
  } catch (err) {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') throw new PayloadTooLargeError(`The body is too large: at most ${limitBytes} bytes`);
    if (typeof e.status === 'number' && e.status < 500) throw new BadRequestError(`The body could not be read: ${e.message}`);
    // A broken gzip or deflate stream is the client's too.
    if (encoding !== 'identity') throw new BadRequestError(`The body could not be decompressed (${encoding})`);
    throw err;
  }
  const raw = decodeUtf8(bytes);
  return { parsed: parseJsonText(raw), raw };
}
