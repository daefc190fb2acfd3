// Local sign-in in two steps: e-mail address and password, then a code from the person's authenticator app. Failed
// attempts are counted in Postgres: 5 for one account, or 50 from one address (a council office shares one public
// address behind its firewall: one person's typos must not lock out the building), within 15 minutes; further attempts
// are refused (429) until the oldest of them is 15 minutes old.
import type { Database } from '../db/database.ts';
import { verifyPassword } from './passwords.ts';
import { decryptSecret, totpKey, totpStepOf } from './totp.ts';
import { countFailedSignIns, insertFailedSignIn, pruneFailedSignIns } from './staff-sessions-repo.ts';
import { findStaffUserByEmail, findStaffUserById, useTotpStep } from './staff-users-repo.ts';

export const MAX_FAILED_ATTEMPTS = 5;
export const MAX_FAILED_PER_ADDRESS = 50;
export const ATTEMPT_WINDOW_MINUTES = 15;

export type PasswordOutcome =
  | { ok: true; userId: string }
  | { ok: false; reason: 'rate-limited' | 'wrong' }
  /** Right password, but the account has no second factor yet: it cannot sign in (its invitation link sets one). */
  | { ok: false; reason: 'no-second-factor' };

export type CodeOutcome = { ok: true } | { ok: false; reason: 'rate-limited' | 'wrong' };

/** Whether this account or address has used up its failed attempts. */
export async function signInLimited(db: Database, email: string | null, address: string): Promise<boolean> {
  const { byEmail, byAddress } = await countFailedSignIns(db, email, address, ATTEMPT_WINDOW_MINUTES);
  return byEmail >= MAX_FAILED_ATTEMPTS || byAddress >= MAX_FAILED_PER_ADDRESS;
}

async function fail(db: Database, email: string | null, address: string): Promise<void> {
  await insertFailedSignIn(db, email, address);
  if (Math.random() < 0.01) await pruneFailedSignIns(db);
}

export async function checkPassword(db: Database, emailTyped: string, password: string, address: string): Promise<PasswordOutcome> {
  const email = emailTyped.trim().toLowerCase().slice(0, 320);
  if (await signInLimited(db, email, address)) return { ok: false, reason: 'rate-limited' };
  const user = await findStaffUserByEmail(db, email);
  const right = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !right || user.disabledAt) {
    await fail(db, email, address);
    return { ok: false, reason: 'wrong' };
  }
  if (!user.totpSecret) return { ok: false, reason: 'no-second-factor' };
  return { ok: true, userId: user.id };
}

export async function checkCode(db: Database, userId: string, code: string, address: string): Promise<CodeOutcome> {
  const user = await findStaffUserById(db, userId);
  if (!user?.totpSecret || user.disabledAt) return { ok: false, reason: 'wrong' };
  if (await signInLimited(db, user.email, address)) return { ok: false, reason: 'rate-limited' };
  const step = totpStepOf(decryptSecret(await totpKey(db), user.totpSecret), code);
  // A right code already used (someone watching, a replayed request) counts as a wrong one.
  if (step === null || !(await useTotpStep(db, user.id, step))) {
    await fail(db, user.email, address);
    return { ok: false, reason: 'wrong' };
  }
  return { ok: true };
}
