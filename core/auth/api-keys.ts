// Back-office API keys: random, shown once, stored as a SHA-256 hash; scoped to services; optional expiry; revocable.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import { ApiClientRow } from '../db/index.ts';

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
export async function createApiKey(input: NewApiKey): Promise<{ client: ApiClient; key: string }> {
  const key = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await ApiClientRow.create({
    id,
    name: input.name,
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, 10),
    services: input.services,
    admin: input.admin ?? false,
    council: input.council ?? null,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
    lastUsedAt: null,
  });
  return { client: { id, name: input.name, services: input.services, admin: input.admin ?? false, council: input.council ?? null }, key };
}

/** The client a key belongs to, if the key is valid now (not revoked, not expired). */
export async function findClientByKey(key: string): Promise<ApiClient | null> {
  if (!key.startsWith(PREFIX) || key.length > 100) return null;
  const row = await ApiClientRow.findOne({
    where: {
      keyHash: hashApiKey(key),
      revokedAt: null,
      [Op.or]: [{ expiresAt: null }, { expiresAt: { [Op.gt]: new Date() } }],
    },
  });
  return row ? { id: row.id, name: row.name, services: row.services, admin: row.admin, council: row.council ?? null } : null;
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

export async function revokeApiKey(idOrPrefix: string): Promise<number> {
  const where = /^[0-9a-f-]{36}$/.test(idOrPrefix) ? { id: idOrPrefix } : { keyPrefix: idOrPrefix };
  const [count] = await ApiClientRow.update({ revokedAt: new Date() }, { where: { ...where, revokedAt: null } });
  return count;
}

export async function listApiClients(): Promise<ApiClientRow[]> {
  return ApiClientRow.findAll({ order: [['createdAt', 'ASC']] });
}
