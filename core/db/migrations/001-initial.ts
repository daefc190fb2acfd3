// The first schema. Raw SQL keeps constraints and partial indexes explicit; models in ../models.ts mirror these tables.
import type { Migration } from '../migration-types.ts';

export const up: Migration = async ({ context: sql }) => {
  await sql.query(`
    create table generated_secrets (
      name text primary key,
      value text not null,
      created_at timestamptz not null default now()
    );

    create table services (
      id text primary key,
      title text not null,
      published_version int,
      updated_at timestamptz not null default now()
    );

    create table service_versions (
      service_id text not null references services(id),
      version int not null,
      definition jsonb not null,
      content_hash text not null,
      state text not null check (state in ('draft', 'published', 'retired')),
      source text not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      primary key (service_id, version)
    );
    create unique index service_versions_hash on service_versions (service_id, content_hash);

    create table processes (
      id uuid primary key,
      reference text not null unique,
      service_id text not null,
      service_version int not null,
      status text not null check (status in ('submitted', 'received', 'in_progress', 'completed', 'closed')),
      answers jsonb not null,
      contact jsonb not null default '{}',
      external_ref text,
      closed_reason text,
      submitted_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      foreign key (service_id, service_version) references service_versions (service_id, version)
    );
    create index processes_service_updated on processes (service_id, updated_at);
    create index processes_updated on processes (updated_at);

    -- Tracking links are capabilities: only SHA-256 hashes are kept. A process has one per message that carried a link,
    -- so no token ever needs to be stored in a readable form.
    create table tracking_tokens (
      hash bytea primary key,
      process_id uuid not null references processes(id) on delete cascade,
      created_at timestamptz not null default now()
    );
    create index tracking_tokens_process on tracking_tokens (process_id);

    create table tasks (
      process_id uuid not null references processes(id) on delete cascade,
      key text not null,
      title text not null,
      position int not null,
      status text not null default 'open' check (status in ('open', 'in_progress', 'completed', 'cancelled')),
      updated_at timestamptz not null default now(),
      primary key (process_id, key)
    );

    create table timeline_events (
      id bigserial primary key,
      process_id uuid not null references processes(id) on delete cascade,
      kind text not null check (kind in ('submitted', 'received', 'note', 'task', 'status')),
      visible_to_citizen boolean not null,
      text text not null,
      data jsonb not null default '{}',
      actor text not null,
      created_at timestamptz not null default now()
    );
    create index timeline_events_process on timeline_events (process_id, id);

    create table documents (
      id uuid primary key,
      process_id uuid not null references processes(id) on delete cascade,
      kind text not null check (kind in ('form-json', 'form-html', 'evidence', 'xml')),
      field_id text,
      name text not null,
      content_type text not null,
      size bigint not null,
      sha256 text not null,
      -- Large files (evidence) live in the document store; small generated ones (form copies, XML) inline, so a
      -- submission writes no file unless the citizen sent one.
      storage_key text,
      content bytea,
      created_at timestamptz not null default now(),
      check ((storage_key is null) <> (content is null))
    );
    create index documents_process on documents (process_id);
    create index documents_storage_key on documents (storage_key);
    -- The XML sent to back offices is kept once per process.
    create unique index documents_one_xml on documents (process_id) where kind = 'xml';

    create table deliveries (
      id uuid primary key,
      process_id uuid not null references processes(id) on delete cascade,
      binding text not null,
      status text not null check (status in ('pending', 'queued', 'delivering', 'delivered', 'dead')),
      attempts int not null default 0,
      external_ref text,
      last_error text,
      enqueued_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (process_id, binding)
    );
    create index deliveries_pending on deliveries (created_at) where status = 'pending';
    create index deliveries_inflight on deliveries (enqueued_at) where status in ('queued', 'delivering');
    create index deliveries_binding_status on deliveries (binding, status, created_at);
    create index deliveries_external_ref on deliveries (binding, external_ref) where external_ref is not null;

    create table delivery_attempts (
      id bigserial primary key,
      delivery_id uuid not null references deliveries(id) on delete cascade,
      number int not null,
      started_at timestamptz not null,
      ended_at timestamptz not null,
      outcome text not null check (outcome in ('delivered', 'retry', 'dead')),
      error text,
      response_excerpt text
    );
    create index delivery_attempts_delivery on delivery_attempts (delivery_id, number);

    create table notifications (
      id uuid primary key,
      process_id uuid not null references processes(id) on delete cascade,
      channel text not null,
      kind text not null check (kind in ('submitted', 'update')),
      status text not null check (status in ('pending', 'queued', 'sending', 'sent', 'delivered', 'failed', 'skipped')),
      updates jsonb not null default '[]',
      attempts int not null default 0,
      last_error text,
      provider_ref text,
      not_before timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      sent_at timestamptz
    );
    create index notifications_pending on notifications (not_before) where status = 'pending';
    create index notifications_process on notifications (process_id);
    -- At most one message waiting per process: updates inside the combine window join it.
    create unique index notifications_one_pending_update on notifications (process_id) where status = 'pending' and kind = 'update';

    create table api_clients (
      id uuid primary key,
      name text not null,
      key_hash bytea not null unique,
      key_prefix text not null,
      services text[] not null,
      admin boolean not null default false,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      created_at timestamptz not null default now()
    );

    -- Idempotency-Key: the first response to a key is kept and replayed; the row is written in the same transaction as
    -- the effect, so a key never records an effect that did not commit.
    create table idempotency_keys (
      client_id uuid not null,
      key text not null,
      request_hash text not null,
      response_status int not null,
      response_body jsonb,
      created_at timestamptz not null default now(),
      primary key (client_id, key)
    );

    -- webhook-id values (and other inbound event ids) already handled, per binding.
    create table inbound_events (
      source text not null,
      event_id text not null,
      received_at timestamptz not null default now(),
      primary key (source, event_id)
    );

    -- The sandbox back office's inbox is the sandbox connector's own table now (connectors/sandbox/migrations.ts):
    -- databases made before keep theirs, and that migration finds it there.

    -- A citizen's progress through a form (server-side, so it survives reloads and works without JavaScript).
    create table form_sessions (
      token_hash bytea not null,
      service_id text not null,
      service_version int not null,
      answers jsonb not null default '{}',
      files jsonb not null default '[]',
      result jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (token_hash, service_id)
    );
    create index form_sessions_updated on form_sessions (updated_at);

    create table audit_events (
      id bigserial primary key,
      actor text not null,
      action text not null,
      process_id uuid,
      target text,
      detail jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index audit_events_process on audit_events (process_id);

    -- The audit log is append-only: refuse updates and deletes at the database.
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end $$;
    create trigger audit_events_no_change before update or delete on audit_events
      for each row execute function audit_events_append_only();
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql.query(`
    drop table if exists form_sessions, inbound_events, idempotency_keys, audit_events, api_clients, notifications, delivery_attempts, deliveries, documents,
      timeline_events, tasks, tracking_tokens, processes, service_versions, services, generated_secrets cascade;
    drop function if exists audit_events_append_only;
  `);
};
