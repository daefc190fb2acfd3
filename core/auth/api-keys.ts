// Back-office API keys: random, shown once, stored as a SHA-256 hash; scoped to services; optional expiry; revocable.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../db/database.ts';
import { findActiveClientByHash, findApiClients, insertApiClient, notifyApiKeysChanged, revokeApiClients, type ApiClientRecord } from './api-clients-repo.ts';

export interface ApiClient {
  id: string;
  name: string;
  /** Service ids, or ["*"] for every service. */
  services: string[];
  admin: boolean;
  /** The council whose processes this key may see; null: the hub operator's key, every council. */
  council: string | null;
}

export interface NewApiKey {
  name: string;
  services: string[];
  admin?: boolean;
  council?: string | null;
  expiresAt?: Date | null;
}

const PREFIX = 'clk_';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Creates a client and returns its key; the key itself is never stored. */
export async function createApiKey(sql: Sql, input: NewApiKey): Promise<{ client: ApiClient; key: string }> {
  const key = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await insertApiClient(sql, {
    id,
    name: input.name,
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, 10),
    services: input.services,
    admin: input.admin ?? false,
    council: input.council ?? null,
    expiresAt: input.expiresAt ?? null,
  });
  return { client: { id, name: input.name, services: input.services, admin: input.admin ?? false, council: input.council ?? null }, key };
}

/** Why an expiry date given for a new key cannot be used. */
export class KeyExpiryError extends Error {
  override name = 'KeyExpiryError';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A new key's expiry: a date (YYYY-MM-DD, the key stops working at its start, 00:00 UTC) or an ISO date-time with a
 * time zone, strictly after `now`. `new Date()` alone would take "2027-02-30" as 2 March and "1" as the year 2001, and a
 * past date would make a key that never works.
 */
export function parseKeyExpiry(text: string, now = new Date()): Date {
  const example = new Date(now.getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
  const date = ISO_DATE.test(text) || ISO_DATE_TIME.test(text) ? new Date(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text) : null;
  if (!date || Number.isNaN(date.getTime()) || !isCalendarDate(text.slice(0, 10)))
    throw new KeyExpiryError(`"${text}" is not a date: give it as YYYY-MM-DD, like ${example}`);
  if (date.getTime() <= now.getTime()) {
    const today = ISO_DATE.test(text) && text === now.toISOString().slice(0, 10);
    throw new KeyExpiryError(
      `"${text}" is ${today ? 'today: the key would expire at once (at 00:00 UTC)' : 'in the past: the key would never work'}. Give a date after today, like ${example}`,
    );
  }
  return date;
}

/** Whether YYYY-MM-DD names a day that exists (Date would take 30 February as 2 March). */
function isCalendarDate(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

/** Postgres NOTIFY channel on which a revocation tells every API process to forget its cached keys. */
export const API_KEYS_CHANNEL = 'closeloop_api_keys';

/**
 * Valid keys seen recently, by hash: a back office calling many times a second costs no lookup each time. A revocation
 * clears the cache in this process at once and in the others on its NOTIFY; the TTL bounds the delay if a notification
 * is lost. Unknown keys are never cached (a new key works at once; a wrong one goes to the failure limiter).
 */
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, { client: ApiClient; expiresAt: Date | null; until: number }>();

export function forgetCachedApiKeys(): void {
  keyCache.clear();
}

/** The client a key belongs to, if the key is valid now (not revoked, not expired). */
export async function findClientByKey(sql: Sql, key: string): Promise<ApiClient | null> {
  if (!key.startsWith(PREFIX) || key.length > 100) return null;
  const hash = hashApiKey(key);
  const cacheKey = hash.toString('hex');
  const now = Date.now();
  const cached = keyCache.get(cacheKey);
  if (cached && cached.until > now) return cached.expiresAt && cached.expiresAt.getTime() <= now ? null : cached.client;
  const row = await findActiveClientByHash(sql, hash, new Date());
  if (!row) {
    keyCache.delete(cacheKey);
    return null;
  }
  const client: ApiClient = { id: row.id, name: row.name, services: row.services, admin: row.admin, council: row.council ?? null };
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(cacheKey, { client, expiresAt: row.expiresAt ?? null, until: now + KEY_CACHE_TTL_MS });
  return client;
}

/** Whether the key belongs to the council that owns a service (operator keys belong to every council). */
export function clientInCouncil(client: ApiClient, serviceCouncil: string): boolean {
  return client.council === null || client.council === serviceCouncil;
}

/** Whether the key may see a service's processes: its council's, and (unless admin or "*") a service it names. */
export function clientMaySee(client: ApiClient, serviceId: string, serviceCouncil: string): boolean {
  if (!clientInCouncil(client, serviceCouncil)) return false;
  return client.admin || client.services.includes('*') || client.services.includes(serviceId);
}

export async function revokeApiKey(sql: Sql, idOrPrefix: string): Promise<number> {
  const by = /^[0-9a-f-]{36}$/.test(idOrPrefix) ? { id: idOrPrefix } : { keyPrefix: idOrPrefix };
  const count = await revokeApiClients(sql, by, new Date());
  forgetCachedApiKeys();
  if (count > 0) await notifyApiKeysChanged(sql, API_KEYS_CHANNEL);
  return count;
}

export async function listApiClients(sql: Sql): Promise<ApiClientRecord[]> {
  return findApiClients(sql);
}
