// The sandbox's own table: what its inbox received. Databases made before the sandbox was a connector already have it
// (the hub's first migration used to make it), hence "if not exists".
import type { PluginMigration } from '@closeloop/sdk';

export const migrations: PluginMigration[] = [
  {
    name: '001-inbox',
    async up(db) {
      await db.query(`
        create table if not exists sandbox_inbox (
          seq bigserial primary key,
          webhook_id text not null unique,
          reference text not null,
          body text not null,
          received_at timestamptz not null default now()
        )`);
    },
  },
];
