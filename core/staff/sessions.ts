// Staff sessions, kept in Postgres: a random cookie (only its hash stored), an idle and an absolute timeout
// (staff.session in closeloop.yaml), a CSRF secret per session, and "sign out everywhere". The cookie is HttpOnly,
// SameSite=Lax, Secure when the request came over TLS, and sent only to /staff.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Hub } from '../hub.ts';
import type { Database } from '../db/database.ts';
import { HttpError } from '../errors.ts';
import { insertAuditEvent } from '../governance/audit-repo.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';
import { endSession, endUserSessions, insertSession, touchLiveSession, type SessionStage } from './staff-sessions-repo.ts';
import { markStaffSignedIn, publicUser } from './staff-users-repo.ts';
import { hasRole } from './scope.ts';
import { staffActor, type StaffRole, type StaffUser } from './types.ts';

export const SESSION_COOKIE = 'closeloop_staff';
export const STAFF_PATH = '/staff';
/** Between the password and the second factor: a few minutes to type the code. */
const PASSWORD_STAGE_MINUTES = 10;

export interface StaffSession {
  user: StaffUser;
  stage: SessionStage;
  csrfToken: string;
  tokenHash: Buffer;
}

/** What the /staff router keeps on ctx.state (requireStaff reads it). */
export interface StaffState {
  staff?: StaffUser;
  csrfToken?: string;
  staffSession?: StaffSession | null;
  staffHub?: Hub;
}

function setCookie(ctx: Koa.Context, value: string | null): void {
  ctx.cookies.set(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: STAFF_PATH, overwrite: true });
}

/** Starts a session at `stage` and sets its cookie (any session the browser had ends first). */
export async function startSession(ctx: Koa.Context, hub: Hub, userId: string, stage: SessionStage): Promise<void> {
  const old = ctx.cookies.get(SESSION_COOKIE);
  if (looksLikeToken(old)) await endSession(hub.db, hashToken(old));
  const token = newToken();
  await insertSession(hub.db, hashToken(token), userId, randomBytes(32).toString('base64url'), stage);
  setCookie(ctx, token);
}

/**
 * Signs a person in (both factors given, or their council's identity provider vouched for them): a new session, its
 * cookie, the sign-in recorded. The OpenID Connect callback calls this once it has checked the ID token.
 */
export async function signInStaff(ctx: Koa.Context, hub: Hub, userId: string): Promise<void> {
  await startSession(ctx, hub, userId, 'signed-in');
  await markStaffSignedIn(hub.db, userId);
  await insertAuditEvent(hub.db, { actor: staffActor({ id: userId }), action: 'staff.signed-in', target: userId });
}

/** The browser's live session, if any (timeouts applied; a disabled account has none). */
export async function readSession(ctx: Koa.Context, hub: Hub): Promise<StaffSession | null> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (!looksLikeToken(token)) return null;
  const tokenHash = hashToken(token);
  const { idleMinutes, absoluteHours } = hub.config.staff.session;
  const row = await touchLiveSession(hub.db, tokenHash, idleMinutes, absoluteHours);
  if (!row) return null;
  if (row.stage === 'password' && Date.now() - row.createdAt.getTime() > PASSWORD_STAGE_MINUTES * 60_000) return null;
  if (row.user.disabledAt) return null;
  return { user: publicUser(row.user), stage: row.stage, csrfToken: row.csrfSecret, tokenHash };
}

/** Ends this browser's session and clears its cookie. */
export async function signOut(ctx: Koa.Context, hub: Hub): Promise<void> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (looksLikeToken(token)) await endSession(hub.db, hashToken(token));
  setCookie(ctx, null);
}

/** Ends every session of the person, on every device; answers how many. */
export async function signOutEverywhere(db: Database, user: StaffUser): Promise<number> {
  const n = await endUserSessions(db, user.id);
  await insertAuditEvent(db, { actor: staffActor(user), action: 'staff.signed-out-everywhere', target: user.id, detail: { sessions: n } });
  return n;
}

/** The session's CSRF token must come back with every POST (hidden field `_csrf`); 403 otherwise. */
export function checkStaffCsrf(session: Pick<StaffSession, 'csrfToken'>, submitted: unknown): void {
  const expected = Buffer.from(session.csrfToken);
  const ok = typeof submitted === 'string' && submitted.length === session.csrfToken.length && timingSafeEqual(Buffer.from(submitted), expected);
  if (!ok) throw new HttpError(403, 'Forbidden', 'The form has expired. Go back, reload the page and try again.');
}

/** Loads the browser's session into ctx.state (the /staff router runs it first; requireStaff needs it). */
export function loadStaffSession(hub: Hub): Koa.Middleware {
  return async (ctx, next) => {
    const state = ctx.state as StaffState;
    state.staffHub = hub;
    state.staffSession = await readSession(ctx, hub);
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

/**
 * Lets through only a signed-in person (both factors) of one of `roles` (none: any role): ctx.state.staff is the person,
 * ctx.state.csrfToken the token for forms; a POST without that token (form field `_csrf`) is 403. Signed out: a redirect
 * to /staff/sign-in (403 for a POST). Another role: 403. Runs on the /staff router, after loadStaffSession and the form
 * body parser (core/http/staff/index.ts).
 */
export function requireStaff(...roles: StaffRole[]): Koa.Middleware {
  return async (ctx, next) => {
    const state = ctx.state as StaffState;
    const session = state.staffSession;
    if (!session || session.stage !== 'signed-in') {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') {
        ctx.redirect(`${STAFF_PATH}/sign-in`);
        return;
      }
      throw new HttpError(403, 'Forbidden', 'You are signed out. Sign in and try again.');
    }
    // Every form posted by a signed-in person carries the session's token (the /staff router parses the form first).
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) checkStaffCsrf(session, (ctx.request as { body?: Record<string, unknown> }).body?._csrf);
    if (!hasRole(session.user, roles)) throw new HttpError(403, 'Forbidden', 'You do not have access to this page.');
    state.staff = session.user;
    state.csrfToken = session.csrfToken;
    await next();
  };
}
