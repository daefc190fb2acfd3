// Admins: outbound event subscriptions (issue 18). A URL subscribed to event types receives each matching change as a
// signed Standard Webhook; its signing secret is shown once, here, at creation. A council's admin key sees and makes only
// its council's subscriptions; only the hub operator's keys may allow private networks.
import { z } from 'zod';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { clientOf } from '../auth.ts';
import { defineRoute } from '../route.ts';
import {
  createSubscription,
  deleteSubscription,
  EVENT_TYPES,
  findSubscription,
  listSubscriptionDeliveries,
  listSubscriptions,
  replaySubscriptionDelivery,
  type SubscriptionDelivery,
  type SubscriptionRecord,
} from '../../subscriptions/index.ts';

const eventType = z.enum(EVENT_TYPES);

const subscription = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(eventType),
  council: z.string().nullable().describe("The council whose events it receives; null: every council's (the hub operator's)"),
  allowPrivateNetwork: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

const delivery = z.object({
  id: z.uuid().describe('Also the webhook-id of every attempt'),
  eventType,
  processId: z.uuid(),
  status: z.enum(['pending', 'queued', 'delivering', 'delivered', 'dead']),
  attempts: z.number().int(),
  lastResponseCode: z.number().int().nullable().describe("The subscriber's last HTTP status (null: no answer)"),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});

function subscriptionJson(s: SubscriptionRecord): z.infer<typeof subscription> {
  return {
    id: s.id,
    url: s.url,
    events: s.events as z.infer<typeof eventType>[],
    council: s.council,
    allowPrivateNetwork: s.allowPrivateNetwork,
    description: s.description,
    createdAt: s.createdAt.toISOString(),
  };
}

function deliveryJson(d: SubscriptionDelivery): z.infer<typeof delivery> {
  return {
    id: d.id,
    eventType: d.eventType as z.infer<typeof eventType>,
    processId: d.processId,
    status: d.status as z.infer<typeof delivery>['status'],
    attempts: d.attempts,
    lastResponseCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

export function adminSubscriptionRoutes(hub: Hub) {
  const council = (ctx: Context) => clientOf(ctx).council;
  const actor = (ctx: Context) => `api-client:${clientOf(ctx).name}`;
  const find = async (ctx: Context, id: string) => {
    const s = await findSubscription(hub.db, id, council(ctx));
    if (!s) throw new NotFoundError('There is no such subscription');
    return s;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/subscriptions',
      operationId: 'createSubscription',
      summary: 'Subscribe a URL to events',
      description:
        "Each matching change is POSTed to `url` as a Standard Webhook (`webhook-id`, `webhook-timestamp`, `webhook-signature`) signed with the `secret` answered here, **once**: it is kept encrypted and never shown again. The URL must not be a loopback, private or link-local address (refused 422) unless `allowPrivateNetwork` is set, which only the hub operator's keys may do. A council's admin key subscribes to its council's events only. Events carry ids, the reference, the service, the status and public text only (docs/governance.md).",
      tags: ['Admin'],
      auth: 'admin',
      body: z.strictObject({
        url: z.url({ protocol: /^https?$/, error: 'Enter an http or https URL' }).max(2000),
        events: z.array(eventType).min(1, 'Select at least one event type'),
        description: z.string().trim().max(200).optional().describe('What the subscriber is (e.g. "CRM")'),
        allowPrivateNetwork: z.boolean().optional().describe("Allow loopback and private addresses (the council's own network); hub operator only"),
      }),
      bodyExample: { url: 'https://crm.example.gov.uk/hooks/closeloop', events: ['process.submitted', 'process.status_changed'], description: 'CRM' },
      responses: {
        201: {
          description: 'Subscribed; the secret is shown this once',
          schema: subscription.extend({ secret: z.string().describe('whsec_…: verify signatures with it') }),
        },
        422: { description: 'The URL is refused (not http(s), or a private address) or no event type was given' },
      },
      async handler(ctx, { body }) {
        const { subscription: s, secret } = await createSubscription(hub.db, body, { actor: actor(ctx), council: council(ctx) });
        ctx.status = 201;
        ctx.set('location', `/api/v1/admin/subscriptions/${s.id}`);
        ctx.set('cache-control', 'no-store');
        ctx.body = { ...subscriptionJson(s), secret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/subscriptions',
      operationId: 'listSubscriptions',
      summary: 'Subscriptions (a council admin sees its own council’s)',
      tags: ['Admin'],
      auth: 'admin',
      responses: { 200: { description: 'Newest first', schema: z.object({ subscriptions: z.array(subscription) }) } },
      async handler(ctx) {
        ctx.body = { subscriptions: (await listSubscriptions(hub.db, council(ctx))).map(subscriptionJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/subscriptions/{id}',
      operationId: 'getSubscription',
      summary: 'One subscription',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The subscription (never its secret)', schema: subscription } },
      async handler(ctx, { params }) {
        ctx.body = subscriptionJson(await find(ctx, params.id));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/admin/subscriptions/{id}',
      operationId: 'deleteSubscription',
      summary: 'Delete a subscription and its deliveries',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'Deleted; nothing more is sent to it' } },
      async handler(ctx, { params }) {
        if (!(await deleteSubscription(hub.db, params.id, council(ctx), actor(ctx)))) throw new NotFoundError('There is no such subscription');
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/subscriptions/{id}/deliveries',
      operationId: 'listSubscriptionDeliveries',
      summary: "A subscription's deliveries: status, attempts, last response code",
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid() }),
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Newest first', schema: z.object({ deliveries: z.array(delivery) }) } },
      async handler(ctx, { params, query }) {
        const s = await find(ctx, params.id);
        ctx.body = { deliveries: (await listSubscriptionDeliveries(hub.db, s.id, query.limit)).map(deliveryJson) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/subscriptions/{id}/deliveries/{deliveryId}/replay',
      operationId: 'replaySubscriptionDelivery',
      summary: 'Replay a dead subscription delivery',
      description: 'Back to the outbox with a fresh attempt budget (audited as `subscription.replayed`), sent with the same webhook-id.',
      tags: ['Admin'],
      auth: 'admin',
      params: z.object({ id: z.uuid(), deliveryId: z.uuid() }),
      responses: { 202: { description: 'Queued again', schema: z.object({ replayed: z.uuid() }) } },
      async handler(ctx, { params }) {
        const replayed = await replaySubscriptionDelivery(hub.db, params.id, params.deliveryId, council(ctx), actor(ctx));
        if (!replayed) throw new NotFoundError('There is no dead delivery with this id');
        ctx.status = 202;
        ctx.body = { replayed };
      },
    }),
  ];
}
