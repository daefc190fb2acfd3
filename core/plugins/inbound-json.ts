// The API's JSON rules for plugin inbound routes (connector and channel callbacks), so a callback is no laxer than the REST
// API: application/json only (415), UTF-8 only (415 for another charset, 400 for invalid bytes), valid JSON (400), and 422
// naming the field for a duplicate key, text XML cannot carry (NUL, other C0 controls, U+FFFE/U+FFFF, lone surrogates)
// or hostile nesting.
import { HttpError } from '../errors.ts';
import { jsonFromBytes } from '../http/json-body.ts';
import type { InboundRequest, InboundResponse } from './sdk.ts';

export type InboundJson = { ok: true; value: unknown } | { ok: false; response: InboundResponse };

/** The request's JSON body, or the problem response to send instead. Check the caller's signature or secret first. */
export function readInboundJson(req: InboundRequest): InboundJson {
  const type = req.headers['content-type'];
  try {
    return { ok: true, value: jsonFromBytes(req.rawBody, Array.isArray(type) ? type[0] : type) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    const body = { type: 'about:blank', title: err.title, status: err.status, detail: err.message, ...err.extra };
    return { ok: false, response: { status: err.status, headers: { 'content-type': 'application/problem+json' }, body } };
  }
}
