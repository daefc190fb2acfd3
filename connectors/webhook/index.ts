// The signed webhook connector: POSTs the validated XML (or a JSON envelope) with Standard Webhooks headers, and accepts
// signed callbacks at /connectors/{binding}/events.
import { checkTargetUrl, defineConnector, handleProcessEvent, PROCESS_EVENT_MAX_BYTES, processEventsDoc, webhookKey, type CheckResult } from '@closeloop/sdk';
import { webhookConfigSchema, type WebhookConfig } from './config.ts';
import { deliverWebhook } from './deliver.ts';
import { prepareBinding, type PreparedBinding } from './prepared-binding.ts';
import { deliverWebhookUpdate } from './deliver-update.ts';

export const connector = defineConnector<WebhookConfig, PreparedBinding>({
  name: 'webhook',
  description: 'Signed HTTP POST of the XML or a JSON envelope (Standard Webhooks), with signed callbacks',
  configSchema: webhookConfigSchema,

  // One keep-alive agent, the decoded key and the static headers per binding, kept by the hub.
  open: (ctx) => prepareBinding(ctx.config),

  deliver(job, ctx) {
    return deliverWebhook(job, ctx.state);
  },

  // A citizen's reply or further evidence: a signed `citizen.message` event to the same URL.
  deliverUpdate(job, ctx) {
    return deliverWebhookUpdate(job, ctx.state);
  },

  inbound(routes, ctx) {
    const secrets = ctx.config.inboundSecrets ?? [ctx.config.secret];
    // A document.added URL is fetched under the same rule as deliveries: private addresses only when the binding allows them.
    routes.post('/events', (req) => handleProcessEvent(req, ctx, secrets, { allowPrivateNetwork: ctx.config.allowPrivateNetwork }), {
      maxBodyBytes: PROCESS_EVENT_MAX_BYTES,
    });
  },

  inboundDocs: [processEventsDoc('/events')],

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

  close(binding) {
    // Idle sockets only; a request still in flight (another hub in the same process) is left to finish.
    binding.client.close();
  },
});
