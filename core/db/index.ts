// Database access: one pg Pool per process (database.ts); SQL lives in repository modules (`*-repo.ts`).
export { connectDatabase, type Database, type DatabaseOptions, type Isolation, type Sql } from './database.ts';
export { preparedStatement, type PreparedStatement } from './prepared.ts';
export { migrate, migratePlugins, pendingMigrations, pendingPluginMigrations, type PluginMigrationOf } from './migrate.ts';
export { pluginDatabase } from './plugin-database.ts';
