// The published services, kept in Postgres with every version ever used, and cached in memory per process.
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import { serviceDefinitionSchema, type ServiceDefinition, type ServiceVersion } from './definition.ts';
import { stableJson } from './stable-json.ts';
import {
  findOrCreateService,
  findPublishedVersions,
  findVersion,
  findVersionByHash,
  findVersionsOf,
  insertDraftVersion,
  lockCatalogue,
  maxVersion,
  notifyCatalogueChanged,
  publishVersion,
  setPublishedVersion,
  type ServiceVersionRecord,
} from './services-repo.ts';

const SYNC_LOCK = 7_214_000_002;

/** Postgres NOTIFY channel on which a publish tells every process to reload the catalogue. */
export const SERVICES_CHANNEL = 'closeloop_services';

export class ServiceCatalogue {
  private published = new Map<string, ServiceVersion>();
  private versions = new Map<string, ServiceVersion>();

  constructor(private readonly db: Database) {}

  /**
   * Stores the definitions read from config: a changed definition becomes a new published version; an unchanged one
   * changes nothing (so a version an admin published through the API stays published across restarts).
   * Runs under an advisory lock so processes starting together agree on version numbers.
   */
  async syncFromConfig(definitions: ServiceDefinition[]): Promise<void> {
    await this.db.transaction(async (t) => {
      await lockCatalogue(t, SYNC_LOCK);
      for (const def of definitions) {
        const hash = contentHash(def);
        const service = await findOrCreateService(t, def.id, def.title);
        let row: { version: number; publishedAt: Date | null } | undefined = await findVersionByHash(t, def.id, hash);
        let changed = false;
        if (!row) {
          const version = (await maxVersion(t, def.id)) + 1;
          await insertDraftVersion(t, { serviceId: def.id, version, definition: def, contentHash: hash, source: 'config' });
          row = { version, publishedAt: null };
          changed = true;
        }
        if (changed || service.publishedVersion === null) {
          await publishVersion(t, def.id, row.version, row.publishedAt ?? new Date());
          await setPublishedVersion(t, def.id, row.version, def.title);
        }
      }
    });
    await this.reload();
  }

  /** Re-reads the published versions from Postgres. */
  async reload(): Promise<void> {
    const rows = await findPublishedVersions(this.db);
    const next = new Map<string, ServiceVersion>();
    for (const row of rows) {
      const sv = toServiceVersion(row);
      next.set(sv.serviceId, sv);
      this.versions.set(key(sv.serviceId, sv.version), sv);
    }
    this.published = next;
  }

  /** Stores a new draft version (from the admin API or the staff console). Identical content reuses the existing version. */
  async createDraft(def: ServiceDefinition, source: 'admin-api' | 'staff-console' = 'admin-api'): Promise<{ version: number; created: boolean }> {
    return this.db.transaction(async (t) => {
      await lockCatalogue(t, SYNC_LOCK);
      const hash = contentHash(def);
      await findOrCreateService(t, def.id, def.title);
      const existing = await findVersionByHash(t, def.id, hash);
      if (existing) return { version: existing.version, created: false };
      const version = (await maxVersion(t, def.id)) + 1;
      await insertDraftVersion(t, { serviceId: def.id, version, definition: def, contentHash: hash, source });
      return { version, created: true };
    });
  }

  /** The version number publishing `def` would give: the identical stored version's, else the next one. */
  async versionNumberFor(def: ServiceDefinition): Promise<number> {
    const existing = await findVersionByHash(this.db, def.id, contentHash(def));
    return existing ? existing.version : (await maxVersion(this.db, def.id)) + 1;
  }

  /** Publishes a version and tells every process (Postgres NOTIFY) to reload. */
  async publish(serviceId: string, version: number): Promise<void> {
    await this.db.transaction(async (t) => {
      await lockCatalogue(t, SYNC_LOCK);
      const row = await findVersion(t, serviceId, version);
      if (!row) throw new NotFoundError(`There is no version ${version} of service "${serviceId}"`);
      await publishVersion(t, serviceId, version, new Date());
      await setPublishedVersion(t, serviceId, version, (row.definition as ServiceDefinition).title);
      await notifyCatalogueChanged(t, SERVICES_CHANNEL, serviceId);
    });
    await this.reload();
  }

  /** Every version of a service, newest first. */
  async versionsOf(serviceId: string): Promise<{ version: number; state: string; source: string; createdAt: Date; publishedAt: Date | null }[]> {
    const rows = await findVersionsOf(this.db, serviceId);
    return rows.map((r) => ({ version: r.version, state: r.state, source: r.source, createdAt: r.createdAt, publishedAt: r.publishedAt }));
  }

  list(): ServiceVersion[] {
    return [...this.published.values()].sort((a, b) => a.definition.title.localeCompare(b.definition.title));
  }

  /** The published version of a service; 404 if there is none. */
  get(serviceId: string): ServiceVersion {
    const sv = this.published.get(serviceId);
    if (!sv) throw new NotFoundError(`There is no service "${serviceId}"`);
    return sv;
  }

  has(serviceId: string): boolean {
    return this.published.has(serviceId);
  }

  /** A specific version (what an older process was submitted with). */
  async getVersion(serviceId: string, version: number): Promise<ServiceVersion> {
    const cached = this.versions.get(key(serviceId, version));
    if (cached) return cached;
    const row = await findVersion(this.db, serviceId, version);
    if (!row) throw new NotFoundError(`There is no version ${version} of service "${serviceId}"`);
    const sv = toServiceVersion(row);
    this.versions.set(key(serviceId, version), sv);
    return sv;
  }
}

function key(id: string, version: number): string {
  return `${id}@${version}`;
}

function toServiceVersion(row: ServiceVersionRecord): ServiceVersion {
  // Stored definitions were valid when stored; parsing again applies defaults added since.
  return { serviceId: row.serviceId, version: row.version, definition: serviceDefinitionSchema.parse(row.definition) };
}

/** A stable hash of a definition: object keys sorted, so YAML key order does not make a new version. */
export function contentHash(def: ServiceDefinition): string {
  return createHash('sha256').update(stableJson(def)).digest('hex');
}
