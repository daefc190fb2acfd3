// The signed webhook connector: POSTs the validated XML (or a JSON envelope) with Standard Webhooks headers, and accepts
// signed callbacks at /connectors/{binding}/events.
import { defineConnector, type CheckResult, type ConnectorContext } from '../../core/plugins/index.ts';
import { webhookKey } from '../../core/webhooks/standard-webhooks.ts';
import { checkTargetUrl } from '../../core/webhooks/ssrf-guard.ts';
import { webhookConfigSchema, type WebhookConfig } from './config.ts';
import { baseHeaders, deliverWebhook, type PreparedBinding } from './deliver.ts';
import { HttpClient } from './http-client.ts';
import { handleEvent, inboundEventSchema } from './inbound.ts';

// Prepared once per binding context (a context lives as long as its binding's runtime): one keep-alive agent, the
// decoded key and the static headers, so the hot path only signs and sends.
const prepared = new Map<ConnectorContext<WebhookConfig>, PreparedBinding>();

function prepare(ctx: ConnectorContext<WebhookConfig>): PreparedBinding {
  let binding = prepared.get(ctx);
  if (!binding) {
    const { config } = ctx;
    binding = { config, client: new HttpClient(new URL(config.url), config.allowPrivateNetwork), key: webhookKey(config.secret), baseHeaders: baseHeaders(config) };
    prepared.set(ctx, binding);
  }
  return binding;
}

export const connector = defineConnector<WebhookConfig>({
  name: 'webhook',
  description: 'Signed HTTP POST of the XML or a JSON envelope (Standard Webhooks), with signed callbacks',
  configSchema: webhookConfigSchema,

  deliver(job, ctx) {
    return deliverWebhook(job, prepare(ctx));
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
      responses: { 200: 'Applied (or a duplicate, acknowledged)', 400: 'Not JSON, or not valid UTF-8', 401: 'Missing, stale or wrong signature', 404: 'No process of this binding matches', 415: 'Not application/json in UTF-8', 422: 'Not a valid event: a field is wrong or given twice, or text carries a character XML cannot (`errors` names it)' },
    },
  ],

  /** The secret is well-formed and the URL resolves to an address the SSRF guard lets through. Sends nothing. */
  async check(ctx): Promise<CheckResult> {
    const problems: string[] = [];
    for (const [field, secret] of [['secret', ctx.config.secret], ...(ctx.config.inboundSecrets ?? []).map((s, i) => [`inboundSecrets.${i}`, s])] as const) {
      try {
        webhookKey(secret);
      } catch (err) {
        problems.push(`${field}: ${(err as Error).message}`);
      }
    }
    problems.push(...(await checkTargetUrl(ctx.config.url, { allowPrivateNetwork: ctx.config.allowPrivateNetwork })).map((p) => `url: ${p}`));
    return { ok: problems.length === 0, problems };
  },

  async close() {
    // Idle sockets only; the next delivery prepares its binding afresh.
    for (const binding of prepared.values()) binding.client.close();
    prepared.clear();
  },
});
