// The published services, kept in Postgres with every version ever used, and cached in memory per process.
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { NotFoundError } from '../errors.ts';
import { ServiceRow, ServiceVersionRow } from '../db/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition, type ServiceVersion } from './definition.ts';

const SYNC_LOCK = 7_214_000_002;

export class ServiceCatalogue {
  private published = new Map<string, ServiceVersion>();
  private versions = new Map<string, ServiceVersion>();

  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Stores the definitions read from config: a changed definition becomes a new published version; an unchanged one
   * keeps its version. Runs under an advisory lock so processes starting together agree on version numbers.
   */
  async syncFromConfig(definitions: ServiceDefinition[]): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: SYNC_LOCK }, transaction });
      for (const def of definitions) {
        const hash = contentHash(def);
        const [service] = await ServiceRow.findOrCreate({ where: { id: def.id }, defaults: { id: def.id, title: def.title, publishedVersion: null }, transaction });
        let row = await ServiceVersionRow.findOne({ where: { serviceId: def.id, contentHash: hash }, transaction });
        if (!row) {
          const max = ((await ServiceVersionRow.max('version', { where: { serviceId: def.id }, transaction })) as number | null) ?? 0;
          row = await ServiceVersionRow.create(
            { serviceId: def.id, version: max + 1, definition: def, contentHash: hash, state: 'draft', source: 'config', publishedAt: null },
            { transaction },
          );
        }
        if (service.publishedVersion !== row.version) {
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
