// A citizen's progress through a form, kept in Postgres under a random cookie (only its hash is stored).
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Database, Sql } from '../db/database.ts';
import * as repo from './form-sessions-repo.ts';
import type { FormSession, SentForm } from './session-types.ts';

/** Where a browser's form token lives: the citizen's forms under /services; the designer's "try it" under /staff. */
export interface SessionPlace {
  cookie: string;
  path: string;
}

export const CITIZEN_FORMS: SessionPlace = { cookie: 'closeloop_form', path: '/services' };

export type { FormSession, SentForm, SessionFile } from './session-types.ts';

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The browser's session token, set (HttpOnly, SameSite=Lax) when missing. */
function token(ctx: Context, create: boolean, place: SessionPlace): string | null {
  const existing = ctx.cookies.get(place.cookie);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  if (!create) return null;
  const fresh = randomBytes(32).toString('base64url');
  ctx.cookies.set(place.cookie, fresh, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: place.path, overwrite: true });
  return fresh;
}

/** The browser's form session token, set when missing (to count per session what a page does before any answer is kept). */
export function formSessionToken(ctx: Context, place: SessionPlace = CITIZEN_FORMS): string {
  return token(ctx, true, place)!;
}

export async function loadSession(db: Database, ctx: Context, serviceId: string, place: SessionPlace = CITIZEN_FORMS): Promise<FormSession | null> {
  const t = token(ctx, false, place);
  if (!t) return null;
  const row = await repo.findSession(db, tokenHash(t), serviceId);
  if (!row) return null;
  return { serviceId, serviceVersion: row.service_version, answers: row.answers, files: row.files, result: row.result, sending: !row.open && !row.result };
}

/**
 * Saves the answers of a form being filled in. Returns false, saving nothing, when the form was sent (or is being sent)
 * meanwhile, for example from another tab: a sent form is never reopened.
 */
export async function saveAnswers(
  db: Database,
  ctx: Context,
  session: Pick<FormSession, 'serviceId' | 'serviceVersion' | 'answers' | 'files'>,
  place: SessionPlace = CITIZEN_FORMS,
): Promise<boolean> {
  return repo.saveOpenSession(db, tokenHash(token(ctx, true, place)!), session);
}

/**
 * Claims a form for sending, atomically: of two requests sending the same form (a double click without JavaScript, two
 * tabs), only one gets the answers; the other finds the form sending or sent. Returns null when there is nothing to send.
 */
export async function claimForSending(db: Database, ctx: Context, serviceId: string, place: SessionPlace = CITIZEN_FORMS): Promise<FormSession | null> {
  const t = token(ctx, false, place);
  if (!t) return null;
  const row = await repo.claimOpenSession(db, tokenHash(t), serviceId);
  return row ? { serviceId, serviceVersion: row.service_version, answers: row.answers, files: row.files, result: null, sending: true } : null;
}

/** The form is sent: forget every answer and file, keep only what the confirmation page shows. */
export async function markSent(db: Database, ctx: Context, serviceId: string, sent: SentForm, place: SessionPlace = CITIZEN_FORMS): Promise<void> {
  await repo.markSessionSent(db, tokenHash(token(ctx, false, place)!), serviceId, sent);
}

/** Sending failed (answers no longer valid, the database unreachable): the form can be changed and sent again. */
export async function releaseClaim(db: Database, ctx: Context, serviceId: string, place: SessionPlace = CITIZEN_FORMS): Promise<void> {
  await repo.releaseSessionClaim(db, tokenHash(token(ctx, false, place)!), serviceId);
}

/** Forgets a finished form, so starting the service again begins with empty answers. */
export async function clearSession(db: Database, ctx: Context, serviceId: string, place: SessionPlace = CITIZEN_FORMS): Promise<void> {
  const t = token(ctx, false, place);
  if (!t) return;
  await repo.deleteSession(db, tokenHash(t), serviceId);
}

/**
 * Makes `session` this browser's form for its service, in the caller's transaction, whatever the browser had for it
 * before (a saved form brought back by its link).
 */
export async function restoreSession(
  tx: Sql,
  ctx: Context,
  session: Pick<FormSession, 'serviceId' | 'serviceVersion' | 'answers' | 'files'>,
  place: SessionPlace = CITIZEN_FORMS,
): Promise<void> {
  const hash = tokenHash(token(ctx, true, place)!);
  await repo.deleteSession(tx, hash, session.serviceId);
  await repo.saveOpenSession(tx, hash, session);
}
