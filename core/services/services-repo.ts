// The SQL of the service catalogue: `services` (one row per service, naming its published version) and
// `service_versions` (every version ever stored, so a process can always be read with the version it was submitted with).
import type { Sql } from '../db/database.ts';

export interface ServiceVersionRecord {
  serviceId: string;
  version: number;
  definition: unknown;
  contentHash: string;
  state: 'draft' | 'published' | 'retired';
  source: string;
  createdAt: Date;
  publishedAt: Date | null;
}

interface ServiceVersionColumns {
  service_id: string;
  version: number;
  definition: unknown;
  content_hash: string;
  state: ServiceVersionRecord['state'];
  source: string;
  created_at: Date;
  published_at: Date | null;
}

const VERSION_COLUMNS = 'service_id, version, definition, content_hash, state, source, created_at, published_at';

function toRecord(r: ServiceVersionColumns): ServiceVersionRecord {
  return {
    serviceId: r.service_id,
    version: r.version,
    definition: r.definition,
    contentHash: r.content_hash,
    state: r.state,
    source: r.source,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}

/** Holds the catalogue's advisory lock until the transaction ends (processes starting together agree on version numbers). */
export async function lockCatalogue(sql: Sql, key: number): Promise<void> {
  await sql.rows('select pg_advisory_xact_lock($1::bigint)', [key]);
}

/** The service's row, made (with no published version) if it has none yet. */
export async function findOrCreateService(sql: Sql, id: string, title: string): Promise<{ publishedVersion: number | null }> {
  await sql.run('insert into services (id, title, published_version) values ($1, $2, null) on conflict (id) do nothing', [id, title]);
  const row = await sql.row<{ published_version: number | null }>('select published_version from services where id = $1', [id]);
  return { publishedVersion: row?.published_version ?? null };
}

/** Points the service at its published version. */
export async function setPublishedVersion(sql: Sql, id: string, version: number, title: string): Promise<void> {
  await sql.run('update services set published_version = $2, title = $3, updated_at = $4 where id = $1', [id, version, title, new Date()]);
}

export async function findVersionByHash(sql: Sql, serviceId: string, contentHash: string): Promise<ServiceVersionRecord | undefined> {
  const row = await sql.row<ServiceVersionColumns>(`select ${VERSION_COLUMNS} from service_versions where service_id = $1 and content_hash = $2`, [
    serviceId,
    contentHash,
  ]);
  return row && toRecord(row);
}

export async function findVersion(sql: Sql, serviceId: string, version: number): Promise<ServiceVersionRecord | undefined> {
  const row = await sql.row<ServiceVersionColumns>(`select ${VERSION_COLUMNS} from service_versions where service_id = $1 and version = $2`, [
    serviceId,
    version,
  ]);
  return row && toRecord(row);
}

/** The highest version number stored for a service; 0 when it has none. */
export async function maxVersion(sql: Sql, serviceId: string): Promise<number> {
  const row = await sql.row<{ max: number | null }>('select max(version) as max from service_versions where service_id = $1', [serviceId]);
  return row?.max ?? 0;
}

export async function insertDraftVersion(
  sql: Sql,
  v: { serviceId: string; version: number; definition: unknown; contentHash: string; source: string },
): Promise<void> {
  await sql.run(
    `insert into service_versions (service_id, version, definition, content_hash, state, source, published_at)
     values ($1, $2, $3::jsonb, $4, 'draft', $5, null)`,
    [v.serviceId, v.version, JSON.stringify(v.definition), v.contentHash, v.source],
  );
}

/** Makes `version` the service's one published version: the one published before is retired. */
export async function publishVersion(sql: Sql, serviceId: string, version: number, publishedAt: Date): Promise<void> {
  await sql.run(`update service_versions set state = 'retired' where service_id = $1 and state = 'published'`, [serviceId]);
  await sql.run(`update service_versions set state = 'published', published_at = $3 where service_id = $1 and version = $2`, [serviceId, version, publishedAt]);
}

/** Tells every process listening on `channel` (Postgres NOTIFY, sent when the transaction commits). */
export async function notifyCatalogueChanged(sql: Sql, channel: string, serviceId: string): Promise<void> {
  await sql.rows('select pg_notify($1, $2)', [channel, serviceId]);
}

export async function findPublishedVersions(sql: Sql): Promise<ServiceVersionRecord[]> {
  const rows = await sql.rows<ServiceVersionColumns>(`select ${VERSION_COLUMNS} from service_versions where state = 'published'`);
  return rows.map(toRecord);
}

/** Every version of a service, newest first. */
export async function findVersionsOf(sql: Sql, serviceId: string): Promise<ServiceVersionRecord[]> {
  const rows = await sql.rows<ServiceVersionColumns>(`select ${VERSION_COLUMNS} from service_versions where service_id = $1 order by version desc`, [
    serviceId,
  ]);
  return rows.map(toRecord);
}
