// Local staff accounts: made by an operator (closeloop staff create), who hands the person a one-time link; the person
// sets a password there, then a second factor (TOTP). The account can sign in only once both are set.
import { randomUUID } from 'node:crypto';
import type { Database, Sql } from '../db/database.ts';
import { insertAuditEvent } from '../governance/audit-repo.ts';
import { hashPassword } from './passwords.ts';
import { decryptSecret, encryptSecret, newTotpSecret, totpKey, totpStepOf } from './totp.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';
import { findStaffUserByEmail, findStaffUserById, insertStaffUser, publicUser, setStaffPassword, setStaffTotpSecret } from './staff-users-repo.ts';
import { findOpenInvitation, insertInvitation, setInvitationTotpSecret, useInvitation, withdrawInvitations } from './staff-sessions-repo.ts';
import { isStaffRole, type StaffRole, type StaffUser } from './types.ts';
import { endUserSessions } from './staff-sessions-repo.ts';
import { disableStaffUser } from './staff-users-repo.ts';

export const INVITATION_DAYS = 7;

export interface NewStaffAccount {
  email: string;
  role: string;
  council?: string | null;
  services?: string[] | null;
  name?: string | null;
}

/** Why an account cannot be made as asked (shown to the operator as is). */
export class StaffAccountError extends Error {
  override name = 'StaffAccountError';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks and makes an account, with its one-time invitation link. `councils` are the configured council ids. An operator
 * sees every council (no --council); the other roles but a hub-wide auditor belong to one council.
 */
export async function createStaffAccount(
  db: Database,
  input: NewStaffAccount,
  options: { publicBaseUrl: string; councils: string[]; actor: string },
): Promise<{ user: StaffUser; link: string }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new StaffAccountError(`"${input.email}" is not an e-mail address`);
  if (!isStaffRole(input.role))
    throw new StaffAccountError(`--role must be operator, council-admin, service-editor, caseworker or auditor (not "${input.role}")`);
  const role: StaffRole = input.role;
  const council = input.council ?? null;
  if (council !== null && !options.councils.includes(council))
    throw new StaffAccountError(`--council "${council}" is not a configured council (known: ${options.councils.join(', ')})`);
  if (role === 'operator' && council !== null) throw new StaffAccountError('an operator sees every council: leave out --council');
  if ((role === 'council-admin' || role === 'service-editor' || role === 'caseworker') && council === null)
    throw new StaffAccountError(`a ${role} belongs to one council: give --council (one of ${options.councils.join(', ')})`);
  const services = input.services?.length ? input.services : null;
  if (services && role !== 'caseworker') throw new StaffAccountError('--services is for caseworkers only');
  if (await findStaffUserByEmail(db, email)) throw new StaffAccountError(`there is already a staff account for ${email}`);
  return db.transaction(async (tx) => {
    const user = await insertStaffUser(tx, { id: randomUUID(), email, name: input.name?.trim() || null, role, council, services });
    const link = await invite(tx, user.id, options.publicBaseUrl);
    await insertAuditEvent(tx, { actor: options.actor, action: 'staff.created', target: user.id, detail: { role, council, services } });
    return { user, link };
  });
}

/** A new one-time link for an account (earlier unused links stop working). */
export async function invite(sql: Sql, userId: string, publicBaseUrl: string): Promise<string> {
  const token = newToken();
  await withdrawInvitations(sql, userId);
  await insertInvitation(sql, hashToken(token), userId, new Date(Date.now() + INVITATION_DAYS * 86_400_000));
  return `${publicBaseUrl.replace(/\/$/, '')}/staff/invitations/${token}`;
}

export interface OpenInvitation {
  user: StaffUser;
  /** The account already has a password (set on this link): the next step is the second factor. */
  passwordSet: boolean;
}

export async function openInvitation(db: Database, token: string): Promise<OpenInvitation | null> {
  if (!looksLikeToken(token)) return null;
  const inv = await findOpenInvitation(db, hashToken(token));
  if (!inv) return null;
  const user = await findStaffUserById(db, inv.userId);
  if (!user) return null;
  return { user: publicUser(user), passwordSet: user.passwordHash !== null };
}

export async function setPasswordFromInvitation(db: Database, token: string, password: string, name: string | null): Promise<boolean> {
  const open = await openInvitation(db, token);
  if (!open) return false;
  await setStaffPassword(db, open.user.id, await hashPassword(password), name);
  return true;
}

/** The secret being set up on this link (made on first sight, kept encrypted with the invitation until confirmed). */
export async function pendingTotpSecret(db: Database, token: string): Promise<string | null> {
  if (!looksLikeToken(token)) return null;
  const hash = hashToken(token);
  const inv = await findOpenInvitation(db, hash);
  if (!inv) return null;
  const key = await totpKey(db);
  if (inv.pendingTotpSecret) return decryptSecret(key, inv.pendingTotpSecret);
  const secret = newTotpSecret();
  await setInvitationTotpSecret(db, hash, encryptSecret(key, secret));
  return secret;
}

/** Confirms the second factor with a code from it: the account is then complete and the link used up. */
export async function confirmTotpFromInvitation(db: Database, token: string, code: string): Promise<StaffUser | null> {
  const open = await openInvitation(db, token);
  if (!open?.passwordSet) return null;
  const secret = await pendingTotpSecret(db, token);
  const step = secret ? totpStepOf(secret, code) : null;
  if (!secret || step === null) return null;
  const key = await totpKey(db);
  return db.transaction(async (tx) => {
    if (!(await useInvitation(tx, hashToken(token)))) return null;
    // The code that confirmed the app is used: it cannot sign in again.
    await setStaffTotpSecret(tx, open.user.id, encryptSecret(key, secret), step);
    await insertAuditEvent(tx, { actor: `staff:${open.user.id}`, action: 'staff.enrolled', target: open.user.id });
    return { ...open.user, hasPassword: true, hasSecondFactor: true };
  });
}

/** Disables an account and ends its sessions; answers whether an enabled account had that address. */
export async function disableStaffAccount(db: Database, email: string, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const id = await disableStaffUser(tx, email);
    if (!id) return false;
    await endUserSessions(tx, id);
    await insertAuditEvent(tx, { actor, action: 'staff.disabled', target: id });
    return true;
  });
}
