// Bearer API keys for back offices and admins. Records the client on ctx.state for handlers and the audit log.
import type { Sql } from '../db/database.ts';
import type { Context } from 'koa';
import { AuthError, ForbiddenError } from '../errors.ts';
import { findClientByKey, type ApiClient } from '../auth/api-keys.ts';
import type { Auth } from './route.ts';
import type { FailureLimiter } from './rate-limit.ts';

/**
 * Bearer-key authentication. A valid key never touches the limiter (no Redis round trip per call); each bad key counts
 * against the caller's address, and past the limit a bad key is answered 429 instead of 401.
 */
export function authenticator(db: Sql, limiter?: FailureLimiter) {
  return async (ctx: Context, auth: Auth): Promise<void> => {
    if (auth === 'public') return;
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthError();
    const client = await findClientByKey(db, match[1]!);
    if (!client) {
      await limiter?.failOrRefuse(ctx.ip);
      throw new AuthError('The API key is not valid, has expired or was revoked');
    }
    if (auth === 'admin' && !client.admin) throw new ForbiddenError('This route needs an admin key');
    ctx.state.client = client;
  };
}

/** Authentication without a failure limit (tests, embedding). */

export function clientOf(ctx: Context): ApiClient {
  const client = ctx.state.client as ApiClient | undefined;
  if (!client) throw new AuthError();
  return client;
}
