// The sandbox back office, so the example council shows the whole loop with nothing else installed: deliveries arrive
// in its inbox signed like any webhook, its page lists what arrived, and its buttons act as the back office through the
// hub's process API. Not for production: its page shows citizens' submissions and acts on every service's processes
// with no sign-in, so the page and buttons answer only the addresses in allowFrom (this machine by default). Its inbox
// and /events answer anyone, but only what is signed with the binding's secret. It keeps what it received in a table of
// its own (migrations.ts), which erasure reaches through its erase hook. /sandbox is this binding's short address.
import { eraseReceived } from './inbox-repo.ts';
import { defineConnector, handleProcessEvent, PROCESS_EVENT_MAX_BYTES, processEventsDoc, type CheckResult, type PluginDatabase } from '@closeloop/sdk';
import { accessFor } from './access.ts';
import { sandboxConfigSchema, type SandboxConfig } from './config.ts';
import { deliverToSandbox, deliverUpdateToSandbox, sandboxOutbox, type SandboxOutbox } from './deliver.ts';
import { INBOX_LIMIT_BYTES, receive } from './inbox.ts';
import { migrations } from './migrations.ts';
import { act, showInbox, type SandboxPage } from './page.ts';

interface Sandbox {
  outbox: SandboxOutbox;
  page: Omit<SandboxPage, 'db'>;
}

/** Its table, which the hub gives a plugin that has migrations (absent only outside a hub). */
function database(db: PluginDatabase | undefined): PluginDatabase {
  if (!db) throw new Error('the sandbox connector needs its table: the hub gives it a database for its migrations');
  return db;
}

export const connector = defineConnector<SandboxConfig, Sandbox>({
  name: 'sandbox',
  description: 'The pretend back office of the example council: an inbox for signed deliveries, a page and buttons to act on them',
  configSchema: sandboxConfigSchema,
  migrations,

  open(ctx) {
    const base = `/connectors/${ctx.name}`;
    return {
      outbox: sandboxOutbox(ctx.config, `${ctx.publicBaseUrl.replace(/\/$/, '')}${base}/inbox`),
      page: { access: accessFor(ctx.config.allowFrom, ctx.name), base },
    };
  },

  deliver(job, ctx) {
    return deliverToSandbox(job, ctx.state.outbox);
  },

  deliverUpdate(job, ctx) {
    return deliverUpdateToSandbox(job, ctx.state.outbox);
  },

  inbound(routes, ctx) {
    const db = () => database(ctx.database);
    const page = { ...ctx.state.page, db };
    routes.post('/inbox', (req) => receive(req, ctx.config.secret, db), { maxBodyBytes: INBOX_LIMIT_BYTES });
    routes.post('/events', (req) => handleProcessEvent(req, ctx, [ctx.config.secret]), { maxBodyBytes: PROCESS_EVENT_MAX_BYTES });
    // The page and its buttons are for people: behind staff sign-in when the hub's staff console guards plugin pages.
    routes.get('/', (req) => showInbox(req, ctx, page), { staffPage: true });
    routes.post('/act/:processId', (req) => act(req, ctx, page), { maxBodyBytes: 64 * 1024, staffPage: true });
  },

  inboundDocs: [
    {
      method: 'post',
      path: '/inbox',
      summary: "The sandbox back office's inbox: a delivery, signed like any webhook",
      description:
        "What this binding's deliveries are POSTed to (the validated XML), signed with Standard Webhooks using the binding's secret. Answers with the sandbox's reference in `X-Sandbox-Reference`; a repeated `webhook-id` gets the same reference.",
      responses: {
        202: 'Received',
        400: 'Not XML',
        401: 'Missing, stale or wrong signature',
        413: 'Larger than 5 MB',
        422: 'XML with a DOCTYPE or ENTITY declaration',
      },
    },
    processEventsDoc('/events'),
  ],

  /** With its own inbox (no url) there is nothing to ask; another inbox must answer, and refuse an unsigned delivery. */
  async check(ctx): Promise<CheckResult> {
    if (!ctx.config.url) return { ok: true, problems: [] };
    const { client, url } = ctx.state.outbox;
    try {
      const res = await client.request({
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: Buffer.from('<Check/>'),
        timeoutMs: ctx.config.timeoutMs,
      });
      if (res.status === 401) return { ok: true, problems: [] };
      return { ok: false, problems: [`url: ${url} answered ${res.status} to an unsigned delivery, not 401: is it a sandbox inbox?`] };
    } catch (err) {
      return { ok: false, problems: [`url: the inbox at ${url} could not be reached: ${(err as Error).message}`] };
    }
  },

  close({ outbox }) {
    outbox.client.close();
  },

  async erase(process, db) {
    // What the inbox received is the citizen's XML: replaced, as every other copy is.
    return eraseReceived(db, process.reference, process.placeholder);
  },
});
