// The published services, kept in Postgres with every version ever used, and cached in memory per process.
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { NotFoundError } from '../errors.ts';
import { ServiceRow, ServiceVersionRow } from '../db/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition, type ServiceVersion } from './definition.ts';

const SYNC_LOCK = 7_214_000_002;

/** Postgres NOTIFY channel on which a publish tells every process to reload the catalogue. */
export const SERVICES_CHANNEL = 'closeloop_services';

export class ServiceCatalogue {
  private published = new Map<string, ServiceVersion>();
  private versions = new Map<string, ServiceVersion>();

  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Stores the definitions read from config: a changed definition becomes a new published version; an unchanged one
   * changes nothing (so a version an admin published through the API stays published across restarts).
   * Runs under an advisory lock so processes starting together agree on version numbers.
   */
  async syncFromConfig(definitions: ServiceDefinition[]): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: SYNC_LOCK }, transaction });
      for (const def of definitions) {
        const hash = contentHash(def);
        const [service] = await ServiceRow.findOrCreate({
          where: { id: def.id },
          defaults: { id: def.id, title: def.title, publishedVersion: null },
          transaction,
        });
        let row = await ServiceVersionRow.findOne({ where: { serviceId: def.id, contentHash: hash }, transaction });
        let changed = false;
        if (!row) {
          const max = ((await ServiceVersionRow.max('version', { where: { serviceId: def.id }, transaction })) as number | null) ?? 0;
          row = await ServiceVersionRow.create(
            { serviceId: def.id, version: max + 1, definition: def, contentHash: hash, state: 'draft', source: 'config', publishedAt: null },
            { transaction },
          );
          changed = true;
        }
        if (changed || service.publishedVersion === null) {
          await ServiceVersionRow.update({ state: 'retired' }, { where: { serviceId: def.id, state: 'published' }, transaction });
          await ServiceVersionRow.update(
            { state: 'published', publishedAt: row.publishedAt ?? new Date() },
            { where: { serviceId: def.id, version: row.version }, transaction },
          );
          await service.update({ publishedVersion: row.version, title: def.title, updatedAt: new Date() }, { transaction });
        }
      }
    });
    await this.reload();
  }

  /** Re-reads the published versions from Postgres. */
  async reload(): Promise<void> {
    const rows = await ServiceVersionRow.findAll({ where: { state: 'published' } });
    const next = new Map<string, ServiceVersion>();
    for (const row of rows) {
      const sv = toServiceVersion(row);
      next.set(sv.serviceId, sv);
      this.versions.set(key(sv.serviceId, sv.version), sv);
    }
    this.published = next;
  }

  /** Stores a new draft version (from the admin API). Identical content reuses the existing version. */
  async createDraft(def: ServiceDefinition): Promise<{ version: number; created: boolean }> {
    return this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: SYNC_LOCK }, transaction });
      const hash = contentHash(def);
      await ServiceRow.findOrCreate({ where: { id: def.id }, defaults: { id: def.id, title: def.title, publishedVersion: null }, transaction });
      const existing = await ServiceVersionRow.findOne({ where: { serviceId: def.id, contentHash: hash }, transaction });
      if (existing) return { version: existing.version, created: false };
      const max = ((await ServiceVersionRow.max('version', { where: { serviceId: def.id }, transaction })) as number | null) ?? 0;
      await ServiceVersionRow.create(
        { serviceId: def.id, version: max + 1, definition: def, contentHash: hash, state: 'draft', source: 'admin-api', publishedAt: null },
        { transaction },
      );
      return { version: max + 1, created: true };
    });
  }

  /** Publishes a version and tells every process (Postgres NOTIFY) to reload. */
  async publish(serviceId: string, version: number): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: SYNC_LOCK }, transaction });
      const row = await ServiceVersionRow.findOne({ where: { serviceId, version }, transaction });
      if (!row) throw new NotFoundError(`There is no version ${version} of service "${serviceId}"`);
      await ServiceVersionRow.update({ state: 'retired' }, { where: { serviceId, state: 'published' }, transaction });
      await ServiceVersionRow.update({ state: 'published', publishedAt: new Date() }, { where: { serviceId, version }, transaction });
      await ServiceRow.update(
        { publishedVersion: version, title: (row.definition as ServiceDefinition).title, updatedAt: new Date() },
        { where: { id: serviceId }, transaction },
      );
      await this.sequelize.query(`select pg_notify('${SERVICES_CHANNEL}', :id)`, { replacements: { id: serviceId }, transaction });
    });
    await this.reload();
  }

  /** Every version of a service, newest first. */
  async versionsOf(serviceId: string): Promise<{ version: number; state: string; source: string; createdAt: Date; publishedAt: Date | null }[]> {
    const rows = await ServiceVersionRow.findAll({ where: { serviceId }, order: [['version', 'DESC']] });
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
    const row = await ServiceVersionRow.findOne({ where: { serviceId, version } });
    if (!row) throw new NotFoundError(`There is no version ${version} of service "${serviceId}"`);
    const sv = toServiceVersion(row);
    this.versions.set(key(serviceId, version), sv);
    return sv;
  }
}

function key(id: string, version: number): string {
  return `${id}@${version}`;
}

function toServiceVersion(row: ServiceVersionRow): ServiceVersion {
  // Stored definitions were valid when stored; parsing again applies defaults added since.
  return { serviceId: row.serviceId, version: row.version, definition: serviceDefinitionSchema.parse(row.definition) };
}

/** A stable hash of a definition: object keys sorted, so YAML key order does not make a new version. */
export function contentHash(def: ServiceDefinition): string {
  return createHash('sha256').update(stableJson(def)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
