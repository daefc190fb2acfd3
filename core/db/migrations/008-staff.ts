// The staff console's accounts (local and OpenID Connect), one-time invitations, sessions and failed sign-in attempts.
// Tokens (invitation links, session cookies) are stored only as SHA-256 hashes; TOTP secrets only encrypted.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create table staff_users (
    id uuid primary key,
    email text not null unique check (email = lower(email)),
    name text,
    role text not null check (role in ('operator', 'council-admin', 'caseworker', 'auditor')),
    council text,
    services text[],
    password_hash text,
    totp_secret text,
    -- The time step of the last code accepted: a code works once, even within its 30 seconds.
    totp_last_step bigint,
    oidc_issuer text,
    oidc_subject text,
    disabled_at timestamptz,
    created_at timestamptz not null default now(),
    last_sign_in_at timestamptz,
    unique (oidc_issuer, oidc_subject),
    check (council is not null or role in ('operator', 'auditor'))
  )`);
  await sql.query(`create table staff_invitations (
    token_hash bytea primary key,
    user_id uuid not null references staff_users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    -- The second factor being set up (encrypted), until the person confirms a code from it.
    pending_totp_secret text
  )`);
  await sql.query('create index staff_invitations_user on staff_invitations (user_id)');
  await sql.query(`create table staff_sessions (
    token_hash bytea primary key,
    user_id uuid not null references staff_users (id) on delete cascade,
    csrf_secret text not null,
    -- 'password': the password was right, the second factor is still to come; 'signed-in': both factors given.
    stage text not null check (stage in ('password', 'signed-in')),
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    ended_at timestamptz
  )`);
  await sql.query('create index staff_sessions_user on staff_sessions (user_id) where ended_at is null');
  await sql.query(`create table staff_sign_in_attempts (
    id bigserial primary key,
    email text,
    address text,
    created_at timestamptz not null default now()
  )`);
  await sql.query('create index staff_sign_in_attempts_email on staff_sign_in_attempts (email, created_at)');
  await sql.query('create index staff_sign_in_attempts_address on staff_sign_in_attempts (address, created_at)');
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop table if exists staff_sign_in_attempts, staff_sessions, staff_invitations, staff_users');
};
