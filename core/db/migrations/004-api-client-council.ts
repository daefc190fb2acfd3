// API keys belong to a council: a key (or an admin key) of one council never sees another council's processes.
// Null is the hub operator's key, which sees every council (existing keys keep that meaning).
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query('alter table api_clients add column council text');
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('alter table api_clients drop column if exists council');
};
