// The serve role: the HTTP API, citizen pages and connector inbound routes.
import type { Hub } from '../hub.ts';
import { createApp, type CreateAppOptions } from '../http/app.ts';
import { listen, type RunningServer } from '../http/server.ts';

export interface ServeRole {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

export async function startServe(hub: Hub, options: CreateAppOptions = {}): Promise<ServeRole> {
  const { app } = createApp(hub, options);
  const server = await listen(app, hub.config);
  const host = hub.config.server.host === '0.0.0.0' ? '127.0.0.1' : hub.config.server.host;
  const url = `${hub.config.server.tls ? 'https' : 'http'}://${host}:${server.port}`;
  hub.log.info({ url, publicBaseUrl: hub.config.server.publicBaseUrl }, 'serving');
  return { server, url, close: () => server.close() };
}
