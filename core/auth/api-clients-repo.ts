// The SQL of `api_clients`: back-office and admin API keys, stored as SHA-256 hashes (the key itself never is).
import type { Sql } from '../db/database.ts';

export interface ApiClientRecord {
  id: string;
  name: string;
  keyPrefix: string;
  services: string[];
  admin: boolean;
  council: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

interface ApiClientColumns {
  id: string;
  name: string;
  key_prefix: string;
  services: string[];
  admin: boolean;
  council: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, name, key_prefix, services, admin, council, expires_at, revoked_at, last_used_at, created_at';

function toRecord(r: ApiClientColumns): ApiClientRecord {
  return {
    id: r.id,
    name: r.name,
    keyPrefix: r.key_prefix,
    services: r.services,
    admin: r.admin,
    council: r.council,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    createdAt: r.created_at,
  };
}

export async function insertApiClient(
  sql: Sql,
  c: { id: string; name: string; keyHash: Buffer; keyPrefix: string; services: string[]; admin: boolean; council: string | null; expiresAt: Date | null },
): Promise<void> {
  await sql.run(
    `insert into api_clients (id, name, key_hash, key_prefix, services, admin, council, expires_at, revoked_at, last_used_at)
     values ($1, $2, $3, $4, $5::text[], $6, $7, $8, null, null)`,
    [c.id, c.name, c.keyHash, c.keyPrefix, c.services, c.admin, c.council, c.expiresAt],
  );
}

/** The client whose key has this hash, if it is neither revoked nor expired at `now`. */
export async function findActiveClientByHash(sql: Sql, keyHash: Buffer, now: Date): Promise<ApiClientRecord | undefined> {
  const row = await sql.row<ApiClientColumns>(
    `select ${COLUMNS} from api_clients where key_hash = $1 and revoked_at is null and (expires_at is null or expires_at > $2)`,
    [keyHash, now],
  );
  return row && toRecord(row);
}

/** Revokes the active clients with this id or key prefix; answers how many. */
export async function revokeApiClients(sql: Sql, by: { id: string } | { keyPrefix: string }, at: Date): Promise<number> {
  return 'id' in by
    ? sql.run('update api_clients set revoked_at = $2 where id = $1 and revoked_at is null', [by.id, at])
    : sql.run('update api_clients set revoked_at = $2 where key_prefix = $1 and revoked_at is null', [by.keyPrefix, at]);
}

/** Tells every API process (Postgres NOTIFY on `channel`) to forget the keys it has cached. */
export async function notifyApiKeysChanged(sql: Sql, channel: string): Promise<void> {
  await sql.rows(`select pg_notify($1, '')`, [channel]);
}

/** Every client, oldest first. */
export async function findApiClients(sql: Sql): Promise<ApiClientRecord[]> {
  const rows = await sql.rows<ApiClientColumns>(`select ${COLUMNS} from api_clients order by created_at asc`);
  return rows.map(toRecord);
}
