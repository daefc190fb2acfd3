// Citizen replies and further evidence (issue 18): a citizen's message from the tracking page, its files (evidence
// documents that name the message), and the update deliveries that carry it to each binding's back office: an outbox
// like `deliveries`, one row per message and binding, relayed only once the case's own delivery has succeeded.
// The timeline's kind check gains 'message' composably: other migrations of the same release widen it too, in any order.
import type { Migration } from '../migration-types.ts';
import { narrowInCheck, widenInCheck } from '../widen-check.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create table citizen_messages (
      id uuid primary key,
      process_id uuid not null references processes(id) on delete cascade,
      text text not null,
      created_at timestamptz not null default now()
    );
    create index citizen_messages_process on citizen_messages (process_id, created_at);

    alter table documents add column message_id uuid references citizen_messages(id) on delete cascade;
    create index documents_message on documents (message_id) where message_id is not null;

    create table update_deliveries (
      id uuid primary key,
      message_id uuid not null references citizen_messages(id) on delete cascade,
      process_id uuid not null references processes(id) on delete cascade,
      binding text not null,
      status text not null check (status in ('pending', 'queued', 'delivering', 'delivered', 'dead')),
      attempts int not null default 0,
      attempts_before_replay int not null default 0,
      external_ref text,
      last_error text,
      enqueued_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (message_id, binding)
    );
    create index update_deliveries_pending on update_deliveries (created_at) where status = 'pending';
    create index update_deliveries_inflight on update_deliveries (enqueued_at) where status in ('queued', 'delivering');
    create index update_deliveries_process on update_deliveries (process_id, binding);
  `);
  await widenInCheck(sql, 'timeline_events', 'kind', 'timeline_events_kind_check', ['message']);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`delete from timeline_events where kind = 'message'`);
  await sql.query('drop table if exists update_deliveries');
  await sql.query('alter table documents drop column if exists message_id');
  await sql.query('drop table if exists citizen_messages');
  await narrowInCheck(sql, 'timeline_events', 'kind', 'timeline_events_kind_check', ['message']);
};
