// Operators: what needs acting on now, per binding: dead deliveries, and deliveries still undelivered past the binding's
// `alerts.pendingMinutes`; per service, tasks past their target date. The same figures as the closeloop_delivery_alerts and
// closeloop_overdue_tasks gauges, with delivery and process ids to open.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { readAlerts, readOverdueTasks } from '../../metrics/index.ts';
import { defineRoute } from '../route.ts';
import { clientOf } from '../auth.ts';

const alert = z.object({
  binding: z.string(),
  kind: z
    .enum(['dead', 'stale'])
    .describe('dead: gave up (replay after fixing the cause); stale: not delivered after the threshold (back office or worker stuck)'),
  count: z.number().int().describe('Deliveries concerned'),
  oldestAgeSeconds: z.number().int().describe('Age of the oldest of them since it was created'),
  thresholdMinutes: z.number().optional().describe("The binding's alerts.pendingMinutes (stale only)"),
  deliveryIds: z.array(z.uuid()).describe('The oldest few, for GET /api/v1/admin/deliveries/{id}'),
});

const overdue = z.object({
  service: z.string(),
  count: z.number().int().describe('Tasks past their target date and not done, of cases not completed or closed'),
  oldestDueAt: z.iso.datetime({ offset: true }).describe('The earliest target date among them'),
  processIds: z.array(z.uuid()).describe('The cases of the longest-overdue few, for GET /api/v1/processes/{id}'),
});

export function adminAlertRoutes(hub: Hub) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/alerts',
      operationId: 'listAlerts',
      summary: 'Bindings with dead deliveries or deliveries pending past their threshold; services with overdue tasks',
      description:
        "Both lists are empty when nothing needs an operator. A binding's threshold is `alerts.pendingMinutes` in its config (default 30). " +
        'Prometheus has the same figures as `closeloop_delivery_alerts{binding,kind}` and `closeloop_overdue_tasks{service}`.',
      tags: ['Admin'],
      auth: 'admin',
      responses: {
        200: {
          description: 'Alerts: dead first, then stale; by binding. Overdue tasks: by service',
          schema: z.object({ alerts: z.array(alert), overdueTasks: z.array(overdue) }),
          example: {
            alerts: [
              {
                binding: 'alloy-envhealth',
                kind: 'dead',
                count: 2,
                oldestAgeSeconds: 5400,
                deliveryIds: ['5b0e8a4c-0d6f-4d8a-9a43-8f0f2b1d1c11', '0f9d2b7e-3c41-4a8e-b1d6-6a2c9e4f8d20'],
              },
              {
                binding: 'alloy-envhealth',
                kind: 'stale',
                count: 1,
                oldestAgeSeconds: 2700,
                thresholdMinutes: 30,
                deliveryIds: ['7a1c3e5f-9b2d-4f6a-8c0e-1d3f5a7b9c2e'],
              },
            ],
            overdueTasks: [
              { service: 'noise-complaint', count: 3, oldestDueAt: '2026-11-30T23:59:59.000Z', processIds: ['9c2e7a1c-3e5f-4b2d-8f6a-0e1d3f5a7b9c'] },
            ],
          },
        },
      },
      async handler(ctx) {
        ctx.set('Cache-Control', 'no-store');
        // A council's admin sees the bindings its council owns; shared bindings are the hub operator's to watch.
        const { council } = clientOf(ctx);
        const [alerts, overdueTasks] = await Promise.all([readAlerts(hub.db, hub.config), readOverdueTasks(hub.db)]);
        ctx.body = {
          alerts: council === null ? alerts : alerts.filter((a) => hub.config.bindings[a.binding]?.council === council),
          overdueTasks: overdueTasks
            .filter((o) => council === null || hub.councils.idOfService(hub.catalogue, o.service) === council)
            .map((o) => ({ ...o, oldestDueAt: o.oldestDueAt.toISOString() })),
        };
      },
    }),
  ];
}
