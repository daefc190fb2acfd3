// Runs umzug migrations under a Postgres advisory lock, so many processes starting at once migrate exactly once.
//
// This is the one place Sequelize is kept: umzug's SequelizeStorage keeps the record of applied migrations
// (schema_migrations, plugin_migrations), as it has since the first release. A migration run opens its own Sequelize on
// one connection and closes it; everything else reaches Postgres through core/db/database.ts.
import type { Umzug as UmzugType } from 'umzug';
import type { Migration, MigrationConfig, SqlRunner } from './migration-types.ts';
import type { Sequelize } from 'sequelize';
import type { PluginMigration } from '@closeloop/sdk';
import type { Database, Sql } from './database.ts';
import { pluginDatabase } from './plugin-database.ts';
import { safePg } from './safe-pg.ts';
import * as initial from './migrations/001-initial.ts';
import * as connectorPolls from './migrations/002-connector-polls.ts';
import * as governance from './migrations/003-governance.ts';
import * as apiClientCouncil from './migrations/004-api-client-council.ts';
import * as outboxIndexes from './migrations/005-outbox-indexes.ts';
import * as replayKeepsAttempts from './migrations/006-replay-keeps-attempts.ts';
import * as processChannel from './migrations/007-process-channel.ts';
import * as staff from './migrations/008-staff.ts';
import * as staffOidcStates from './migrations/009-staff-oidc-states.ts';
import * as caseSearch from './migrations/010-case-search.ts';
import * as overviewIndexes from './migrations/011-overview-indexes.ts';
import * as serviceDesigner from './migrations/012-service-designer.ts';
import * as serviceXsds from './migrations/013-service-xsds.ts';
import * as serviceVersionsAudit from './migrations/015-service-versions-audit.ts';
import * as taskTargets from './migrations/016-task-targets.ts';
import * as savedForms from './migrations/017-saved-forms.ts';
import * as councilDocuments from './migrations/018-council-documents.ts';
import * as citizenReplies from './migrations/019-citizen-replies.ts';
import * as subscriptions from './migrations/020-subscriptions.ts';
import * as gazetteer from './migrations/021-gazetteer.ts';
import * as deliveriesByChange from './migrations/022-deliveries-by-change.ts';
import * as timeOrderedIds from './migrations/023-time-ordered-ids.ts';
import * as outboxVacuum from './migrations/024-outbox-vacuum.ts';

export type { Migration, MigrationConfig, SqlRunner } from './migration-types.ts';

/** Migrations in order. New ones are appended here (a static list: no filesystem globbing at run time). */
const MIGRATIONS: { name: string; module: { up: Migration; down: Migration } }[] = [
  { name: '001-initial', module: initial },
  { name: '002-connector-polls', module: connectorPolls },
  { name: '003-governance', module: governance },
  { name: '004-api-client-council', module: apiClientCouncil },
  { name: '005-outbox-indexes', module: outboxIndexes },
  { name: '006-replay-keeps-attempts', module: replayKeepsAttempts },
  { name: '007-process-channel', module: processChannel },
  { name: '008-staff', module: staff },
  { name: '009-staff-oidc-states', module: staffOidcStates },
  { name: '010-case-search', module: caseSearch },
  { name: '011-overview-indexes', module: overviewIndexes },
  { name: '012-service-designer', module: serviceDesigner },
  { name: '013-service-xsds', module: serviceXsds },
  { name: '015-service-versions-audit', module: serviceVersionsAudit },
  { name: '016-task-targets', module: taskTargets },
  { name: '017-saved-forms', module: savedForms },
  { name: '018-council-documents', module: councilDocuments },
  { name: '019-citizen-replies', module: citizenReplies },
  { name: '020-subscriptions', module: subscriptions },
  { name: '021-gazetteer', module: gazetteer },
  { name: '022-deliveries-by-change', module: deliveriesByChange },
  { name: '023-time-ordered-ids', module: timeOrderedIds },
  { name: '024-outbox-vacuum', module: outboxVacuum },
];

const MIGRATION_LOCK = 7_214_000_001;

