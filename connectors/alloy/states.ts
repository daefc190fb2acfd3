// Alloy's item state back into the loop: the status and closure-reason maps turn an item's current values into task
// updates, citizen notes and closing, through the same ProcessApi as the REST API (so the citizen is notified).
// Alloy reports state, not changes: the same state seen again (an event and then a poll, two edits of other fields)
// changes nothing and notifies nobody.
import type { Actor, ConnectorContext } from '@closeloop/sdk';
import type { AlloyItem } from './client.ts';
import type { AlloyConfig, StateEffect } from './config.ts';
import { attributeOf } from './deliver.ts';

export interface ApplyOutcome {
  /** A process of this binding has this item as its reference. */
  matched: boolean;
  /** Something changed (a task, a note, the process status). */
  applied: boolean;
}

/** The value a state attribute holds: link attributes hold an array of item ids (the first counts). */
export function stateValue(item: AlloyItem, attributeCode: string): string | null {
  const v = attributeOf(item, attributeCode);
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first === null || first === '' ? null : String(first);
}

export async function applyItemState(item: AlloyItem, ctx: ConnectorContext<AlloyConfig>): Promise<ApplyOutcome> {
  const process = await ctx.processes.find({ externalRef: item.itemId });
  if (!process) return { matched: false, applied: false };
  const actor: Actor = { name: ctx.config.actorName, kind: 'connector' };
  let applied = false;
  for (const stateMap of [ctx.config.status, ctx.config.closureReason]) {
    if (!stateMap) continue;
    const value = stateValue(item, stateMap.attribute);
    const effect = value === null ? undefined : stateMap.map[value];
    if (!effect) continue;
    applied = (await applyEffect(ctx, process.id, effect, actor, `${item.itemId}:${stateMap.attribute}=${value}`, item.signature)) || applied;
  }
  return { matched: true, applied };
}

async function applyEffect(
  ctx: ConnectorContext<AlloyConfig>,
  processId: string,
  effect: StateEffect,
  actor: Actor,
  stateKey: string,
  signature: string,
): Promise<boolean> {
  let applied = false;
  try {
    if (effect.task && effect.taskStatus) {
      // Applied only when the task's status actually moves; the signature makes one edit count once even when the
      // event and the poll both bring it.
      const r = await ctx.processes.updateTask(processId, effect.task, { status: effect.taskStatus, note: effect.note, onlyIfStatusChanges: true }, actor, {
        eventId: `${stateKey}@${signature}`,
      });
      applied = r.applied;
    } else if (effect.note) {
      // A note-only state is told once per item and state.
      applied = (await ctx.processes.addNote(processId, { text: effect.note, visibleToCitizen: true }, actor, { eventId: stateKey })).applied;
    }
    if (effect.close) applied = (await ctx.processes.close(processId, effect.close, actor, { eventId: `${stateKey}:close` })).applied || applied;
  } catch (err) {
    // A closed process or a task the service does not have: nothing to change here; say so in the log, do not retry.
    const status = (err as { status?: number }).status;
    if (status === 409 || status === 404) {
      ctx.log.warn({ processId, err: (err as Error).message }, 'Alloy state not applied');
      return false;
    }
    throw err;
  }
  return applied;
}
