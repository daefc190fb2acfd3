// What a citizen-visible change writes, as SQL fragments: each is the body of a data-modifying CTE, so a statement that
// changes a process also writes the change's timeline entry, the citizen's message and the audit entry, and they commit
// together. The fused hot-path statements (the submission writer, the delivery record, adding a note) embed these, and
// recordCitizenChange (record.ts) runs everything else's statement, built here from them: this file is the one definition
// of the rows a change leaves behind.
//
// Each builder takes SQL expressions. With `from`, the fragment writes one row per row of that FROM clause (or, for a
// message, per process: see citizenMessageSql) and the expressions name its columns; without it, one row from parameters.

import type { Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';

export interface TimelineEntrySql {
  processId: string;
  /** 'submitted' | 'received' | 'note' | 'task' | 'status' | 'message' (see index.ts). */
  kind: string;
  visibleToCitizen: string;
  text: string;
  /** jsonb: ids and states (`by` names the actor); erasure keeps what it holds, so never the citizen's words. */
  data: string;
  /** Who, as the timeline shows it: "citizen", "system" or the actor's name. */
  actor: string;
  /** Default now(). */
  at?: string;
  from?: string;
  where?: string;
  /** The order entries get their ids in, when one statement writes several for a process (the timeline sorts by id). */
  orderBy?: string;
  returning?: string;
}

/** A timeline entry per source row. */
export function timelineEntrySql(e: TimelineEntrySql): string {
  return `insert into timeline_events (process_id, kind, visible_to_citizen, text, data, actor, created_at)
    select ${e.processId}, ${e.kind}, ${e.visibleToCitizen}, ${e.text}, ${e.data}, ${e.actor}, ${e.at ?? 'now()'}${tail(e)}${
      e.orderBy ? ` order by ${e.orderBy}` : ''
    }${e.returning ? ` returning ${e.returning}` : ''}`;
}

export interface CitizenMessageSql {
  processId: string;
  /** The process's channel as its submission decided it (`processes.channel`): null means the citizen is not told. */
  channel: string;
  /**
   * The process's contact details (jsonb): a process that no longer has an e-mail address or a phone number (erased) is
   * not told. Null only for the submission, whose channel was decided from these very details in the same statement.
   */
  contact: string | null;
  /**
   * 'submitted': the confirmation; it waits `windowSeconds` (notifications.confirmationWindowSeconds) so that the
   * delivery's "passed to the team" can join it (see RECORD_DELIVERIES). 'update': one message per process waits
   * `windowSeconds` for more updates, which join it instead of making another (notifications.combineWindowSeconds).
   */
  kind: 'submitted' | 'update';
  /** A jsonb array of { text, at }: messageUpdate() for one text. */
  updates: string;
  windowSeconds?: string;
  /** Default now(). */
  at?: string;
  from?: string;
  where?: string;
}

/**
 * Queues the citizen's message, when their process has a channel and contact details. At most one row per process in one statement: an
 * 'update' joining a pending message would otherwise touch it twice (Postgres refuses: 21000).
 */
export function citizenMessageSql(m: CitizenMessageSql): string {
  const at = m.at ?? 'now()';
  const notBefore = m.windowSeconds ? `${at} + (${m.windowSeconds}::int * interval '1 second')` : at;
  return `insert into notifications (id, process_id, channel, kind, status, updates, not_before, created_at, updated_at)
    select uuid_v7(), ${m.processId}, ${m.channel}, '${m.kind}', 'pending', ${m.updates}, ${notBefore}, ${at}, ${at}${tail({
      from: m.from,
      where: `${m.channel} is not null${m.contact ? ` and (${m.contact} ? 'email' or ${m.contact} ? 'phone')` : ''}${m.where ? ` and (${m.where})` : ''}`,
    })}${
      m.kind === 'update'
        ? `
    on conflict (process_id) where status = 'pending' and kind = 'update'
    do update set updates = notifications.updates || excluded.updates, updated_at = now()`
        : ''
    }`;
}

/** One update of a message: jsonb [{ text, at }]. */
export function messageUpdate(text: string, at = 'now()'): string {
  return `jsonb_build_array(jsonb_build_object('text', ${text}::text, 'at', ${at}))`;
}

export interface AuditEntrySql {
  /** "api-client:<key name>", "connector:<binding>"…: auditActor(). */
  actor: string;
  /** 'note.added', 'task.updated', 'process.closed' (docs/governance.md lists every action). */
  action: string;
  processId: string;
  /** jsonb of ids, states and counts: the audit log is never erased, so it never holds personal data. */
  detail: string;
  from?: string;
  where?: string;
}

/** The audit log's entry for the change. */
export function auditEntrySql(a: AuditEntrySql): string {
  return `insert into audit_events (actor, action, process_id, detail)
    select ${a.actor}, ${a.action}, ${a.processId}, ${a.detail}${tail(a)}`;
}

function tail(s: { from?: string; where?: string }): string {
  return `${s.from ? ` from ${s.from}` : ''}${s.where ? ` where ${s.where}` : ''}`;
}

const RECORD_CHANGE = preparedStatement(
  'record_citizen_change',
  `with x as (
       select * from unnest($2::text[], $3::boolean[], $4::text[], $5::jsonb[]) with ordinality as x(kind, visible, text, data, ord)
     ), p as (
       update processes set updated_at = now() where id = $1 returning id, channel, contact
     ), e as (
       ${timelineEntrySql({ from: 'x, p', processId: 'p.id', kind: 'x.kind', visibleToCitizen: 'x.visible', text: 'x.text', data: 'x.data', actor: '$6', orderBy: 'x.ord' })}
     ), n as (
       ${citizenMessageSql({
         from: 'p',
         processId: 'p.id',
         channel: 'p.channel',
         contact: 'p.contact',
         kind: 'update',
         updates: `(select jsonb_agg(jsonb_build_object('text', x.text, 'at', now()) order by x.ord) from x where x.visible)`,
         windowSeconds: '$7',
         where: 'exists (select 1 from x where x.visible) and $11::boolean',
       })}
       returning 1
     ), a as (
       ${auditEntrySql({ from: 'p', actor: '$8', action: '$9', processId: 'p.id', detail: '$10::jsonb' })}
     )
     select (select count(*)::int from n) as told`,
);

/** The values of one citizen-visible change: one array element per timeline entry, in the order they happened. */
export interface CitizenChangeValues {
  processId: string;
  kinds: string[];
  visible: boolean[];
  texts: string[];
  /** jsonb text per entry. */
  data: string[];
  actorName: string;
  windowSeconds: number;
  auditActor: string;
  auditAction: string;
  /** jsonb text. */
  auditDetail: string;
  /** Whether the citizen is told of the visible entries (not of what they did themselves). */
  tell: boolean;
}

/** Writes the change's timeline entries, message and audit entry; answers how many messages were queued (0 or 1). */
export async function insertCitizenChange(sql: Sql, v: CitizenChangeValues): Promise<number> {
  const [row] = await sql.prepared<{ told: number }>(RECORD_CHANGE, [
    v.processId,
    v.kinds,
    v.visible,
    v.texts,
    v.data,
    v.actorName,
    v.windowSeconds,
    v.auditActor,
    v.auditAction,
    v.auditDetail,
    v.tell,
  ]);
  // The relay is woken once the caller's transaction commits (Sql.wake: NOTIFY outside that commit).
  if (row?.told) sql.wake(OUTBOX_CHANNEL, 'notifications');
  return row?.told ?? 0;
}
