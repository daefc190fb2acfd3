// The PluginDatabase a plugin gets (@closeloop/sdk): parameterised SQL on the hub's pool, or inside one transaction
// (an erasure hook runs in the erasure's).
import type { Sql } from './database.ts';
import type { PluginDatabase } from '@closeloop/sdk';

export function pluginDatabase(sql: Sql): PluginDatabase {
  return {
    query: <Row extends object>(text: string, values: readonly unknown[] = []) => sql.rows<Row>(text, values),
  };
}
