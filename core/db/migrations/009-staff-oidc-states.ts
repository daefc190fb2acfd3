// A staff OpenID Connect sign-in in progress: what the callback must check (state, nonce, PKCE code verifier), kept
// server-side for ten minutes under the SHA-256 of a random cookie value, and deleted when the callback uses it (once).
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create table staff_oidc_states (
    token_hash bytea primary key,
    council text not null,
    state text not null,
    nonce text not null,
    code_verifier text not null,
    return_to text,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`);
  await sql.query('create index staff_oidc_states_expires on staff_oidc_states (expires_at)');
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop table staff_oidc_states');
};
