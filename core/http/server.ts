// Starts the HTTP listener for the serve role, and closes it gracefully (in-flight requests finish).
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Config } from '../config/index.ts';

/**
 * After shutdown starts under load, how long an idle kept-alive connection may still bring one last request. 1 s was
 * not enough on a loaded machine (the chaos suite, fault 5, with other work on both cores: 9 resets in a round), where a
 * client can take longer than that to write its next request; the hub still exits in about 3 s.
 */
const IDLE_GRACE_MS = 3000;

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Koa, config: Config): Promise<RunningServer> {
  const callback = app.callback();
  // Responses not yet started when shutdown begins say `Connection: close`, so a keep-alive client opens a new connection
  // (refused: it retries elsewhere) instead of writing its next request on a socket the server is about to close — a
  // request the hub would never read, lost as a connection reset (the chaos suite, fault 5, counted ~15 per SIGTERM).
  let closing = false;
  const open = new Set<http.ServerResponse>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    open.add(res);
    res.once('close', () => open.delete(res));
    return callback(req, res);
  };
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
    // Stop accepting connections; let in-flight requests finish, their answers saying `Connection: close`. Kept-alive
    // sockets get a short grace before idle ones are closed: a request a client is writing on one right now is read and
    // answered (with `Connection: close`) instead of being cut by a reset. (http.Server#close would close idle sockets at
    // once, so net.Server's close stops the listener alone.) Anything still open after 10 s is closed.
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
        let idle: NodeJS.Timeout | undefined;
        // Under load (requests in flight) clients are writing their next requests: give idle sockets the grace. A quiet
        // server (tests, a night-time deploy) closes them at once.
        const grace = setTimeout(
          () => {
            server.closeIdleConnections();
            idle = setInterval(() => server.closeIdleConnections(), 100);
          },
          open.size > 0 ? IDLE_GRACE_MS : 0,
        );
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        server.once('close', () => {
          clearTimeout(grace);
          clearInterval(idle);
          clearTimeout(force);
        });
        net.Server.prototype.close.call(server, () => resolve());
      }),
  };
}
