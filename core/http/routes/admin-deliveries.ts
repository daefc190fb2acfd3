// Operators: dead letters and every delivery's attempts, errors and the XML sent; replay one or a binding's dead ones.
import { z } from 'zod';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { replayDeliveries } from '../../delivery/replay.ts';
import { replayUpdates } from '../../replies/index.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';
import { deliveryAttempts, findDelivery, listDeliveries, processXmlDocument, type DeliveryRow } from '../../delivery/delivery-log-repo.ts';

const deliveryStatus = z.enum(['pending', 'queued', 'delivering', 'delivered', 'dead']);

const deliverySummary = z.object({
  id: z.uuid(),
  processId: z.uuid(),
  reference: z.string(),
  serviceId: z.string(),
  binding: z.string(),
  status: deliveryStatus,
  attempts: z.number().int().describe("Attempts over the delivery's whole life, replays included (the attempt log's numbers)"),
  externalRef: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const attempt = z.object({
  number: z.number().int().describe('1 for the first attempt; a number missing from the log is an attempt whose worker stopped before recording it'),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  outcome: z.enum(['delivered', 'retry', 'dead']),
  error: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
});

function summary(r: DeliveryRow) {
  return {
    id: r.id,
    processId: r.processId,
    reference: r.reference,
    serviceId: r.serviceId,
    binding: r.binding,
    status: r.status as z.infer<typeof deliveryStatus>,
    attempts: r.attempts,
    externalRef: r.externalRef,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function adminDeliveryRoutes(hub: Hub) {
  /** The services a council's admin key is limited to; null for the hub operator's keys. */
  const scope = (ctx: Parameters<typeof clientOf>[0]): string[] | null => {
    const { council } = clientOf(ctx);
    return council === null ? null : hub.councils.servicesOf(hub.catalogue, council);
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/deliveries',
      operationId: 'listDeliveries',
      summary: 'Deliveries by status and binding (e.g. the dead letters)',
      tags: ['Admin'],
      auth: 'admin',
      query: z.strictObject({
        status: deliveryStatus.optional(),
        binding: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.iso.datetime().optional().describe('Only deliveries created before this time (for paging: pass the last createdAt)'),
      }),
      responses: { 200: { description: 'Newest first', schema: z.object({ deliveries: z.array(deliverySummary) }) } },
      async handler(ctx, { query }) {
        const rows = await listDeliveries(hub.db, {
          status: query.status ?? null,
          binding: query.binding ?? null,
          before: query.before ?? null,
          limit: query.limit,
          services: scope(ctx),
        });
        ctx.body = { deliveries: rows.map(summary) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/deliveries/{id}',
      operationId: 'getDelivery',
      summary: 'One delivery with every attempt, its errors and the XML sent',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The delivery', schema: deliverySummary.extend({ attemptLog: z.array(attempt), xml: z.string().nullable() }) } },
      async handler(ctx, { params }) {
        const row = await findDelivery(hub.db, params.id, scope(ctx));
        if (!row) throw new NotFoundError('There is no such delivery');
        const attempts = await deliveryAttempts(hub.db, params.id);
        const xmlDoc = await processXmlDocument(hub.db, row.processId);
        ctx.body = {
          ...summary(row),
          attemptLog: attempts.map((a) => ({
            number: a.number,
            startedAt: a.startedAt.toISOString(),
            endedAt: a.endedAt.toISOString(),
            outcome: a.outcome,
            error: a.error,
            responseExcerpt: a.responseExcerpt,
          })),
          xml: xmlDoc ? (xmlDoc.content ?? (await hub.store.read(xmlDoc.storageKey!))).toString('utf8') : null,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/deliveries/{id}/replay',
      operationId: 'replayDelivery',
      summary: 'Replay a dead delivery',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 202: { description: 'Queued again', schema: z.object({ replayed: z.array(z.uuid()) }) } },
      async handler(ctx, { params }) {
        const replayed = await replayDeliveries(hub.db, { id: params.id, services: scope(ctx) }, `api-client:${clientOf(ctx).name}`);
        if (!replayed.length) throw new NotFoundError('There is no dead delivery with this id');
        ctx.status = 202;
        ctx.body = { replayed };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/updates/{id}/replay',
      operationId: 'replayUpdate',
      summary: "Replay a dead update delivery (a citizen's message to a back office)",
      description:
        "Puts a dead update delivery back in the outbox with a fresh attempt budget (audited as `update.replayed`); it is sent with the same update id, so the back office can drop a repeat. GET /api/v1/processes/{id}/messages shows each message's update deliveries.",
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 202: { description: 'Queued again', schema: z.object({ replayed: z.array(z.uuid()) }) } },
      async handler(ctx, { params }) {
        const replayed = await replayUpdates(hub.db, { id: params.id, services: scope(ctx) }, `api-client:${clientOf(ctx).name}`);
        if (!replayed.length) throw new NotFoundError('There is no dead update delivery with this id');
        ctx.status = 202;
        ctx.body = { replayed };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/deliveries/replay',
      operationId: 'replayDeliveries',
      summary: 'Replay every dead delivery of a binding',
      tags: ['Admin'],
      auth: 'admin',
      body: z.strictObject({ binding: z.string().min(1) }),
      bodyExample: { binding: 'alloy-envhealth' },
      responses: { 202: { description: 'Queued again', schema: z.object({ replayed: z.array(z.uuid()) }) } },
      async handler(ctx, { body }) {
        const replayed = await replayDeliveries(hub.db, { binding: body.binding, services: scope(ctx) }, `api-client:${clientOf(ctx).name}`);
        ctx.status = 202;
        ctx.body = { replayed };
      },
    }),
  ];
}
