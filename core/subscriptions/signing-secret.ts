// A subscription's signing secret (Standard Webhooks, whsec_ and 256 random bits): shown once when the subscription is
// made, then kept only encrypted (AES-256-GCM, as staff TOTP secrets are) with a key from CLOSELOOP_SUBSCRIPTIONS_KEY, or
// else a `{ generated }` secret the hub keeps in Postgres. The worker decrypts it to sign each event.
import { createHash } from 'node:crypto';
import { generateWebhookSecret } from '@closeloop/sdk';
import type { Database } from '../db/database.ts';
import { generatedSecret } from '../config/generated-secrets.ts';
import { decryptSecret, encryptSecret } from '../staff/totp.ts';

export const SUBSCRIPTIONS_KEY_ENV = 'CLOSELOOP_SUBSCRIPTIONS_KEY';
const GENERATED_KEY_NAME = 'subscriptions-key';

const keys = new WeakMap<Database, Promise<Buffer>>();

function keyOf(db: Database, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    const fromEnv = env[SUBSCRIPTIONS_KEY_ENV];
    key = (fromEnv ? Promise.resolve(fromEnv) : generatedSecret(db, GENERATED_KEY_NAME)).then((s) => createHash('sha256').update(s).digest());
    keys.set(db, key);
  }
  return key;
}

/** A fresh secret and its encrypted form (the only one stored). */
export async function newSigningSecret(db: Database): Promise<{ secret: string; encrypted: string }> {
  const secret = generateWebhookSecret();
  return { secret, encrypted: encryptSecret(await keyOf(db), secret) };
}

export async function signingSecretOf(db: Database, encrypted: string): Promise<string> {
  return decryptSecret(await keyOf(db), encrypted);
}
