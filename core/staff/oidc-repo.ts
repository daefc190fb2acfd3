// The SQL of staff_oidc_states: OpenID Connect sign-ins in progress (state, nonce, PKCE verifier), each usable once.
import type { Sql } from '../db/database.ts';

export interface PendingSignInRow {
  council: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
}

/** Keeps a sign-in in progress for `ttlSeconds`, and forgets ones that expired (few: they live ten minutes). */
export async function insertPendingSignIn(sql: Sql, tokenHash: Buffer, row: PendingSignInRow, ttlSeconds: number): Promise<void> {
  await sql.run('delete from staff_oidc_states where expires_at < now()');
  await sql.run(
    `insert into staff_oidc_states (token_hash, council, state, nonce, code_verifier, return_to, expires_at)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [tokenHash, row.council, row.state, row.nonce, row.codeVerifier, row.returnTo, ttlSeconds],
  );
}

/** Takes a sign-in in progress (deleting it, so a second callback finds nothing); undefined when unknown or expired. */
export async function takePendingSignIn(sql: Sql, tokenHash: Buffer): Promise<PendingSignInRow | undefined> {
  return sql.row<PendingSignInRow>(
    `with taken as (delete from staff_oidc_states where token_hash = $1 returning *)
     select council, state, nonce, code_verifier as "codeVerifier", return_to as "returnTo" from taken where expires_at > now()`,
    [tokenHash],
  );
}
