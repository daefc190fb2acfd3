// The Yotta Alloy connector (Alloy v2 API): creates an item per delivery from the service's validated XML with the
// evidence attached, and brings Alloy's status changes back as task updates and citizen notes, by workflow events
// (/connectors/{binding}/events) and by polling.
import { defineConnector } from '@closeloop/sdk';
import { alloyConfigSchema, type AlloyConfig } from './config.ts';
import { AlloyClient } from './client.ts';
import { deliverToAlloy, type PreparedAlloy } from './deliver.ts';
import { deliverUpdateToAlloy } from './deliver-update.ts';
import { alloyEventSchema, handleAlloyEvent } from './inbound.ts';
import { pollAlloy } from './poll.ts';
import { checkAlloy } from './check.ts';

export const connector = defineConnector<AlloyConfig, PreparedAlloy>({
  name: 'alloy',
  description: 'Yotta Alloy v2: an item per delivery (attributes from the XML, evidence attached), statuses back as task updates',
  configSchema: alloyConfigSchema,

  // One client (and so one request pace) per binding, kept by the hub.
  open({ config }) {
    return {
      config,
      client: new AlloyClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, timeoutMs: config.timeoutMs, requestsPerSecond: config.requestsPerSecond }),
    };
  },

  deliver(job, ctx) {
    return deliverToAlloy(job, ctx.state);
  },

  // Citizens' replies and further evidence, on the item the delivery created (bindings with `updates` only).
  deliverUpdate(job, ctx) {
    return deliverUpdateToAlloy(job, ctx.state);
  },
  takesUpdates: (config) => config.updates !== undefined,

  inbound(routes, ctx) {
    routes.post('/events', (req) => handleAlloyEvent(req, ctx, ctx.state.client));
  },

  inboundDocs: [
    {
      method: 'post',
      path: '/events',
      summary: 'Alloy workflow callback: an item changed; its status is read from Alloy and applied',
      description:
        "For an Alloy workflow \"HTTP Request\" action. Send the binding's secret in the configured header (default `X-Closeloop-Secret`) and the changed item's id. The hub reads the item from Alloy and applies the binding's status and closure-reason maps: task updates, citizen notes, closing. The same state seen again changes nothing. Items that are not one of this binding's processes are acknowledged with `matched: false`.",
      body: alloyEventSchema,
      bodyExample: { itemId: '64a1f0c2e4b0a1b2c3d4e5f6' },
      responses: {
        200: 'Read and applied (or nothing to change)',
        400: 'Not JSON, or not valid UTF-8',
        401: 'Missing or wrong secret header',
        404: 'Alloy does not know the item, or inbound events are off',
        415: 'Not application/json in UTF-8',
        422: 'Not a valid event (a field wrong or given twice)',
        503: 'Alloy could not be reached; try again',
      },
    },
  ],

  async check(ctx) {
    return checkAlloy(ctx.config, ctx.state.client);
  },

  poll(ctx, cursor) {
    return pollAlloy(ctx, ctx.state.client, cursor);
  },

  pollIntervalMs(config) {
    return config.poll?.intervalSeconds ? config.poll.intervalSeconds * 1000 : null;
  },
});
