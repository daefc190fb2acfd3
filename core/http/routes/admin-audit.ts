// Admins read the audit log: who did what to which process, when. Newest first, keyset-paged.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { queryAudit } from '../../governance/index.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';

const auditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string().describe('Who: "api-client:<key name>", "connector:<binding>", "cli:<user>", "retention"'),
  action: z.string().describe('What, e.g. note.added, task.updated, process.closed, process.erased, document.downloaded, delivery.replayed, service.published'),
  processId: z.uuid().nullable(),
  reference: z.string().nullable(),
  target: z.string().nullable().describe('What the action was about beyond the process: a document or delivery id, a service version'),
  detail: z.record(z.string(), z.unknown()),
});

export function adminAuditRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/audit',
      operationId: 'listAuditEvents',
      summary: 'The audit log, newest first',
      description:
        "Every back-office and admin action that changed or read personal data. The log is append-only (the database refuses updates and deletes) and never holds personal data itself. A council admin key sees only entries about its council's services.",
      tags: ['Admin'],
      auth: 'admin',
      query: z.strictObject({
        processId: z.uuid().optional().describe('Only entries about this process'),
        actor: z.string().min(1).max(300).optional().describe('Only this actor: exact ("api-client:Alloy EH") or the name alone ("Alloy EH")'),
        action: z.string().min(1).max(100).optional().describe('Only this action, or a prefix ending in * ("delivery.*")'),
        since: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
        until: z.iso.datetime({ offset: true }).optional().describe('Entries before this time'),
        cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      responses: {
        200: { description: 'A page of entries, newest first', schema: z.object({ events: z.array(auditEntry), nextCursor: z.string().nullable() }) },
      },
      async handler(ctx, { query }) {
        const { council } = clientOf(ctx);
        ctx.body = await queryAudit(hub.db, {
          ...query,
          since: query.since ? new Date(query.since) : undefined,
          until: query.until ? new Date(query.until) : undefined,
          services: council === null ? null : hub.councils.servicesOf(hub.catalogue, council),
        });
      },
    }),
  ];
}
