// Starts the HTTP listener for the serve role, and closes it gracefully (in-flight requests finish).
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Config } from '../config/index.ts';

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Koa, config: Config): Promise<RunningServer> {
  const handler = app.callback();
  const tls = config.server.tls;
  const server: http.Server = tls
    ? https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    // Stop accepting, let in-flight requests finish, then drop keep-alive connections (idle ones at once, the rest
    // after a grace period) so a browser's open socket cannot hold the shutdown.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        server.once('close', () => {
          clearInterval(idle);
          clearTimeout(force);
        });
      }),
  };
}
