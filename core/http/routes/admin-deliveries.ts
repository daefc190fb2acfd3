// Operators: dead letters and every delivery's attempts, errors and the XML sent; replay one or a binding's dead ones.
import { z } from 'zod';
import { QueryTypes } from 'sequelize';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { replayDeliveries } from '../../delivery/replay.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';

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

interface Row {
  id: string;
  process_id: string;
  reference: string;
  service_id: string;
  binding: string;
  status: string;
  attempts: number;
  external_ref: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select d.id, d.process_id, p.reference, p.service_id, d.binding, d.status, d.attempts, d.external_ref, d.last_error, d.created_at, d.updated_at
  from deliveries d join processes p on p.id = d.process_id`;

function summary(r: Row) {
  return {
    id: r.id,
    processId: r.process_id,
    reference: r.reference,
    serviceId: r.service_id,
    binding: r.binding,
    status: r.status as z.infer<typeof deliveryStatus>,
    attempts: r.attempts,
    externalRef: r.external_ref,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
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
        const rows = await hub.sequelize.query<Row>(
          `${SELECT} where ($1::text is null or d.status = $1) and ($2::text is null or d.binding = $2) and ($3::timestamptz is null or d.created_at < $3)
             and ($5::text[] is null or p.service_id = any($5))
           order by d.created_at desc limit $4`,
          { bind: [query.status ?? null, query.binding ?? null, query.before ?? null, query.limit, scope(ctx)], type: QueryTypes.SELECT },
        );
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
        const [row] = await hub.sequelize.query<Row>(`${SELECT} where d.id = $1 and ($2::text[] is null or p.service_id = any($2))`, {
          bind: [params.id, scope(ctx)],
          type: QueryTypes.SELECT,
        });
        if (!row) throw new NotFoundError('There is no such delivery');
        const attempts = await hub.sequelize.query<{
          number: number;
          started_at: Date;
          ended_at: Date;
          outcome: string;
          error: string | null;
          response_excerpt: string | null;
        }>('select number, started_at, ended_at, outcome, error, response_excerpt from delivery_attempts where delivery_id = $1 order by number', {
          bind: [params.id],
          type: QueryTypes.SELECT,
        });
        const [xmlDoc] = await hub.sequelize.query<{ storage_key: string | null; content: Buffer | null }>(
          `select storage_key, content from documents where process_id = $1 and kind = 'xml'`,
          {
            bind: [row.process_id],
            type: QueryTypes.SELECT,
          },
        );
        ctx.body = {
          ...summary(row),
          attemptLog: attempts.map((a) => ({
            number: a.number,
            startedAt: a.started_at.toISOString(),
            endedAt: a.ended_at.toISOString(),
            outcome: a.outcome,
            error: a.error,
            responseExcerpt: a.response_excerpt,
          })),
          xml: xmlDoc ? (xmlDoc.content ?? (await hub.store.read(xmlDoc.storage_key!))).toString('utf8') : null,
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
        const replayed = await replayDeliveries(hub.sequelize, { id: params.id, services: scope(ctx) }, `api-client:${clientOf(ctx).name}`);
        if (!replayed.length) throw new NotFoundError('There is no dead delivery with this id');
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
        const replayed = await replayDeliveries(hub.sequelize, { binding: body.binding, services: scope(ctx) }, `api-client:${clientOf(ctx).name}`);
        ctx.status = 202;
        ctx.body = { replayed };
      },
    }),
  ];
}
