// The serve role: the HTTP API, citizen pages, the staff console (/staff) and plugin inbound routes (the sandbox back office is one).
import type Router from '@koa/router';
import type { Hub } from '../hub.ts';
import { createApp, type CreateAppOptions } from '../http/app.ts';
import type { RouteDef } from '../http/route.ts';
import type { InboundRouteDoc } from '@closeloop/sdk';
import { listen, type RunningServer } from '../http/server.ts';
import { inboundRoutesFor } from '../http/inbound.ts';
import { loadBindings } from '../plugins/bindings.ts';
import { loadChannels } from '../plugins/channels.ts';
import { processApiFor } from '../processes/index.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { assetsMiddleware, pluginPages } from '../http/pages/index.ts';
import { htmlErrorRenderer, mountPages } from '../http/routes/pages.ts';
import { sandboxAlias } from '../http/sandbox-alias.ts';
import { mountForms } from '../http/routes/forms.ts';
import { PgListener } from '../db/pg-listener.ts';
import { SERVICES_CHANNEL } from '../services/index.ts';
import { API_KEYS_CHANNEL, forgetCachedApiKeys } from '../auth/api-keys.ts';
import { openServeOps } from '../metrics/index.ts';
import { adminQueuesMiddleware } from '../http/routes/admin-queues.ts';
import { staffRouter } from '../http/staff/index.ts';
import { staffPageGate } from '../http/staff/plugin-pages.ts';

export interface ServeRole {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** Plugin inbound routes as documentation-only route declarations (they are mounted by inboundRoutesFor). */
function pluginDocs(prefix: string, docs: InboundRouteDoc[], tag: string): RouteDef[] {
  return docs.map((d) => ({
    method: d.method,
    path: `${prefix}${d.path}`,
    operationId: `${prefix}${d.path}`.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
    summary: d.summary,
    description: d.description,
    tags: [tag],
    auth: 'public' as const,
    body: d.body,
    bodyExample: d.bodyExample,
    responses: Object.fromEntries(Object.entries(d.responses).map(([s, description]) => [Number(s), { description }])),
    handler: async () => {},
  }));
}

export async function startServe(hub: Hub, options: CreateAppOptions = {}): Promise<ServeRole> {
  const actions = {
    db: hub.db,
    notifyWindowSeconds: hub.config.notifications.combineWindowSeconds,
    store: hub.store,
    calendarOf: (serviceId: string) => hub.councils.calendarOf(hub.catalogue, serviceId),
  };
  const bindings = await loadBindings(hub, (binding) => processApiFor(actions, binding));
  const channels = await loadChannels(hub);
  const inbound = {
    trustProxy: hub.config.server.trustProxy,
    // Plugin pages for people (the sandbox's) answer only staff signed in to the console, under /staff.
    staffGate: hub.config.staff.pluginPagesSignIn ? staffPageGate(hub) : undefined,
  };
  const pages = pluginPages(hub.config.council);
  const mountInbound = (router: Router) => {
    for (const b of bindings.values()) b.connector.inbound?.(inboundRoutesFor(router, `/connectors/${b.name}`, inbound), { ...b.context, pages });
    for (const c of channels.values()) c.channel.inbound?.(inboundRoutesFor(router, `/channels/${c.name}`, inbound), { ...c.context, pages });
  };
  const sandbox = [...bindings.values()].find((b) => b.connector.name === 'sandbox')?.name;
  const documentedRoutes = [
    ...[...bindings.values()].flatMap((b) => pluginDocs(`/connectors/${b.name}`, b.connector.inboundDocs ?? [], `Binding ${b.name} (${b.connector.name})`)),
    ...[...channels.values()].flatMap((c) => pluginDocs(`/channels/${c.name}`, c.channel.inboundDocs ?? [], `Channel ${c.name} (${c.channel.name})`)),
  ];
  const ops = await openServeOps(hub);
  const staff = staffRouter(hub, ops, [], options.staff);
  const { app } = createApp(hub, {
    ...options,
    ops,
    documentedRoutes,
    before: [
      sandboxAlias(sandbox),
      securityHeaders({ hsts: !!hub.config.server.tls }),
      assetsMiddleware(),
      adminQueuesMiddleware(hub, ops),
      ...(options.before ?? []),
    ],
    renderHtmlError: htmlErrorRenderer(hub),
    extraRouters: [
      mountInbound,
      (router) => mountPages(router, hub),
      (router) => mountForms(router, hub),
      (router) => void router.use(staff.routes(), staff.allowedMethods()),
      ...(options.extraRouters ?? []),
    ],
  });
  // A service published through the admin API takes effect on every API process without a restart.
  const reload = () => hub.catalogue.reload().catch((err) => hub.log.warn({ err }, 'service reload failed'));
  const servicesListener = new PgListener(hub.config.database.url, SERVICES_CHANNEL, () => void reload(), hub.log);
  await servicesListener.start();
  // A key revoked from any process stops working here at once (cached valid keys are forgotten).
  const keysListener = new PgListener(hub.config.database.url, API_KEYS_CHANNEL, () => forgetCachedApiKeys(), hub.log);
  await keysListener.start();
  const reloadTimer = setInterval(() => void reload(), 60_000);
  reloadTimer.unref();
  const server = await listen(app, hub.config);
  const host = hub.config.server.host === '0.0.0.0' ? '127.0.0.1' : hub.config.server.host;
  const url = `${hub.config.server.tls ? 'https' : 'http'}://${host}:${server.port}`;
  hub.log.info({ url, publicBaseUrl: hub.config.server.publicBaseUrl }, 'serving');
  return {
    server,
    url,
    async close() {
      clearInterval(reloadTimer);
      await server.close();
      await servicesListener.stop();
      await keysListener.stop();
      await ops.close();
    },
  };
}
