// The SQL of staff accounts: creating, finding, listing, disabling, and provisioning from OpenID Connect.
import type { Sql } from '../db/database.ts';
import type { StaffRole, StaffUser } from './types.ts';

/** A staff_users row as selected with USER_COLUMNS. */
export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: StaffRole;
  council: string | null;
  services: string[] | null;
  password_hash: string | null;
  totp_secret: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  disabled_at: Date | null;
  created_at: Date;
  last_sign_in_at: Date | null;
}

/** A staff user with the secrets only sign-in needs (password hash, encrypted TOTP secret). */
export interface StaffUserWithSecrets extends StaffUser {
  passwordHash: string | null;
  totpSecret: string | null;
}

const COLUMNS = 'id, email, name, role, council, services, password_hash, totp_secret, oidc_issuer, oidc_subject, disabled_at, created_at, last_sign_in_at';

/** The columns toUser reads, of staff_users under `alias` (for statements that join it). */
export function userColumns(alias: string): string {
  return COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

export function toUser(r: UserRow): StaffUserWithSecrets {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    council: r.council,
    services: r.services,
    oidc: r.oidc_issuer && r.oidc_subject ? { issuer: r.oidc_issuer, subject: r.oidc_subject } : null,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
    hasPassword: r.password_hash !== null,
    hasSecondFactor: r.totp_secret !== null,
    passwordHash: r.password_hash,
    totpSecret: r.totp_secret,
  };
}

/** Without the secrets: what pages and the CLI may hold. */
export function publicUser(u: StaffUserWithSecrets): StaffUser {
  const { passwordHash: _p, totpSecret: _t, ...rest } = u;
  return rest;
}

export interface NewStaffUserRow {
  id: string;
  email: string;
  name: string | null;
  role: StaffRole;
  council: string | null;
  services: string[] | null;
}

export async function insertStaffUser(sql: Sql, u: NewStaffUserRow): Promise<StaffUser> {
  const row = await sql.row<UserRow>(
    `insert into staff_users (id, email, name, role, council, services) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [u.id, u.email, u.name, u.role, u.council, u.services],
  );
  return publicUser(toUser(row!));
}

export async function findStaffUserById(sql: Sql, id: string): Promise<StaffUserWithSecrets | null> {
  const row = await sql.row<UserRow>(`select ${COLUMNS} from staff_users where id = $1`, [id]);
  return row ? toUser(row) : null;
}

export async function findStaffUserByEmail(sql: Sql, email: string): Promise<StaffUserWithSecrets | null> {
  const row = await sql.row<UserRow>(`select ${COLUMNS} from staff_users where email = $1`, [email.trim().toLowerCase()]);
  return row ? toUser(row) : null;
}

export async function listStaffUsers(sql: Sql): Promise<StaffUser[]> {
  const rows = await sql.rows<UserRow>(`select ${COLUMNS} from staff_users order by email`);
  return rows.map((r) => publicUser(toUser(r)));
}

/** Disables an account; answers its id, or null when no enabled account has that e-mail address. */
export async function disableStaffUser(sql: Sql, email: string): Promise<string | null> {
  const row = await sql.row<{ id: string }>(`update staff_users set disabled_at = now() where email = $1 and disabled_at is null returning id`, [
    email.trim().toLowerCase(),
  ]);
  return row?.id ?? null;
}

export async function setStaffPassword(sql: Sql, userId: string, passwordHash: string, name: string | null): Promise<void> {
  await sql.run('update staff_users set password_hash = $2, name = coalesce($3, name) where id = $1', [userId, passwordHash, name]);
}

export async function setStaffTotpSecret(sql: Sql, userId: string, encryptedSecret: string, usedStep: number): Promise<void> {
  await sql.run('update staff_users set totp_secret = $2, totp_last_step = $3 where id = $1', [userId, encryptedSecret, usedStep]);
}

export async function markStaffSignedIn(sql: Sql, userId: string): Promise<void> {
  await sql.run('update staff_users set last_sign_in_at = now() where id = $1', [userId]);
}

export interface OidcStaffUserInput {
  issuer: string;
  subject: string;
  email: string;
  name: string | null;
  role: StaffRole;
  council: string | null;
  services: string[] | null;
}

/**
 * The account of a person signing in through their council's identity provider: found by issuer and subject (or, the first
 * time, by e-mail address: an account made with the CLI is linked), created if new; name, role, council and services are
 * refreshed from the provider's claims on every sign-in (the mapping in config decides them).
 */
export async function upsertOidcStaffUser(sql: Sql, input: OidcStaffUserInput): Promise<StaffUser> {
  const email = input.email.trim().toLowerCase();
  const row = await sql.row<UserRow>(
    `with existing as (
       select id from staff_users where (oidc_issuer = $1 and oidc_subject = $2) or (email = $3 and oidc_subject is null)
       order by (oidc_subject is not null) desc limit 1
     ), updated as (
       update staff_users u set oidc_issuer = $1, oidc_subject = $2, email = $3, name = coalesce($4, u.name), role = $5, council = $6, services = $7
       from existing where u.id = existing.id
       returning u.*
     ), inserted as (
       insert into staff_users (id, email, name, role, council, services, oidc_issuer, oidc_subject)
       select gen_random_uuid(), $3, $4, $5, $6, $7, $1, $2 where not exists (select 1 from existing)
       returning *
     )
     select ${COLUMNS} from updated union all select ${COLUMNS} from inserted`,
    [input.issuer, input.subject, email, input.name, input.role, input.council, input.services],
  );
  return publicUser(toUser(row!));
}

/** Records a code's time step as used; false when that step (or a later one) was used already. */
export async function useTotpStep(sql: Sql, userId: string, step: number): Promise<boolean> {
  return (await sql.run('update staff_users set totp_last_step = $2 where id = $1 and (totp_last_step is null or totp_last_step < $2)', [userId, step])) === 1;
}
