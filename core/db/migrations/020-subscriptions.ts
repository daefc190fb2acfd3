// Outbound event subscriptions (issue 18): an admin subscribes a URL to event types; each citizen-visible change writes
// one outbox row per matching subscription (`subscription_deliveries`) in the change's own transaction, and a worker
// sends it as a signed Standard Webhook. The rows are written by a statement-level trigger on timeline_events: every
// citizen-visible change (the fused hot-path writers included) leaves timeline entries, so this catches them all without
// touching those statements, and costs one `exists` on an empty table when nobody subscribes.
// The payload holds ids, the reference, the service, the status and public text only (docs/governance.md).
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create table subscriptions (
      id uuid primary key,
      url text not null,
      events text[] not null check (cardinality(events) > 0),
      -- The council whose events it sees (null: the hub operator's, every council's).
      council text,
      allow_private_network boolean not null default false,
      -- The signing secret, encrypted (AES-256-GCM, key from CLOSELOOP_SUBSCRIPTIONS_KEY or a generated secret).
      secret_encrypted text not null,
      description text,
      created_by text not null,
      created_at timestamptz not null default now()
    );

    create table subscription_deliveries (
      id uuid primary key default gen_random_uuid(),
      subscription_id uuid not null references subscriptions(id) on delete cascade,
      event_type text not null,
      process_id uuid not null references processes(id) on delete cascade,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'queued', 'delivering', 'delivered', 'dead')),
      attempts int not null default 0,
      attempts_before_replay int not null default 0,
      last_status_code int,
      last_error text,
      enqueued_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index subscription_deliveries_pending on subscription_deliveries (created_at) where status = 'pending';
    create index subscription_deliveries_inflight on subscription_deliveries (enqueued_at) where status in ('queued', 'delivering');
    create index subscription_deliveries_of on subscription_deliveries (subscription_id, created_at desc);

    create function subscription_events() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from subscriptions) then return null; end if;
      insert into subscription_deliveries (subscription_id, event_type, process_id, payload)
      select s.id, e.type, e.process_id, jsonb_build_object(
          'type', e.type,
          'timestamp', to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'data', jsonb_strip_nulls(jsonb_build_object(
            'eventId', e.id,
            'processId', p.id,
            'reference', p.reference,
            'serviceId', p.service_id,
            'status', p.status,
            'text', case when e.visible_to_citizen then e.text end,
            'detail', (e.data - 'by' - 'staff')
          )))
      from (
        select n.*, case
            when n.kind = 'submitted' then 'process.submitted'
            when n.kind = 'status' then 'process.status_changed'
            when n.kind = 'task' then 'task.updated'
            when n.kind = 'note' and n.visible_to_citizen then 'note.added'
            when n.kind = 'message' then 'citizen.message'
            when n.kind = 'document' and n.visible_to_citizen then 'document.added'
          end as type
        from new_timeline_events n
      ) e
      join processes p on p.id = e.process_id
      join subscriptions s on e.type = any (s.events)
      where e.type is not null
      order by e.id, s.id;
      return null;
    end $$;

    create trigger timeline_events_subscriptions after insert on timeline_events
      referencing new table as new_timeline_events for each statement execute function subscription_events();
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`
    drop trigger if exists timeline_events_subscriptions on timeline_events;
    drop function if exists subscription_events();
    drop table if exists subscription_deliveries;
    drop table if exists subscriptions;
  `);
};
