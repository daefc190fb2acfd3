// A small fake of the template's back office, for its tests (copy it with the template and make it check what your real
// back office checks). It refuses a wrong bearer token and bad bodies, dedupes by Idempotency-Key as a careful API
// does, records cases, and can be scripted to fail, to time out or to lose its answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A status; 'timeout': never answer; 'drop': create the case, then cut the connection (the answer is lost). */
export type CaseStep = number | 'timeout' | 'drop' | { status: number; retryAfter?: string };

export interface FakeCase {
  id: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

export interface FakeCaseApi {
  /** Base URL, ending with "/". */
  url: string;
  /** Cases by Idempotency-Key. */
  cases: Map<string, FakeCase>;
  /** Requests received (any path, any outcome). */
  readonly requests: number;
  script(steps: CaseStep[]): void;
  close(): Promise<void>;
}

export async function startFakeCaseApi(token: string): Promise<FakeCaseApi> {
  const cases = new Map<string, FakeCase>();
  let steps: CaseStep[] = [];
  let requests = 0;
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
      if (req.method === 'GET' && req.url === '/api/health') return json(res, 200, { ok: true });
      if (req.method !== 'POST' || req.url !== '/api/cases') return json(res, 404, { error: 'not found' });
      const step = steps.shift() ?? 201;
      if (step === 'timeout') return;
      const status = typeof step === 'object' ? step.status : step;
      if (typeof status === 'number' && status >= 300)
        return json(res, status, { error: status }, typeof step === 'object' && step.retryAfter ? { 'retry-after': step.retryAfter } : {});
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: 'bad json' });
      }
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) return json(res, 422, { error: 'Idempotency-Key is required' });
      if (typeof body.reference !== 'string' || typeof body.payloadXml !== 'string') return json(res, 422, { error: 'reference and payloadXml are required' });
      const existing = cases.get(key);
      const created = existing ?? { id: `CASE-${cases.size + 1}`, idempotencyKey: key, body };
      cases.set(key, created);
      if (step === 'drop') return void req.socket.destroy();
      json(res, existing ? 200 : 201, { id: created.id });
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
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
