// Records a citizen-visible change that is not on a hot path (task updates, closing, and what later features add): its
// timeline entries, the citizen's message and the audit entry, in one statement in the caller's transaction. The
// process's channel is read from the process, where the submission stored it.
import type { Sequelize, Transaction } from 'sequelize';
import type { Actor } from '../plugins/index.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';
import { preparedStatement, runPrepared } from '../db/prepared.ts';
import { auditEntrySql, citizenMessageSql, timelineEntrySql } from './sql.ts';

/** The kinds of timeline entry (the timeline's `kind`); erasure (governance/erase.ts) knows what each may hold. */
export type TimelineKind = 'submitted' | 'received' | 'note' | 'task' | 'status';

export interface TimelineEntry {
  kind: TimelineKind;
  text: string;
  /** Shown on the tracking page and told to the citizen (when their process has a channel). */
  visibleToCitizen: boolean;
  /** Ids and states only (`by`, the actor's name, is added). */
  data?: Record<string, unknown>;
}

export interface CitizenChange {
  processId: string;
  actor: Actor;
  /** In the order they happened: the citizen's message lists the visible ones in this order. */
  entries: TimelineEntry[];
  /** The audit entry: its action (docs/governance.md) and detail (ids, states and counts, never personal data). */
  audit: { action: string; detail?: Record<string, unknown> };
}

export interface CitizenChangeDeps {
  sequelize: Sequelize;
  /** The config's notifications.combineWindowSeconds. */
  notifyWindowSeconds: number;
}

/** How the audit log names an actor. */
export function auditActor(actor: Actor): string {
  return `${actor.kind}:${actor.name}`;
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
         where: 'exists (select 1 from x where x.visible)',
       })}
       returning 1
     ), a as (
       ${auditEntrySql({ from: 'p', actor: '$8', action: '$9', processId: 'p.id', detail: '$10::jsonb' })}
     )
     select (select count(*)::int from n) as told, (select pg_notify('${OUTBOX_CHANNEL}', 'notifications') from n limit 1) as woke`,
);

/**
 * Writes the change in the caller's transaction (the caller has locked the process). Wakes the relay when the citizen is
 * told, so the message leaves at once rather than at the relay's next pass. Returns whether a message was queued.
 */
export async function recordCitizenChange(deps: CitizenChangeDeps, t: Transaction, change: CitizenChange): Promise<{ told: boolean }> {
  const { entries, actor } = change;
  if (!entries.length) throw new Error('a citizen-visible change needs at least one timeline entry');
  const [row] = await runPrepared<{ told: number }>(
    deps.sequelize,
    RECORD_CHANGE,
    [
      change.processId,
      entries.map((e) => e.kind),
      entries.map((e) => e.visibleToCitizen),
      entries.map((e) => e.text),
      entries.map((e) => JSON.stringify({ ...e.data, by: actor.name })),
      actor.name,
      deps.notifyWindowSeconds,
      auditActor(actor),
      change.audit.action,
      JSON.stringify(change.audit.detail ?? {}),
    ],
    t,
  );
  return { told: (row?.told ?? 0) > 0 };
}
