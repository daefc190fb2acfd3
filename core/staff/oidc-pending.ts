// A sign-in in progress is kept in Postgres, not in the browser: the browser holds only a random cookie value (256 bits)
// whose SHA-256 finds the row. The row lives ten minutes and is deleted by the first callback that presents it, so a
// replayed callback, or one from another browser, finds nothing to complete.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/database.ts';
import { insertPendingSignIn, takePendingSignIn, type PendingSignInRow } from './oidc-repo.ts';

export type PendingSignIn = PendingSignInRow;

export const PENDING_SIGN_IN_SECONDS = 10 * 60;

/** Keeps a begun sign-in; answers the cookie value that finds it again. */
export async function keepPendingSignIn(sql: Sql, pending: PendingSignIn): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await insertPendingSignIn(sql, hashToken(token), pending, PENDING_SIGN_IN_SECONDS);
  return token;
}

/** The sign-in a cookie value names, used up by this call; undefined when unknown, used or expired. */
export async function usePendingSignIn(sql: Sql, token: string | undefined): Promise<PendingSignIn | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  return takePendingSignIn(sql, hashToken(token));
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
