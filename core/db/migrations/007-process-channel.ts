// The citizen's channel is decided once, when they submit, and stored with the process (core/citizen-changes/channel.ts);
// every later change (delivery, notes, tasks, closing) reads it from the process instead of deciding again from the
// service version's definition, which only the submission used to check against the configured channels.
// Existing processes get what their submission would decide today: the definition's channel when closeloop.yaml
// configures it and the citizen left an e-mail address or a phone number; none for an erased process.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  if (!sql.config) throw new Error('007-process-channel needs the configured channels');
  await sql.query('alter table processes add column channel text');
  await sql.query(
    `update processes p set channel = v.definition->'notify'->>'channel'
     from service_versions v
     where v.service_id = p.service_id and v.version = p.service_version
       and v.definition->'notify'->>'channel' = any($1::text[])
       and (p.contact ? 'email' or p.contact ? 'phone') and p.erased_at is null`,
    [Object.keys(sql.config.channels)],
  );
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query('alter table processes drop column channel');
};
