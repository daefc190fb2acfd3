// The SQL of invitations, sessions and failed sign-in attempts. Tokens arrive here already hashed (SHA-256).
import type { Sql } from '../db/database.ts';
import { toUser, userColumns, type StaffUserWithSecrets, type UserRow } from './staff-users-repo.ts';

export interface InvitationRow {
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  pendingTotpSecret: string | null;
}

export async function insertInvitation(sql: Sql, tokenHash: Buffer, userId: string, expiresAt: Date): Promise<void> {
  await sql.run('insert into staff_invitations (token_hash, user_id, expires_at) values ($1, $2, $3)', [tokenHash, userId, expiresAt]);
}

/** An invitation still usable now (not used, not expired), for an account not disabled. */
export async function findOpenInvitation(sql: Sql, tokenHash: Buffer): Promise<InvitationRow | null> {
  const row = await sql.row<{ user_id: string; expires_at: Date; used_at: Date | null; pending_totp_secret: string | null }>(
    `select i.user_id, i.expires_at, i.used_at, i.pending_totp_secret from staff_invitations i join staff_users u on u.id = i.user_id
     where i.token_hash = $1 and i.used_at is null and i.expires_at > now() and u.disabled_at is null`,
    [tokenHash],
  );
  return row ? { userId: row.user_id, expiresAt: row.expires_at, usedAt: row.used_at, pendingTotpSecret: row.pending_totp_secret } : null;
}

export async function setInvitationTotpSecret(sql: Sql, tokenHash: Buffer, encryptedSecret: string): Promise<void> {
  await sql.run('update staff_invitations set pending_totp_secret = $2 where token_hash = $1 and used_at is null', [tokenHash, encryptedSecret]);
}

/** Marks the invitation used; true only for the one caller that did (a link works once). */
export async function useInvitation(sql: Sql, tokenHash: Buffer): Promise<boolean> {
  return (
    (await sql.run('update staff_invitations set used_at = now(), pending_totp_secret = null where token_hash = $1 and used_at is null', [tokenHash])) === 1
  );
}

/** Invitations not yet used are withdrawn when a new one is made for the same person. */
export async function withdrawInvitations(sql: Sql, userId: string): Promise<void> {
  await sql.run('update staff_invitations set expires_at = least(expires_at, now()) where user_id = $1 and used_at is null', [userId]);
}

export type SessionStage = 'password' | 'signed-in';

export interface SessionRow {
  userId: string;
  csrfSecret: string;
  stage: SessionStage;
  createdAt: Date;
  lastSeenAt: Date;
}

export async function insertSession(sql: Sql, tokenHash: Buffer, userId: string, csrfSecret: string, stage: SessionStage): Promise<void> {
  await sql.run('insert into staff_sessions (token_hash, user_id, csrf_secret, stage) values ($1, $2, $3, $4)', [tokenHash, userId, csrfSecret, stage]);
}

/**
 * A live session: not ended, seen within `idleMinutes`, begun within `absoluteHours`, its account enabled. Touches
 * last_seen_at in the same statement, at most once a minute: otherwise the statement only reads, so a page costs no
 * row version, no row lock and no WAL flush at commit (an UPDATE that sets the same value still writes all three, and
 * a person's pages opened at once waited on each other's commits).
 */
export async function touchLiveSession(
  sql: Sql,
  tokenHash: Buffer,
  idleMinutes: number,
  absoluteHours: number,
): Promise<(SessionRow & { user: StaffUserWithSecrets }) | null> {
  // The person's account comes in the same statement: one round trip per page instead of two.
  const row = await sql.row<UserRow & { csrf_secret: string; stage: SessionStage; session_created_at: Date; last_seen_at: Date }>(
    `with live as (
       select s.token_hash, s.csrf_secret, s.stage, s.created_at as session_created_at, s.last_seen_at, ${userColumns('u')}
       from staff_sessions s join staff_users u on u.id = s.user_id
       where s.token_hash = $1 and u.disabled_at is null and s.ended_at is null
         and s.last_seen_at > now() - make_interval(mins => $2) and s.created_at > now() - make_interval(hours => $3)
     ), touched as (
       update staff_sessions s set last_seen_at = now() from live
       where s.token_hash = live.token_hash and live.last_seen_at < now() - interval '1 minute' and s.ended_at is null
       returning s.last_seen_at
     )
     select live.*, coalesce((select last_seen_at from touched), live.last_seen_at) as last_seen_at
     from live`,
    [tokenHash, idleMinutes, absoluteHours],
  );
  if (!row) return null;
  return {
    userId: row.id,
    csrfSecret: row.csrf_secret,
    stage: row.stage,
    createdAt: row.session_created_at,
    lastSeenAt: row.last_seen_at,
    user: toUser(row),
  };
}

export async function endSession(sql: Sql, tokenHash: Buffer): Promise<void> {
  await sql.run('update staff_sessions set ended_at = now() where token_hash = $1 and ended_at is null', [tokenHash]);
}

/** Ends every session of a person (sign out everywhere, a disabled account); answers how many. */
export async function endUserSessions(sql: Sql, userId: string): Promise<number> {
  return sql.run('update staff_sessions set ended_at = now() where user_id = $1 and ended_at is null', [userId]);
}

/** For tests: moves a session's last request (`idle`) or its start (`absolute`) `minutes` into the past. */
export async function backdateSession(sql: Sql, tokenHash: Buffer, minutes: number, what: 'idle' | 'absolute'): Promise<void> {
  const column = what === 'idle' ? 'last_seen_at' : 'created_at';
  await sql.run(`update staff_sessions set ${column} = ${column} - make_interval(mins => $2) where token_hash = $1`, [tokenHash, minutes]);
}

export async function insertFailedSignIn(sql: Sql, email: string | null, address: string): Promise<void> {
  await sql.run('insert into staff_sign_in_attempts (email, address) values ($1, $2)', [email, address]);
}

/** Failed attempts in the last `minutes` for this account and for this address. */
export async function countFailedSignIns(sql: Sql, email: string | null, address: string, minutes: number): Promise<{ byEmail: number; byAddress: number }> {
  const row = await sql.row<{ by_email: number; by_address: number }>(
    `select (select count(*) from staff_sign_in_attempts where email = $1 and created_at > now() - make_interval(mins => $3))::int as by_email,
            (select count(*) from staff_sign_in_attempts where address = $2 and created_at > now() - make_interval(mins => $3))::int as by_address`,
    [email, address, minutes],
  );
  return { byEmail: row?.by_email ?? 0, byAddress: row?.by_address ?? 0 };
}

/** Attempts older than a day are of no further use. */
export async function pruneFailedSignIns(sql: Sql): Promise<void> {
  await sql.run(`delete from staff_sign_in_attempts where created_at < now() - interval '1 day'`);
}
