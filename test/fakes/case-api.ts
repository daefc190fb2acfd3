// A fake JSON case API (the back office the connector template talks to): checks the bearer token, refuses bad bodies,
// dedupes by Idempotency-Key as a careful API does, records cases, and can be scripted to fail or to lose its answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type CaseStep = number | 'drop';

export interface CaseApi {
  url: string;
  cases: Map<string, { id: string; body: Record<string, unknown> }>;
  requests: number;
  script(steps: CaseStep[]): void;
  close(): Promise<void>;
}

export async function startCaseApi(token: string): Promise<CaseApi> {
  const cases = new Map<string, { id: string; body: Record<string, unknown> }>();
  let steps: CaseStep[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('{"error":"unauthorised"}');
      if (req.method === 'GET' && req.url?.endsWith('/health')) return void res.writeHead(200).end('{"ok":true}');
      if (req.method !== 'POST' || !req.url?.endsWith('/cases')) return void res.writeHead(404).end();
      const step = steps.shift() ?? 201;
      if (typeof step === 'number' && step >= 400) return void res.writeHead(step).end(`{"error":${step}}`);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return void res.writeHead(400).end('{"error":"bad json"}');
      }
      const key = String(req.headers['idempotency-key'] ?? '');
      if (!key || typeof body.reference !== 'string' || typeof body.payloadXml !== 'string') return void res.writeHead(422).end('{"error":"missing fields"}');
      const existing = cases.get(key);
      const created = existing ?? { id: `CASE-${cases.size + 1}`, body };
      cases.set(key, created);
      if (step === 'drop') return void req.socket.destroy();
      res.writeHead(existing ? 200 : 201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: created.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    cases,
    get requests() {
      return requests;
    },
    script(next) {
      steps = [...next];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
