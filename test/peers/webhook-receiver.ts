// A real HTTP back office for tests: verifies Standard Webhooks signatures, records every request, dedupes by
// webhook-id as a careful back office would, and can be scripted to fail (status codes, timeouts, Retry-After).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../core/webhooks/standard-webhooks.ts';

export interface ReceivedRequest {
  id: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  verified: boolean;
  answeredWith: number | 'timeout' | 'drop';
  at: number;
}

/** A status to answer; 'timeout' never answers; 'drop' records the case and then cuts the connection (a lost response). */
export type Step = number | 'timeout' | 'drop' | { status: number; retryAfter?: string; delayMs?: number };

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Records created: one per distinct, verified webhook-id answered 2xx. */
  records(): Map<string, ReceivedRequest>;
  distinctIds(): Set<string>;
  /** Answers the next requests with these steps (then 200s). */
  script(steps: Step[]): void;
  waitFor(predicate: (r: WebhookReceiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, options: { referencePrefix?: string; delayMs?: number } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const records = new Map<string, ReceivedRequest>();
  let steps: Step[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let verified = false;
      try {
        verifyWebhook(secret, req.headers, raw);
        verified = true;
      } catch {
        verified = false;
      }
      const id = req.headers['webhook-id'] as string | undefined;
      const step = steps.shift() ?? 200;
      const entry: ReceivedRequest = { id, headers: req.headers, body: raw.toString('utf8'), verified, answeredWith: typeof step === 'object' ? step.status : step, at: Date.now() };
      requests.push(entry);
      if (step === 'timeout') return; // never answer: the client's timeout fires
      if (step === 'drop') {
        if (verified && id && !records.has(id)) records.set(id, Object.assign(entry, { ref: `${options.referencePrefix ?? 'BO'}-${++counter}` }));
        req.socket.destroy();
        return;
      }
      const status = typeof step === 'number' ? step : step.status;
      const send = () => {
        if (!verified) {
          res.writeHead(401).end('bad signature');
          return;
        }
        if (typeof step === 'object' && step.retryAfter) res.setHeader('Retry-After', step.retryAfter);
        if (status >= 200 && status < 300 && id) {
          const existing = records.get(id);
          const ref = existing ? (existing as ReceivedRequest & { ref?: string }).ref! : `${options.referencePrefix ?? 'BO'}-${++counter}`;
          if (!existing) records.set(id, Object.assign(entry, { ref }));
          res.setHeader('X-Sandbox-Reference', ref);
          res.setHeader('content-type', 'application/json');
          res.writeHead(status).end(JSON.stringify({ caseId: ref }));
          return;
        }
        res.writeHead(status).end(`status ${status}`);
      };
      const delay = (typeof step === 'object' ? step.delayMs : undefined) ?? options.delayMs;
      if (delay) setTimeout(send, delay);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  const receiver: WebhookReceiver = {
    url,
    requests,
    records: () => records,
    distinctIds: () => new Set(requests.map((r) => r.id).filter((x): x is string => !!x)),
    script(next) {
      steps = [...next];
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const start = Date.now();
      while (!predicate(receiver)) {
        if (Date.now() - start > timeoutMs) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
