// The signed webhook connector: POSTs the validated XML (or a JSON envelope) with Standard Webhooks headers, and accepts
// signed callbacks at /connectors/{binding}/events.
import { defineConnector, type CheckResult, type ConnectorContext } from '../../core/plugins/index.ts';
import { webhookKey } from '../../core/webhooks/standard-webhooks.ts';
import { isPrivateAddress } from '../../core/webhooks/ssrf-guard.ts';
import { lookup } from 'node:dns/promises';
import { webhookConfigSchema, type WebhookConfig } from './config.ts';
import { deliverWebhook } from './deliver.ts';
import { HttpClient } from './http-client.ts';
import { handleEvent, inboundEventSchema } from './inbound.ts';

// One keep-alive client per binding context (a context lives as long as its binding's runtime).
const clients = new WeakMap<ConnectorContext<WebhookConfig>, { client: HttpClient; key: Buffer }>();
const open = new Set<HttpClient>();

function clientFor(ctx: ConnectorContext<WebhookConfig>) {
  let entry = clients.get(ctx);
  if (!entry) {
    entry = { client: new HttpClient(new URL(ctx.config.url), ctx.config.allowPrivateNetwork), key: webhookKey(ctx.config.secret) };
    clients.set(ctx, entry);
    open.add(entry.client);
  }
  return entry;
}

export const connector = defineConnector<WebhookConfig>({
  name: 'webhook',
  description: 'Signed HTTP POST of the XML or a JSON envelope (Standard Webhooks), with signed callbacks',
  configSchema: webhookConfigSchema,
  deliver(job, ctx) {
    const { client, key } = clientFor(ctx);
    return deliverWebhook(job, ctx.config, client, key);
  },
  inbound(routes, ctx) {
    routes.post('/events', (req) => handleEvent(req, ctx));
  },
  inboundDocs: [
    {
      method: 'post',
      path: '/events',
      summary: 'Signed callback from the back office: add a note, update a task, close the process',
      description:
        'Signed with Standard Webhooks using the binding\'s secret: headers `webhook-id`, `webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Identify the process by `processId` or by your own reference (`externalRef`). A `webhook-id` seen before is acknowledged (`duplicate: true`) and has no second effect.',
      body: inboundEventSchema,
      bodyExample: { type: 'task.updated', externalRef: 'SBX-42', taskKey: 'officer-visit', status: 'completed', note: 'The officer visited on 3 December.' },
      responses: { 200: 'Applied (or a duplicate, acknowledged)', 400: 'Not JSON', 401: 'Missing, stale or wrong signature', 404: 'No process of this binding matches', 422: 'Not a valid event' },
    },
  ],
  async check(ctx): Promise<CheckResult> {
    const problems: string[] = [];
    try {
      webhookKey(ctx.config.secret);
    } catch (err) {
      problems.push((err as Error).message);
    }
    const url = new URL(ctx.config.url);
    try {
      const addresses = await lookup(url.hostname, { all: true });
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad && !ctx.config.allowPrivateNetwork) problems.push(`${url.hostname} resolves to ${bad.address}, a private address (set allowPrivateNetwork to allow it)`);
    } catch (err) {
      problems.push(`${url.hostname} does not resolve: ${(err as Error).message}`);
    }
    return { ok: problems.length === 0, problems };
  },
  async close() {
    // Idle keep-alive sockets only; an agent is re-created on next use.
    for (const client of open) client.closeIdle();
  },
});
