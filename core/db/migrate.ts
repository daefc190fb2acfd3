// Runs umzug migrations under a Postgres advisory lock, so many processes starting at once migrate exactly once.
import { Umzug, SequelizeStorage, type MigrationParams } from 'umzug';
import type { Sequelize } from 'sequelize';
import type { PluginMigration } from '@closeloop/sdk';
import { pluginDatabase } from './plugin-database.ts';
import * as initial from './migrations/001-initial.ts';
import * as connectorPolls from './migrations/002-connector-polls.ts';
import * as governance from './migrations/003-governance.ts';
import * as apiClientCouncil from './migrations/004-api-client-council.ts';
import * as outboxIndexes from './migrations/005-outbox-indexes.ts';
import * as replayKeepsAttempts from './migrations/006-replay-keeps-attempts.ts';
import * as processChannel from './migrations/007-process-channel.ts';

/** What a migration may know of closeloop.yaml (a migration that fills in existing rows may need it). */
export interface MigrationConfig {
  /** The configured channels, by name. */
  channels: Record<string, unknown>;
}

export interface SqlRunner {
  query(sql: string, bind?: unknown[]): Promise<unknown>;
  /** Null only when migrations are listed, never when they run. */
  config: MigrationConfig | null;
}
export type Migration = (params: MigrationParams<SqlRunner>) => Promise<void>;

/** Migrations in order. New ones are appended here (a static list: no filesystem globbing at run time). */
const MIGRATIONS: { name: string; module: { up: Migration; down: Migration } }[] = [
  { name: '001-initial', module: initial },
  { name: '002-connector-polls', module: connectorPolls },
  { name: '003-governance', module: governance },
  { name: '004-api-client-council', module: apiClientCouncil },
  { name: '005-outbox-indexes', module: outboxIndexes },
  { name: '006-replay-keeps-attempts', module: replayKeepsAttempts },
  { name: '007-process-channel', module: processChannel },
];

const MIGRATION_LOCK = 7_214_000_001;

function umzugFor(sequelize: Sequelize, config: MigrationConfig | null) {
  const runner: SqlRunner = { query: (sql, bind) => sequelize.query(sql, bind ? { bind } : {}), config };
  return new Umzug<SqlRunner>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.module.up, down: m.module.down })),
    context: runner,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Runs the pending migrations; `config` is the hub's config (or any object with its `channels`). */
export async function migrate(sequelize: Sequelize, config: MigrationConfig): Promise<string[]> {
  return withAdvisoryLock(sequelize, async () => (await umzugFor(sequelize, config).up()).map((m) => m.name));
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await umzugFor(sequelize, null).pending()).map((m) => m.name);
}

/** A plugin's migration, named for the plugin whose tables it makes. */
export interface PluginMigrationOf {
  plugin: string;
  migration: PluginMigration;
}

function pluginUmzugFor(sequelize: Sequelize, migrations: readonly PluginMigrationOf[]) {
  const db = pluginDatabase(sequelize);
  return new Umzug<SqlRunner>({
    migrations: migrations.map(({ plugin, migration }) => ({ name: `${plugin}/${migration.name}`, up: () => migration.up(db) })),
    context: { query: (sql) => sequelize.query(sql), config: null },
    // Their own record, so a plugin's names never clash with the hub's or another plugin's.
    storage: new SequelizeStorage({ sequelize, tableName: 'plugin_migrations' }),
    logger: undefined,
  });
}

/** Runs plugins' migrations not yet applied, under the same lock as the hub's own; returns their names. */
export async function migratePlugins(sequelize: Sequelize, migrations: readonly PluginMigrationOf[]): Promise<string[]> {
  if (!migrations.length) return [];
  return withAdvisoryLock(sequelize, async () => (await pluginUmzugFor(sequelize, migrations).up()).map((m) => m.name));
}

/** Names of plugins' migrations not yet applied. */
export async function pendingPluginMigrations(sequelize: Sequelize, migrations: readonly PluginMigrationOf[]): Promise<string[]> {
  if (!migrations.length) return [];
  return (await pluginUmzugFor(sequelize, migrations).pending()).map((m) => m.name);
}

async function withAdvisoryLock<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  // Hold one connection for the lock's lifetime: advisory locks belong to a session.
  return sequelize.transaction(async (t) => {
    await sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: MIGRATION_LOCK }, transaction: t });
    return fn();
  });
}
