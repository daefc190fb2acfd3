// Bearer API keys for back offices and admins. Records the client on ctx.state for handlers and the audit log.
import type { Context } from 'koa';
import { AuthError, ForbiddenError } from '../errors.ts';
import { findClientByKey, type ApiClient } from '../auth/api-keys.ts';
import type { Auth } from './route.ts';

export async function authenticate(ctx: Context, auth: Auth): Promise<void> {
  if (auth === 'public') return;
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AuthError();
  const client = await findClientByKey(match[1]!);
  if (!client) throw new AuthError('The API key is not valid, has expired or was revoked');
  if (auth === 'admin' && !client.admin) throw new ForbiddenError('This route needs an admin key');
  ctx.state.client = client;
}

export function clientOf(ctx: Context): ApiClient {
  const client = ctx.state.client as ApiClient | undefined;
  if (!client) throw new AuthError();
  return client;
}
