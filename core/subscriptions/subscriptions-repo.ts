// The SQL of outbound event subscriptions and their deliveries: creating, listing and deleting subscriptions (scoped to
// a council), claiming a delivery for the worker, recording each outcome, and replaying a dead one. The delivery rows
// themselves are written by the timeline trigger of migration 020, in the transaction of the change.
import type { Sql } from '../db/database.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';

export interface SubscriptionRecord {
  id: string;
  url: string;
  events: string[];
  council: string | null;
  allowPrivateNetwork: boolean;
  description: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface NewSubscription extends Omit<SubscriptionRecord, 'createdAt'> {
  secretEncrypted: string;
}

/** Which subscriptions a caller sees: undefined (an operator) every one, a council id only that council's. */
export type CouncilScope = string | null;

interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  council: string | null;
  allow_private_network: boolean;
  description: string | null;
  created_by: string;
  created_at: Date;
}

const COLUMNS = 'id, url, events, council, allow_private_network, description, created_by, created_at';

function record(r: SubscriptionRow): SubscriptionRecord {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    council: r.council,
    allowPrivateNetwork: r.allow_private_network,
    description: r.description,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export async function insertSubscription(sql: Sql, s: NewSubscription): Promise<SubscriptionRecord> {
  const row = await sql.row<SubscriptionRow>(
    `with s as (
       insert into subscriptions (id, url, events, council, allow_private_network, secret_encrypted, description, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}
     ), a as (
       insert into audit_events (actor, action, target, detail)
       select $8, 'subscription.created', s.id::text, jsonb_build_object('events', s.events, 'council', s.council) from s
     )
     select * from s`,
    [s.id, s.url, s.events, s.council, s.allowPrivateNetwork, s.secretEncrypted, s.description, s.createdBy],
  );
  return record(row!);
}

/** Subscriptions in scope, newest first. A council's scope (`council`) sees only that council's. */
export async function listSubscriptions(sql: Sql, council: CouncilScope): Promise<SubscriptionRecord[]> {
  const rows = await sql.rows<SubscriptionRow>(
    `select ${COLUMNS} from subscriptions where ($1::text is null or council = $1::text) order by created_at desc, id`,
    [council],
  );
  return rows.map(record);
}

export async function findSubscription(sql: Sql, id: string, council: CouncilScope): Promise<SubscriptionRecord | undefined> {
  const row = await sql.row<SubscriptionRow>(`select ${COLUMNS} from subscriptions where id = $1 and ($2::text is null or council = $2::text)`, [id, council]);
  return row && record(row);
}

/** Deletes a subscription and its deliveries (audited); false when there is none in scope. */
export async function deleteSubscription(sql: Sql, id: string, council: CouncilScope, actor: string): Promise<boolean> {
  const row = await sql.row<{ id: string }>(
    `with d as (
       delete from subscriptions where id = $1 and ($2::text is null or council = $2::text) returning id, url
     ), a as (
       insert into audit_events (actor, action, target, detail) select $3, 'subscription.deleted', d.id::text, '{}'::jsonb from d
     )
     select id from d`,
    [id, council, actor],
  );
  return row !== undefined;
}

export interface SubscriptionDelivery {
  id: string;
  subscriptionId: string;
  eventType: string;
  processId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_type: string;
  process_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

function delivery(r: DeliveryRow): SubscriptionDelivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    eventType: r.event_type,
    processId: r.process_id,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
  };
}

const DELIVERY_COLUMNS = 'id, subscription_id, event_type, process_id, status, attempts, last_status_code, last_error, created_at, updated_at, delivered_at';

/** A subscription's deliveries, newest first. */
export async function listSubscriptionDeliveries(sql: Sql, subscriptionId: string, limit: number): Promise<SubscriptionDelivery[]> {
  const rows = await sql.rows<DeliveryRow>(
    `select ${DELIVERY_COLUMNS} from subscription_deliveries where subscription_id = $1 order by created_at desc, id desc limit $2`,
    [subscriptionId, limit],
  );
  return rows.map(delivery);
}

