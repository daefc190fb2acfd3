// Capability tokens (invitation links, session cookies): 256 random bits, base64url; only a SHA-256 hash is stored.
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether a string could be one of our tokens (anything else is not looked up). */
export function looksLikeToken(token: string | undefined | null): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}
