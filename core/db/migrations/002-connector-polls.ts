// Where each binding's poll got to: the cursor the connector returned last, kept in Postgres so a Redis loss or a new
// worker process starts from the same place.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create table connector_polls (
      binding text primary key,
      cursor text,
      polled_at timestamptz,
      last_error text,
      runs bigint not null default 0
    );
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop table if exists connector_polls');
};
