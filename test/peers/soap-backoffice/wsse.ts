// Checks a WS-Security UsernameToken the way a careful back office does, read from the raw envelope with core/xml:
// the token is there, the user is known, PasswordDigest = base64(sha1(nonce bytes + created + password)) matches,
// the nonce was never seen before and Created is within 5 minutes of now.
import { createHash, timingSafeEqual } from 'node:crypto';
import { selectText, type parseXmlSafely } from '../../../core/xml/index.ts';

type Document = ReturnType<typeof parseXmlSafely>;

const TOKEN = "/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='Security']/*[local-name()='UsernameToken']";
const DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
/** How far Created may be from the server's clock. */
export const CREATED_TOLERANCE_MS = 5 * 60_000;

/** The UsernameToken's values as received. */
export interface UsernameToken {
  username: string | null;
  /** "PasswordDigest" | "PasswordText" | the Type attribute as sent. */
  passwordType: string | null;
  password: string | null;
  nonce: string | null;
  created: string | null;
}

export function readUsernameToken(envelope: Document): UsernameToken | null {
  if (!envelope.get(TOKEN)) return null;
  const type = selectText(envelope, `${TOKEN}/*[local-name()='Password']/@Type`);
  return {
    username: selectText(envelope, `${TOKEN}/*[local-name()='Username']`),
    passwordType: type === DIGEST ? 'PasswordDigest' : type === TEXT ? 'PasswordText' : type,
    password: selectText(envelope, `${TOKEN}/*[local-name()='Password']`),
    nonce: selectText(envelope, `${TOKEN}/*[local-name()='Nonce']`),
    created: selectText(envelope, `${TOKEN}/*[local-name()='Created']`),
  };
}

export function passwordDigest(nonceBase64: string, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonceBase64, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface WsseVerifier {
  /** Why the token is refused, or null when it is good (the nonce is then remembered). */
  verify(token: UsernameToken | null, now?: number): string | null;
}

export function wsseVerifier(username: string, password: string, options: { acceptPasswordText?: boolean } = {}): WsseVerifier {
  /** Nonces seen, with when they were accepted (kept longer than the Created tolerance, then forgotten). */
  const seen = new Map<string, number>();
  return {
    verify(token, now = Date.now()) {
      if (!token) return 'no UsernameToken in the Security header';
      if (token.username !== username) return 'unknown user or wrong password';
      if (!token.created) return 'the UsernameToken has no Created time';
      const created = Date.parse(token.created);
      if (!Number.isFinite(created) || Math.abs(now - created) > CREATED_TOLERANCE_MS) return 'the UsernameToken was created more than 5 minutes from now';
      if (token.passwordType === 'PasswordDigest') {
        if (!token.nonce || Buffer.from(token.nonce, 'base64').length < 16) return 'the UsernameToken has no nonce of at least 16 bytes';
        if (!same(token.password ?? '', passwordDigest(token.nonce, token.created, password))) return 'unknown user or wrong password';
      } else if (token.passwordType === 'PasswordText' && options.acceptPasswordText) {
        if (!same(token.password ?? '', password)) return 'unknown user or wrong password';
      } else {
        return `password type ${token.passwordType ?? '(none)'} is not accepted`;
      }
      // Checked last, so a wrong password does not burn the nonce of a legitimate retry.
      if (token.nonce) {
        for (const [n, at] of seen) if (now - at > 2 * CREATED_TOLERANCE_MS) seen.delete(n);
        if (seen.has(token.nonce)) return 'the nonce was used before (replay)';
        seen.set(token.nonce, now);
      }
      return null;
    },
  };
}
