// The ProcessApi given to connectors: the same actions as the REST API, bound to one binding, with inbound event ids
// recorded in the same transaction as the change (a repeated event has no second effect).
import type { Sql } from '../db/database.ts';
import type { ChangeOptions, ProcessApi } from '@closeloop/sdk';
import { addNote, closeProcess, updateTask, type ActionDeps } from './actions.ts';
import { claimInboundEvent, findBindingProcessByExternalRef, findBindingProcessById, findBindingProcessByReference } from './processes-repo.ts';
import { findTasksForBinding } from './tasks-repo.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function processApiFor(deps: ActionDeps, binding: string): ProcessApi {
  // `applied` is false for a repeated event id and for an action that changed nothing.
  const once = async (options: ChangeOptions | undefined, fn: (t: Sql) => Promise<{ changed?: boolean } | unknown>): Promise<{ applied: boolean }> =>
    deps.db.transaction(async (t) => {
      if (options?.eventId) {
        if (!(await claimInboundEvent(t, binding, options.eventId.slice(0, 300)))) return { applied: false };
      }
      const result = (await fn(t)) as { changed?: boolean } | undefined;
      return { applied: result?.changed !== false };
    });

  return {
    async find(ref) {
      if (ref.processId) {
        if (!UUID.test(ref.processId)) return null;
        return findBindingProcessById(deps.db, binding, ref.processId);
      }
      if (ref.externalRef) return findBindingProcessByExternalRef(deps.db, binding, ref.externalRef);
      if (ref.reference) return findBindingProcessByReference(deps.db, binding, ref.reference.trim().toUpperCase());
      return null;
    },
    async tasks(processId) {
      if (!UUID.test(processId)) return [];
      return findTasksForBinding(deps.db, processId, binding);
    },
    addNote: (processId, note, actor, options) => once(options, (transaction) => addNote(deps, processId, note, actor, { transaction })),
    updateTask: (processId, taskKey, update, actor, options) =>
      once(options, (transaction) => updateTask(deps, processId, taskKey, update, actor, { transaction })),
    close: (processId, reason, actor, options) => once(options, (transaction) => closeProcess(deps, processId, reason, actor, { transaction })),
  };
}
