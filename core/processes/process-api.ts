// The ProcessApi given to connectors: the same actions as the REST API, bound to one binding, with inbound event ids
// recorded in the same transaction as the change (a repeated event has no second effect).
import { QueryTypes, type Transaction } from 'sequelize';
import type { ChangeOptions, ProcessApi, TaskSummary } from '@closeloop/sdk';
import { addNote, closeProcess, updateTask, type ActionDeps } from './actions.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function processApiFor(deps: ActionDeps, binding: string): ProcessApi {
  // `applied` is false for a repeated event id and for an action that changed nothing.
  const once = async (options: ChangeOptions | undefined, fn: (t: Transaction) => Promise<{ changed?: boolean } | unknown>): Promise<{ applied: boolean }> =>
    deps.sequelize.transaction(async (t) => {
      if (options?.eventId) {
        const claimed = await deps.sequelize.query('insert into inbound_events (source, event_id) values ($1, $2) on conflict do nothing returning 1', {
          bind: [binding, options.eventId.slice(0, 300)],
          type: QueryTypes.SELECT,
          transaction: t,
        });
        if (!claimed.length) return { applied: false };
      }
      const result = (await fn(t)) as { changed?: boolean } | undefined;
      return { applied: result?.changed !== false };
    });

  return {
    async find(ref) {
      if (ref.processId) {
        if (!UUID.test(ref.processId)) return null;
        const rows = await deps.sequelize.query<{ id: string; service_id: string; status: string; external_ref: string | null }>(
          'select p.id, p.service_id, p.status, d.external_ref from processes p join deliveries d on d.process_id = p.id and d.binding = $2 where p.id = $1',
          { bind: [ref.processId, binding], type: QueryTypes.SELECT },
        );
        const r = rows[0];
        return r ? { id: r.id, serviceId: r.service_id, status: r.status, externalRef: r.external_ref } : null;
      }
      if (ref.externalRef) {
        const rows = await deps.sequelize.query<{ id: string; service_id: string; status: string; external_ref: string }>(
          `select p.id, p.service_id, p.status, d.external_ref from deliveries d join processes p on p.id = d.process_id
           where d.binding = $1 and d.external_ref = $2 limit 1`,
          { bind: [binding, ref.externalRef], type: QueryTypes.SELECT },
        );
        const r = rows[0];
        return r ? { id: r.id, serviceId: r.service_id, status: r.status, externalRef: r.external_ref } : null;
      }
      if (ref.reference) {
        const rows = await deps.sequelize.query<{ id: string; service_id: string; status: string; external_ref: string | null }>(
          'select p.id, p.service_id, p.status, d.external_ref from processes p join deliveries d on d.process_id = p.id and d.binding = $2 where p.reference = $1',
          { bind: [ref.reference.trim().toUpperCase(), binding], type: QueryTypes.SELECT },
        );
        const r = rows[0];
        return r ? { id: r.id, serviceId: r.service_id, status: r.status, externalRef: r.external_ref } : null;
      }
      return null;
    },
    async tasks(processId) {
      if (!UUID.test(processId)) return [];
      return deps.sequelize.query<TaskSummary>(
        `select t.key, t.title, t.status from tasks t
         where t.process_id = $1 and exists (select 1 from deliveries d where d.process_id = $1 and d.binding = $2) order by t.position`,
        { bind: [processId, binding], type: QueryTypes.SELECT },
      );
    },
    addNote: (processId, note, actor, options) => once(options, (transaction) => addNote(deps, processId, note, actor, { transaction })),
    updateTask: (processId, taskKey, update, actor, options) =>
      once(options, (transaction) => updateTask(deps, processId, taskKey, update, actor, { transaction })),
    close: (processId, reason, actor, options) => once(options, (transaction) => closeProcess(deps, processId, reason, actor, { transaction })),
  };
}
