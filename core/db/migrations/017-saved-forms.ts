// Save and come back later: a citizen's unfinished form kept under a one-time link (only its SHA-256 stored), erased when
// it expires. The e-mail with the link goes through the notification outbox, so a notification may now belong to a saved
// form instead of a process. The notification kinds are widened from whatever list the database holds (other
// migrations widen the same check), never rewritten from a fixed copy.
import type { Migration, SqlRunner } from '../migration-types.ts';

const KIND = 'saved-form';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create table saved_forms (
      id uuid primary key,
      -- Set when the e-mail is sent (each attempt mints a fresh link); null until then.
      token_hash bytea unique,
      service_id text not null,
      service_version int not null,
      answers jsonb not null default '{}',
      files jsonb not null default '[]',
      email text,
      channel text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz,
      -- Answers, files and address are gone (used or expired); the row stays a while so the link can say why it fails.
      erased_at timestamptz
    );
    create index saved_forms_expires on saved_forms (expires_at);

    alter table notifications alter column process_id drop not null;
    alter table notifications add column saved_form_id uuid references saved_forms(id) on delete cascade;
    alter table notifications add constraint notifications_has_subject check (process_id is not null or saved_form_id is not null);
  `);
  await setKinds(sql, (kinds) => [...new Set([...kinds, KIND])]);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`delete from notifications where kind = '${KIND}' or process_id is null`);
  await setKinds(sql, (kinds) => kinds.filter((k) => k !== KIND));
  await sql.query(`
    alter table notifications drop constraint notifications_has_subject;
    alter table notifications drop column saved_form_id;
    alter table notifications alter column process_id set not null;
    drop table saved_forms;
  `);
};

/** Rewrites the kind check of notifications with the list `change` makes of the one the database holds now. */
async function setKinds(sql: SqlRunner, change: (kinds: string[]) => string[]): Promise<void> {
  // Sequelize answers [rows, metadata].
  const [rows] = (await sql.query(
    `select conname, pg_get_constraintdef(oid) as def from pg_constraint
     where conrelid = 'notifications'::regclass and contype = 'c' and pg_get_constraintdef(oid) ~ '\\mkind\\M'`,
  )) as [{ conname: string; def: string }[], unknown];
  const check = rows[0];
  if (!check) throw new Error('017-saved-forms: the kind check of notifications is missing');
  const kinds = [...check.def.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
  const quoted = change(kinds)
    .map((k) => `'${k.replace(/'/g, "''")}'`)
    .join(', ');
  await sql.query(`alter table notifications drop constraint "${check.conname}", add constraint "${check.conname}" check (kind in (${quoted}))`);
}
