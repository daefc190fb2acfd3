// The outboxes' SQL (deliveries, citizens' update deliveries and notifications): claiming pending rows for the relay, putting them back when Redis
// refuses them, and walking the in-flight rows the sweep checks against Redis. Rows are claimed with SKIP LOCKED, so
// every worker process may relay at once.
import type { Sql } from '../db/database.ts';
import { preparedStatement, type PreparedStatement } from '../db/prepared.ts';
import type { OutboxName } from './outbox-channel.ts';

interface OutboxSql {
  table: OutboxName;
  pendingWhere: string;
  /** The order of the outbox's pending index, so a claim reads only the rows it takes. */
  pendingOrder: string;
  inflight: string[];
  /** When a row was queued (the sweep's order). */
  queuedAt: string;
  /** Rows carry their binding (it names their queue). */
  perBinding: boolean;
}

const OUTBOXES: Record<OutboxName, OutboxSql> = {
  deliveries: {
    table: 'deliveries',
    pendingWhere: `status = 'pending'`,
    pendingOrder: 'created_at',
    inflight: ['queued', 'delivering'],
    queuedAt: 'enqueued_at',
    perBinding: true,
  },
  // A citizen's update waits, pending, until the case's own delivery to the same binding has succeeded.
  update_deliveries: {
    table: 'update_deliveries',
    pendingWhere: `status = 'pending' and exists (select 1 from deliveries d where d.process_id = update_deliveries.process_id
      and d.binding = update_deliveries.binding and d.status = 'delivered')`,
    pendingOrder: 'created_at',
    inflight: ['queued', 'delivering'],
    queuedAt: 'enqueued_at',
    perBinding: true,
  },
  // Events for outbound subscriptions: one queue for all of them.
  subscription_deliveries: {
    table: 'subscription_deliveries',
    pendingWhere: `status = 'pending'`,
    pendingOrder: 'created_at',
    inflight: ['queued', 'delivering'],
    queuedAt: 'enqueued_at',
    perBinding: false,
  },
  notifications: {
    table: 'notifications',
    pendingWhere: `status = 'pending' and not_before <= now()`,
    pendingOrder: 'not_before',
    inflight: ['queued', 'sending'],
    queuedAt: 'updated_at',
    perBinding: false,
  },
};

/** Claims a batch of an outbox's pending rows (marks them queued) and returns them, in one statement. */
const CLAIM_PENDING = Object.fromEntries(
  Object.values(OUTBOXES).map((box) => [
    box.table,
    preparedStatement(
      `relay_${box.table}`,
      `update ${box.table} set status = 'queued', updated_at = now()${box.queuedAt === 'enqueued_at' ? ', enqueued_at = now()' : ''}
       where id in (select id from ${box.table} where ${box.pendingWhere} order by ${box.pendingOrder} limit $1 for update skip locked)
       returning id${box.perBinding ? ', binding' : ''}`,
    ),
  ]),
) as Record<OutboxName, PreparedStatement>;

/** An outbox row: deliveries and update deliveries carry their binding (it names their queue). */
export interface OutboxRow {
  id: string;
  binding?: string;
}

/** Marks up to `limit` pending rows queued and returns them. */
export async function claimPending(sql: Sql, table: OutboxName, limit: number): Promise<OutboxRow[]> {
  return sql.prepared<OutboxRow>(CLAIM_PENDING[table], [limit]);
}

/** Rows claimed but not queued in Redis go back to pending (those still queued). */
export async function putBackPending(sql: Sql, table: OutboxName, ids: string[]): Promise<void> {
  await sql.run(`update ${OUTBOXES[table].table} set status = 'pending' where id = any($1::uuid[]) and status = 'queued'`, [ids]);
}

/** Where a sweep pass is: the queued time as Postgres wrote it (text keeps its microseconds) and the row id. */
export interface InflightCursor {
  since: string;
  id: string;
}

/**
 * In-flight rows queued more than `olderThanMs` ago, after `cursor` in (queued time, id) order, so rows queued in one
 * batch (one timestamp) are not skipped.
 */
export async function inflightRows(
  sql: Sql,
  table: OutboxName,
  cursor: InflightCursor,
  olderThanMs: number,
  limit: number,
): Promise<(OutboxRow & { since: string })[]> {
  const box = OUTBOXES[table];
  const ts = box.queuedAt;
  return sql.rows<OutboxRow & { since: string }>(
    `select id${box.perBinding ? ', binding' : ''}, ${ts}::text as since from ${box.table}
     where status in (${box.inflight.map((s) => `'${s}'`).join(', ')}) and (${ts}, id) > ($1::timestamptz, $2::uuid)
       and ${ts} < now() - ($3::int * interval '1 millisecond')
     order by ${ts}, id limit $4`,
    // The statuses are written out (constants of this file) so Postgres can use the partial in-flight indexes.
    [cursor.since, cursor.id, olderThanMs, limit],
  );
}
