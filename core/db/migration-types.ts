// What a migration is given: SQL on the migration's connection, and what it may know of closeloop.yaml.
import type { MigrationParams } from 'umzug';

/** What a migration may know of closeloop.yaml (a migration that fills in existing rows may need it). */
export interface MigrationConfig {
  /** The configured channels, by name. */
  channels: Record<string, unknown>;
}

export interface SqlRunner {
  query(sql: string, bind?: unknown[]): Promise<unknown>;
  /** Null only for plugins' migrations (they see their own database, not the hub's config). */
  config: MigrationConfig | null;
}
export type Migration = (params: MigrationParams<SqlRunner>) => Promise<void>;
