// XSDs uploaded in the staff console's designer: kept in Postgres (the source of truth, shared by every serve and worker
// process on every machine), one set per council, each name given once (a service's published versions keep
// validating against exactly the file they were built with). Each process materialises them into a folder of its own.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`create table service_xsds (
    council text not null,
    -- The file name within the council's set ("dead-animal.xsd"); services name it "uploaded/<council>/<name>".
    name text not null,
    content text not null,
    sha256 text not null,
    uploaded_by text not null,
    uploaded_by_name text not null,
    uploaded_at timestamptz not null default now(),
    primary key (council, name)
  )`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop table if exists service_xsds');
};
