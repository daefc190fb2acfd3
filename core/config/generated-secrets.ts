// `{ generated: name }` secrets: random (256 bits), made once by whichever process gets there first, kept in Postgres so
// every API and worker process shares them. Used for things the hub both signs and verifies (e.g. the sandbox webhook).
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Config } from './load.ts';
import { insertOrReadSecret } from './generated-secrets-repo.ts';

export async function generatedSecret(db: Database, name: string): Promise<string> {
  const fresh = `whsec_${randomBytes(32).toString('base64')}`;
  return insertOrReadSecret(db, name, fresh);
}

/** Replaces `{ generated: name }` objects in bindings and channels configs with their values, and `{publicBaseUrl}` in strings. */
export async function resolveRuntimeConfig(db: Database, config: Config): Promise<void> {
  const visit = async (value: unknown): Promise<unknown> => {
    if (typeof value === 'string') return value.replaceAll('{publicBaseUrl}', config.server.publicBaseUrl.replace(/\/$/, ''));
    if (Array.isArray(value)) return Promise.all(value.map(visit));
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (keys.length === 1 && keys[0] === 'generated' && typeof obj.generated === 'string') return generatedSecret(db, obj.generated);
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = await visit(obj[k]);
      return out;
    }
    return value;
  };
  for (const b of Object.values(config.bindings)) b.config = (await visit(b.config)) as Record<string, unknown>;
  for (const c of Object.values(config.channels)) c.config = (await visit(c.config)) as Record<string, unknown>;
}
