// The second factor: time-based one-time codes (RFC 6238, 6 digits, 30 s, SHA-1: what every authenticator app reads),
// through `otpauth`. Secrets are kept encrypted (AES-256-GCM) with a key from CLOSELOOP_STAFF_TOTP_KEY, or else a
// `{ generated }` secret the hub keeps in Postgres.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Database } from '../db/database.ts';
import { generatedSecret } from '../config/generated-secrets.ts';

export const TOTP_KEY_ENV = 'CLOSELOOP_STAFF_TOTP_KEY';
const GENERATED_KEY_NAME = 'staff-totp-key';

const keys = new WeakMap<Database, Promise<Buffer>>();

/** The encryption key of TOTP secrets (resolved once per database handle). */
export function totpKey(db: Database, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    const fromEnv = env[TOTP_KEY_ENV];
    key = (fromEnv ? Promise.resolve(fromEnv) : generatedSecret(db, GENERATED_KEY_NAME)).then((s) => createHash('sha256').update(s).digest());
    keys.set(db, key);
  }
  return key;
}

export function encryptSecret(key: Buffer, secretBase32: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secretBase32, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [v, iv, tag, body] = stored.split(':');
  if (v !== 'v1' || !iv || !tag || !body) throw new Error('not an encrypted TOTP secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** A fresh secret (160 bits), base32 as authenticator apps take it typed in. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secretBase32: string, label = 'staff', issuer = 'Closeloop'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

/** Whether a typed code is right now (one 30-second step either side is allowed for clocks that drift). */
export function verifyTotp(secretBase32: string, code: string): boolean {
  return totpStepOf(secretBase32, code) !== null;
}

/** The time step a typed code belongs to, or null when it is wrong (so a used code can be refused the second time). */
export function totpStepOf(secretBase32: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / 30) + delta;
}

/** The current code (tests use it as an authenticator app would). */
export function currentTotp(secretBase32: string): string {
  return totpOf(secretBase32).generate();
}

/** The otpauth:// link and its QR code as an SVG data URL (the CSP allows data: images; no script needed). */
export async function totpEnrolment(secretBase32: string, email: string, issuer: string): Promise<{ uri: string; qrDataUrl: string }> {
  const uri = totpOf(secretBase32, email, issuer).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The secret grouped in fours, easier to type in. */
export function groupedSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})/g, '$1 ').trim();
}
