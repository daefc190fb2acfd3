// Information governance: when a process was erased, when it finished (the retention clock), an index to page the audit
// log by time, and a row per scheduled governance job that a run locks (so two workers never run it at once).
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    alter table processes add column erased_at timestamptz, add column finished_at timestamptz;

    -- finished_at: when the process last entered a finished state (completed or closed) from an open one; null while open.
    -- Kept by a trigger, so every path that changes a status (REST, connectors, callbacks) sets it without knowing.
    update processes p set finished_at = coalesce(
      (select max(e.created_at) from timeline_events e where e.process_id = p.id and e.kind = 'status' and e.data->>'status' in ('completed', 'closed')),
      p.updated_at)
    where p.status in ('completed', 'closed');

    create function processes_track_finished() returns trigger language plpgsql as $$
    begin
      if new.status in ('completed', 'closed') then
        if tg_op = 'INSERT' or old.status not in ('completed', 'closed') then
          new.finished_at := coalesce(new.finished_at, now());
        end if;
      else
        new.finished_at := null;
      end if;
      return new;
    end $$;
    create trigger processes_finished_at before insert or update of status on processes
      for each row execute function processes_track_finished();

    create index processes_retention on processes (service_id, finished_at) where erased_at is null and finished_at is not null;
    create index audit_events_at on audit_events (created_at, id);

    create table governance_runs (
      job text primary key,
      started_at timestamptz,
      finished_at timestamptz,
      runs bigint not null default 0,
      last_result jsonb,
      last_error text
    );
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`
    drop table if exists governance_runs;
    drop index if exists audit_events_at;
    drop index if exists processes_retention;
    drop trigger if exists processes_finished_at on processes;
    drop function if exists processes_track_finished;
    alter table processes drop column if exists erased_at, drop column if exists finished_at;
  `);
};
