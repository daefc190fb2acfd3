// Admins erase a citizen's personal data from a process on request (right to erasure). See docs/governance.md.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { eraseProcess } from '../../governance/index.ts';
import { serviceIdOfProcess } from '../../governance/erasure-repo.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';

const counts = z.object({
  answers: z.number().int(),
  documents: z.number().int(),
  filesDeleted: z.number().int(),
  timelineEvents: z.number().int(),
  notifications: z.number().int(),
  deliveries: z.number().int(),
  deliveryAttempts: z.number().int(),
  trackingTokens: z.number().int(),
  formSessions: z.number().int(),
  pluginRecords: z.record(z.string(), z.number().int()).describe('Records erased by plugins that keep data of their own, by plugin (e.g. sandbox)'),
});

export function adminEraseRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/processes/{processId}/erase',
      operationId: 'eraseProcess',
      summary: "Erase a citizen's personal data from a process",
      description:
        'Answers, contact details, documents (form copies, evidence files, the XML sent), message texts, note texts and tracking links are removed; ' +
        'the process, its reference, service, status, dates and tasks stay. Recorded in the audit log with the reason. ' +
        'Erasing an erased process changes nothing (erased: false). Back offices that already received the data must be asked separately.',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ processId: z.uuid() }),
      body: z.strictObject({
        reason: z.string().max(1000).optional().describe("Why (e.g. the request's reference). Kept in the audit log: no personal data here."),
      }),
      bodyExample: { reason: 'Erasure request DPO-2026-041' },
      responses: {
        200: {
          description: 'Erased now (erased: true) or already erased before (erased: false)',
          schema: z.object({
            processId: z.uuid(),
            reference: z.string(),
            erased: z.boolean(),
            erasedAt: z.iso.datetime(),
            message: z.string(),
            removed: counts.nullable(),
          }),
        },
      },
      async handler(ctx, { params, body }) {
        const client = clientOf(ctx);
        const serviceId = await serviceIdOfProcess(hub.db, params.processId);
        // A council admin key acts only on its council's processes; another council's looks like no process.
        if (serviceId === undefined || (client.council !== null && hub.councils.idOfService(hub.catalogue, serviceId) !== client.council))
          throw new NotFoundError('There is no such process');
        const result = await eraseProcess({ db: hub.db, store: hub.store, erasers: hub.erasers }, params.processId, {
          actor: `api-client:${client.name}`,
          reason: body?.reason ?? null,
          via: 'request',
        });
        ctx.body = {
          processId: result.processId,
          reference: result.reference,
          erased: result.erased,
          erasedAt: result.erasedAt.toISOString(),
          message: result.message,
          removed: result.removed,
        };
      },
    }),
  ];
}
