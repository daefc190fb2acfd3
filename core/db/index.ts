// Database access: one Sequelize instance per process, pooled; models are initialised once.
import { Sequelize } from 'sequelize';
import { initModels } from './models.ts';
import { safePg } from './safe-pg.ts';

export * from './models.ts';
export { migrate, migratePlugins, pendingMigrations, pendingPluginMigrations, type PluginMigrationOf } from './migrate.ts';
export { pluginDatabase } from './plugin-database.ts';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
}

export function connectDatabase(options: DatabaseOptions): Sequelize {
  const sequelize = new Sequelize(options.url, {
    dialect: 'postgres',
    dialectModule: safePg,
    logging: false,
    pool: { max: options.poolMax, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: { application_name: options.applicationName ?? 'closeloop' },
    define: { underscored: true, timestamps: false },
  });
  initModels(sequelize);
  return sequelize;
}
