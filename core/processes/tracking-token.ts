// Tracking links are capability URLs: 256 random bits, shown once to the citizen; only a SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';

export function newTrackingToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashTrackingToken(token) };
}

export function hashTrackingToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Cheap shape check before touching the database. */
export function looksLikeTrackingToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
