// Regression found by the chaos suite (test/chaos, fault 5: SIGTERM under load): keep-alive clients lost requests as
// connection resets when the serve role shut down, because http.Server#close closed every idle kept-alive socket at
// once while clients were writing their next request on it. Now shutdown stops the listener, answers what arrives on
// open connections with `Connection: close`, and closes idle sockets after a short grace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import Koa from 'koa';
import { listen, type RunningServer } from '../../core/http/server.ts';
import type { Config } from '../../core/config/index.ts';

function get(port: number, agent: http.Agent, path = '/'): Promise<{ status: number; connection: string | undefined } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', (err: Error & { code?: string }) => resolve({ error: err.code ?? err.message }));
  });
}

describe('graceful close of the HTTP server', () => {
  let running: RunningServer;
  let closed: Promise<void> | null = null;
  let slowStarted = 0;
  before(async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path === '/slow') slowStarted++;
      if (ctx.path === '/slow') await new Promise((r) => setTimeout(r, 300));
      ctx.body = { ok: true };
    });
    running = await listen(app, { server: { port: 0, host: '127.0.0.1' } } as unknown as Config);
  });
  after(async () => {
    await (closed ?? running.close());
  });

  test('a request in flight is answered with Connection: close; one sent on an idle kept-alive socket during shutdown is answered too', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    // Two kept-alive sockets: one stays idle, one carries a slow request when the shutdown starts.
    const warm = await Promise.all([get(running.port, agent, '/slow'), get(running.port, agent, '/slow')]);
    assert.deepEqual(
      warm.map((r) => ('status' in r ? r.status : r.error)),
      [200, 200],
    );
    const inflight = get(running.port, agent, '/slow');
    // The shutdown starts once the server is handling it (on a loaded machine a fixed pause was not always enough).
    for (const before = slowStarted; slowStarted === before;) await new Promise((r) => setTimeout(r, 5));
    closed = running.close();
    // The client writes its next request on the other, idle socket while the server is shutting down.
    await new Promise((r) => setTimeout(r, 50));
    const late = await get(running.port, agent);
    const first = await inflight;
    assert.deepEqual(first, { status: 200, connection: 'close' }, 'the in-flight request was answered, telling the client not to reuse the socket');
    assert.deepEqual(late, { status: 200, connection: 'close' }, 'the request written on a kept-alive socket during shutdown was answered, not reset');
    // New connections are refused.
    const fresh = await get(running.port, new http.Agent({ keepAlive: false }));
    assert.deepEqual(fresh, { error: 'ECONNREFUSED' });
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started < 5000, 'the server closed soon after (idle sockets closed after the grace)');
    agent.destroy();
  });
});
