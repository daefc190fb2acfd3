// CSRF protection for HTML forms: a random token in a SameSite=Strict, HttpOnly cookie, echoed in a hidden field.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { HttpError } from '../errors.ts';

const COOKIE = 'closeloop_csrf';

export function csrfToken(ctx: Context): string {
  let token = ctx.cookies.get(COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    token = randomBytes(32).toString('base64url');
    ctx.cookies.set(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/', overwrite: true });
  }
  return token;
}

export function checkCsrf(ctx: Context, submitted: unknown): void {
  const cookie = ctx.cookies.get(COOKIE);
  const ok = typeof submitted === 'string' && !!cookie && submitted.length === cookie.length && timingSafeEqual(Buffer.from(submitted), Buffer.from(cookie));
  if (!ok) throw new HttpError(403, 'Forbidden', 'The form has expired. Go back, reload the page and try again.');
}
