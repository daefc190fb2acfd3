// The citizen pages' address searches, limited per form session and per client address (server.rateLimits): with
// os-places every search is a paid transaction, and a script could run up the council's bill or scrape the gazetteer.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { Hub } from '../hub.ts';
import { formSessionToken } from '../forms/session.ts';
import { addressLookupLimiter } from './rate-limit.ts';

/**
 * Counts one search for this request's form session and client address. Null when it may go ahead; else sets 429 and
 * Retry-After on the response and answers the seconds to wait (the caller shows its page with the message).
 */
export async function refuseLookup(hub: Hub, ctx: Context): Promise<number | null> {
  // The session by its token's hash (the token is set now if the browser has none yet: a citizen's next search counts
  // under it; a client that drops cookies is held by the per-address limit). The token itself is never written anywhere.
  const session = createHash('sha256').update(formSessionToken(ctx)).digest('base64url');
  const wait = await addressLookupLimiter(hub).retryAfter({ session, address: ctx.ip });
  if (wait === null) return null;
  ctx.status = 429;
  ctx.set('Retry-After', String(wait));
  return wait;
}
