// Records a citizen-visible change that is not on a hot path (task updates, closing, and what later features add): its
// timeline entries, the citizen's message and the audit entry, in one statement in the caller's transaction. The
// process's channel is read from the process, where the submission stored it.
import type { Database, Sql } from '../db/database.ts';
import type { Actor } from '../plugins/index.ts';
import { insertCitizenChange } from './citizen-changes-repo.ts';

/** The kinds of timeline entry (the timeline's `kind`); erasure (governance/erase.ts) knows what each may hold. */
export type TimelineKind = 'submitted' | 'received' | 'note' | 'task' | 'status' | 'document' | 'message';

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
  /** False when the citizen made the change themselves (their own message): it is on their timeline, not in a message to them. */
  tell?: boolean;
}

export interface CitizenChangeDeps {
  db: Database;
  /** The config's notifications.combineWindowSeconds. */
  notifyWindowSeconds: number;
}

/** How the audit log names an actor: "api-client:Alloy EH"; a staff member by account id, "staff:<id>" (names change). */
export function auditActor(actor: Actor): string {
  return actor.kind === 'staff' && actor.id ? `staff:${actor.id}` : `${actor.kind}:${actor.name}`;
}

/**
 * What a timeline entry's data says of who made the change: `by`, the actor's name, and for a staff member `staff`, their
 * account id (so the staff console reads "by Jane Smith (staff)").
 */
export function actorData(actor: Actor): { by: string; staff?: string } {
  return actor.kind === 'staff' && actor.id ? { by: actor.name, staff: actor.id } : { by: actor.name };
}

/**
 * Writes the change in the caller's transaction (the caller has locked the process). Wakes the relay when the citizen is
 * told, so the message leaves at once rather than at the relay's next pass. Returns whether a message was queued.
 */
export async function recordCitizenChange(deps: CitizenChangeDeps, t: Sql, change: CitizenChange): Promise<{ told: boolean }> {
  const { entries, actor } = change;
  if (!entries.length) throw new Error('a citizen-visible change needs at least one timeline entry');
  const told = await insertCitizenChange(t, {
    processId: change.processId,
    kinds: entries.map((e) => e.kind),
    visible: entries.map((e) => e.visibleToCitizen),
    texts: entries.map((e) => e.text),
    data: entries.map((e) => JSON.stringify({ ...e.data, ...actorData(actor) })),
    actorName: actor.name,
    windowSeconds: deps.notifyWindowSeconds,
    auditActor: auditActor(actor),
    auditAction: change.audit.action,
    auditDetail: JSON.stringify(change.audit.detail ?? {}),
    tell: change.tell ?? true,
  });
  return { told: told > 0 };
}
