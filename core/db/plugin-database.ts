// The PluginDatabase a plugin gets (@closeloop/sdk): parameterised SQL on the hub's pool, or inside one transaction
// (an erasure hook runs in the erasure's).
import type { Sequelize, Transaction } from 'sequelize';
import type { PluginDatabase } from '@closeloop/sdk';

export function pluginDatabase(sequelize: Sequelize, transaction?: Transaction): PluginDatabase {
  return {
    async query<Row extends object>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
      const [rows] = await sequelize.query(text, { bind: values.length ? [...values] : undefined, transaction });
      return Array.isArray(rows) ? (rows as Row[]) : [];
    },
  };
}