/** A Sequelize of its own for the length of `fn` (a migration run is rare and short). */
async function withSequelize<T>(db: Database, fn: (sequelize: Sequelize, umzug: typeof import('umzug')) => Promise<T>): Promise<T> {
  // Loaded only when a migration is pending: most starts find the schema current, and Sequelize and umzug are a
  // third of a second of every process's start.
  const [{ Sequelize }, umzug] = await Promise.all([import('sequelize'), import('umzug')]);
  const sequelize = new Sequelize(db.url, {
    dialect: 'postgres',
    dialectModule: safePg,
    logging: false,
    // Two: the advisory lock holds one connection in its transaction while umzug runs the migrations on the other.
    pool: { max: 2, min: 0 },
    dialectOptions: { application_name: 'closeloop-migrate' },
  });
  try {
    return await fn(sequelize, umzug);
  } finally {
    await sequelize.close();
  }
}

function umzugFor(sequelize: Sequelize, { Umzug, SequelizeStorage }: typeof import('umzug'), config: MigrationConfig): UmzugType<SqlRunner> {
  const runner: SqlRunner = { query: (sql, bind) => sequelize.query(sql, bind ? { bind } : {}), config };
  return new Umzug<SqlRunner>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.module.up, down: m.module.down })),
    context: runner,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Runs the pending migrations; `config` is the hub's config (or any object with its `channels`). */
export async function migrate(db: Database, config: MigrationConfig): Promise<string[]> {
  // Applied migrations are never unapplied, so a schema read as current needs no lock.
  if (!(await pendingMigrations(db)).length) return [];
  return withSequelize(db, (sequelize, umzug) => withAdvisoryLock(sequelize, async () => (await umzugFor(sequelize, umzug, config).up()).map((m) => m.name)));
}

/** Names of the migrations in `table` not yet applied, in order (read straight from umzug's record). */
async function notApplied(sql: Sql, table: 'schema_migrations' | 'plugin_migrations', names: string[]): Promise<string[]> {
  const [exists] = await sql.rows<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
  if (!exists?.t) return names;
  const applied = new Set((await sql.rows<{ name: string }>(`select name from ${table}`)).map((r) => r.name));
  return names.filter((n) => !applied.has(n));
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(sql: Sql): Promise<string[]> {
  return notApplied(
    sql,
    'schema_migrations',
    MIGRATIONS.map((m) => m.name),
  );
}

/** A plugin's migration, named for the plugin whose tables it makes. */
export interface PluginMigrationOf {
  plugin: string;
  migration: PluginMigration;
}

const pluginMigrationName = ({ plugin, migration }: PluginMigrationOf) => `${plugin}/${migration.name}`;

function pluginUmzugFor(
  db: Database,
  sequelize: Sequelize,
  { Umzug, SequelizeStorage }: typeof import('umzug'),
  migrations: readonly PluginMigrationOf[],
): UmzugType<SqlRunner> {
  return new Umzug<SqlRunner>({
    migrations: migrations.map((m) => ({ name: pluginMigrationName(m), up: () => m.migration.up(pluginDatabase(db)) })),
    context: { query: (sql) => sequelize.query(sql), config: null },
    // Their own record, so a plugin's names never clash with the hub's or another plugin's.
    storage: new SequelizeStorage({ sequelize, tableName: 'plugin_migrations' }),
    logger: undefined,
  });
}

/** Runs plugins' migrations not yet applied, under the same lock as the hub's own; returns their names. */
export async function migratePlugins(db: Database, migrations: readonly PluginMigrationOf[]): Promise<string[]> {
  if (!(await pendingPluginMigrations(db, migrations)).length) return [];
  return withSequelize(db, (sequelize, umzug) =>
    withAdvisoryLock(sequelize, async () => (await pluginUmzugFor(db, sequelize, umzug, migrations).up()).map((m) => m.name)),
  );
}

/** Names of plugins' migrations not yet applied. */
export async function pendingPluginMigrations(sql: Sql, migrations: readonly PluginMigrationOf[]): Promise<string[]> {
  if (!migrations.length) return [];
  return notApplied(sql, 'plugin_migrations', migrations.map(pluginMigrationName));
}

async function withAdvisoryLock<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  // Hold one connection for the lock's lifetime: advisory locks belong to a session.
  return sequelize.transaction(async (t) => {
    await sequelize.query('select pg_advisory_xact_lock(:key)', { replacements: { key: MIGRATION_LOCK }, transaction: t });
    return fn();
  });
}