/** The latest deliveries of each subscription in `ids` (the console's list). */
export async function recentDeliveriesOf(sql: Sql, ids: string[], perSubscription: number): Promise<SubscriptionDelivery[]> {
  if (!ids.length) return [];
  const rows = await sql.rows<DeliveryRow>(
    `select d.* from unnest($1::uuid[]) as s(id)
     cross join lateral (select ${DELIVERY_COLUMNS} from subscription_deliveries x where x.subscription_id = s.id order by created_at desc, id desc limit $2) d`,
    [ids, perSubscription],
  );
  return rows.map(delivery);
}

export interface ClaimedEvent {
  id: string;
  subscriptionId: string;
  url: string;
  council: string | null;
  allowPrivateNetwork: boolean;
  secretEncrypted: string;
  serviceId: string;
  payload: unknown;
  /** This round's attempt (restarts on replay) and the number over the delivery's whole life. */
  attempt: number;
  attemptNumber: number;
}

/** Marks a delivery as being sent and loads what it needs; null when it is already delivered or dead (a stale job). */
export async function claimSubscriptionDelivery(sql: Sql, id: string): Promise<ClaimedEvent | null> {
  const row = await sql.row<{
    id: string;
    subscription_id: string;
    url: string;
    council: string | null;
    allow_private_network: boolean;
    secret_encrypted: string;
    service_id: string;
    payload: unknown;
    attempts: number;
    attempts_before_replay: number;
  }>(
    `update subscription_deliveries d set status = 'delivering', attempts = d.attempts + 1, updated_at = now()
     from subscriptions s, processes p
     where d.id = $1 and d.status in ('pending', 'queued', 'delivering') and s.id = d.subscription_id and p.id = d.process_id
     returning d.id, d.subscription_id, s.url, s.council, s.allow_private_network, s.secret_encrypted, p.service_id, d.payload,
       d.attempts, d.attempts_before_replay`,
    [id],
  );
  if (!row) return null;
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    url: row.url,
    council: row.council,
    allowPrivateNetwork: row.allow_private_network,
    secretEncrypted: row.secret_encrypted,
    serviceId: row.service_id,
    payload: row.payload,
    attempt: row.attempts - row.attempts_before_replay,
    attemptNumber: row.attempts,
  };
}

export async function recordEventDelivered(sql: Sql, id: string, statusCode: number): Promise<void> {
  await sql.run(
    `update subscription_deliveries set status = 'delivered', last_status_code = $2, last_error = null, delivered_at = now(), updated_at = now()
     where id = $1`,
    [id, statusCode],
  );
}

/** A failed attempt: 'retry' leaves it in flight (its job runs again later), 'dead' ends it until an admin replays it. */
export async function recordEventFailed(sql: Sql, id: string, outcome: 'retry' | 'dead', statusCode: number | null, error: string): Promise<void> {
  await sql.run(
    `update subscription_deliveries set status = case when $2 = 'dead' then 'dead' else 'delivering' end,
       last_status_code = $3, last_error = $4, updated_at = now()
     where id = $1`,
    [id, outcome, statusCode, error],
  );
}

/** An event for another council's process never leaves: its row is removed (a council's subscription sees its own only). */
export async function dropOutOfScope(sql: Sql, id: string): Promise<void> {
  await sql.run('delete from subscription_deliveries where id = $1', [id]);
}

/** A dead delivery back to pending with a fresh attempt budget (audited); null when there is no such dead delivery in scope. */
export async function replaySubscriptionDelivery(sql: Sql, subscriptionId: string, id: string, council: CouncilScope, actor: string): Promise<string | null> {
  const row = await sql.row<{ id: string }>(
    `with r as (
       update subscription_deliveries d set status = 'pending', attempts_before_replay = attempts, updated_at = now()
       from subscriptions s
       where d.id = $1 and d.subscription_id = $2 and d.status = 'dead' and s.id = d.subscription_id and ($3::text is null or s.council = $3::text)
       returning d.id, d.process_id
     ), a as (
       insert into audit_events (actor, action, process_id, target, detail) select $4, 'subscription.replayed', process_id, id::text, '{}'::jsonb from r
     )
     select id, pg_notify('${OUTBOX_CHANNEL}', 'subscription_deliveries') from r`,
    [id, subscriptionId, council, actor],
  );
  return row?.id ?? null;
}
