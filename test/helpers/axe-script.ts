// axe-core served from this machine at a fixed address, for pages to load as a script. Chromium keeps a script's
// compiled code by its address: the same 500 KB given as an inline script's text (Playwright's addScriptTag content)
// was parsed and compiled again in every page, 240 ms of each axe check in the designer's browser tests against 40 ms
// from an address; with it, the question builder's file took 52 CPU-seconds instead of 65.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let served: Promise<string> | null = null;

/** The address of axe.min.js, served by a server of this test process (started on first use, never holding it open). */
export function axeScriptUrl(): Promise<string> {
  served ??= new Promise((resolve, reject) => {
    const source = readFileSync(require.resolve('axe-core/axe.min.js'));
    const server = createServer((req, res) => {
      if (req.url !== '/axe.min.js') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' });
      res.end(source);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const { port } = server.address() as { port: number };
      resolve(`http://127.0.0.1:${port}/axe.min.js`);
    });
  });
  return served;
}
