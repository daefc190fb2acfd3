// The service designer in the staff console (/staff/services): a new role that builds services (service editor), and the
// working draft each service being edited has — the definition as the designer left it, possibly incomplete, with a
// revision number so two people saving the same draft are told instead of one silently overwriting the other.
// A working draft becomes a stored version (service_versions) only when it is published, through the same catalogue
// calls the admin API uses.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query('alter table staff_users drop constraint staff_users_role_check');
  await sql.query(`alter table staff_users add constraint staff_users_role_check
    check (role in ('operator', 'council-admin', 'service-editor', 'caseworker', 'auditor'))`);
  await sql.query(`create table service_drafts (
    service_id text primary key,
    -- The council that owns the service (null: the hub's own council), for scoping before the definition is valid.
    council text,
    definition jsonb not null,
    -- Goes up by one on every save; a save naming an older revision is a conflict.
    revision integer not null default 1,
    -- The version the draft was started from (null: a new service).
    base_version integer,
    created_by text not null,
    created_at timestamptz not null default now(),
    edited_by text not null,
    edited_by_name text not null,
    edited_at timestamptz not null default now()
  )`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('drop table if exists service_drafts');
  await sql.query(`update staff_users set disabled_at = coalesce(disabled_at, now()), role = 'auditor' where role = 'service-editor'`);
  await sql.query('alter table staff_users drop constraint staff_users_role_check');
  await sql.query(`alter table staff_users add constraint staff_users_role_check
    check (role in ('operator', 'council-admin', 'caseworker', 'auditor'))`);
};
