// Comparing a secret someone sent with the one we hold, in constant time (no early exit that leaks how much matched).
import { timingSafeEqual } from 'node:crypto';

/** True when `given` (a header value: absent, one string, or several) is exactly `expected`. */
export function secretMatches(given: string | readonly string[] | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | readonly string[] | null | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : (authorization as string | null | undefined);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}
