// CSRF protection for the sandbox's forms: a random token in a SameSite=Strict, HttpOnly cookie, echoed in a hidden
// field and compared in constant time. The same cookie as the hub's own forms, so either may set it.
import { randomBytes } from 'node:crypto';
import { secretMatches } from '@closeloop/sdk';

const COOKIE = 'closeloop_csrf';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function cookieToken(cookieHeader: string | string[] | undefined): string | undefined {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : (cookieHeader ?? '');
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE && TOKEN.test(value.join('='))) return value.join('=');
  }
  return undefined;
}

/** The token for a page's forms, and the Set-Cookie header to send when the browser has none yet. */
export function csrfToken(cookieHeader: string | string[] | undefined, secure: boolean): { token: string; setCookie?: string } {
  const existing = cookieToken(cookieHeader);
  if (existing) return { token: existing };
  const token = randomBytes(32).toString('base64url');
  return { token, setCookie: `${COOKIE}=${token}; path=/; samesite=strict; httponly${secure ? '; secure' : ''}` };
}

/** Whether a posted form carries the token of the browser's cookie. */
export function csrfMatches(cookieHeader: string | string[] | undefined, submitted: string | null): boolean {
  const cookie = cookieToken(cookieHeader);
  return !!cookie && secretMatches(submitted, cookie);
}
