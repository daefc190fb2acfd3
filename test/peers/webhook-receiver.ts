// A real HTTP back office for tests and benchmarks: verifies Standard Webhooks signatures, records every request,
// creates one record per webhook-id (a repeat is answered with the same reference, as a careful back office does), and
// can be scripted to fail: status codes, delays, timeouts, Retry-After, lost answers, custom bodies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, webhookKey } from '@closeloop/sdk';

export interface ReceivedRequest {
  /** webhook-id. */
  id: string | undefined;
  idempotencyKey: string | undefined;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The signature checked out (with the receiver's secret, within the 5-minute tolerance). */
  verified: boolean;
  answeredWith: number | 'timeout' | 'drop';
  /** Client port: the same port across requests means a kept-alive connection was reused. */
  remotePort: number;
  at: number;
  /** The reference of the record this request created or found (2xx and 'drop' only). */
  ref?: string;
}

/**
 * How to answer one request. A number: that status. 'timeout': never answer (the client's timeout fires).
 * 'drop': create the record, then cut the connection (the back office acted but the answer was lost).
 */
export type Step = number | 'timeout' | 'drop' | { status: number; retryAfter?: string; delayMs?: number; body?: string; headers?: Record<string, string> };

export interface WebhookReceiverOptions {
  /** Prefix of the references this back office gives (default BO): BO-1, BO-2… */
  referencePrefix?: string;
  /** Delay before every answer. */
  delayMs?: number;
  /** Path the receiver's `url` points at (any path is accepted). */
  path?: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/inbox */
  url: string;
  /** Every request, in arrival order. */
  requests: ReceivedRequest[];
  /** Records created: one per distinct, verified webhook-id that was answered 2xx (or dropped after acting). */
  records(): Map<string, ReceivedRequest>;
  /** Distinct webhook-ids seen (verified or not). */
  distinctIds(): Set<string>;
  /** Answers the next requests with these steps, then 200s. Replaces any steps not yet used. */
  script(steps: Step[]): void;
  /** Also accepts signatures made with this secret. */
  trust(secret: string): void;
  /** Forgets requests, records and steps (keeps the reference counter, so references stay unique). */
  reset(): void;
  waitFor(predicate: (r: WebhookReceiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  // More secrets may be trusted later (a subscriber learns each subscription's secret when it is made).
  const keys: Buffer[] = [webhookKey(secret)];
  const prefix = options.referencePrefix ?? 'BO';
  const requests: ReceivedRequest[] = [];
  const records = new Map<string, ReceivedRequest>();
  let steps: Step[] = [];
  let counter = 0;

  /** The record for this id, created on first sight. */
  function record(entry: ReceivedRequest): string {
    const existing = records.get(entry.id!);
    if (existing) return existing.ref!;
    entry.ref = `${prefix}-${++counter}`;
    records.set(entry.id!, entry);
    return entry.ref;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let verified = false;
      try {
        verifyWebhook(keys, req.headers, raw);
        verified = true;
      } catch {
        verified = false;
      }
      const step = steps.shift() ?? 200;
      const entry: ReceivedRequest = {
        id: header(req.headers['webhook-id']),
        idempotencyKey: header(req.headers['idempotency-key']),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: raw.toString('utf8'),
        verified,
        answeredWith: typeof step === 'object' ? step.status : step,
        remotePort: req.socket.remotePort ?? 0,
        at: Date.now(),
      };
      requests.push(entry);
      if (step === 'timeout') return;
      if (step === 'drop') {
        if (verified && entry.id) entry.ref = record(entry);
        req.socket.destroy();
        return;
      }
      const s = typeof step === 'number' ? { status: step } : step;
      const answer = () => {
        if (!verified) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature');
        const headers: Record<string, string> = { ...s.headers };
        if (s.retryAfter) headers['retry-after'] = s.retryAfter;
        if (s.status >= 200 && s.status < 300 && entry.id) {
          entry.ref = record(entry);
          headers['x-sandbox-reference'] = entry.ref;
          if (s.body === undefined) headers['content-type'] ??= 'application/json';
          return void res.writeHead(s.status, headers).end(s.body ?? JSON.stringify({ caseId: entry.ref }));
        }
        res.writeHead(s.status, headers).end(s.body ?? `status ${s.status}`);
      };
      const delay = s.delayMs ?? options.delayMs;
      if (delay) setTimeout(answer, delay);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/inbox'}`;

  const receiver: WebhookReceiver = {
    url,
    requests,
    records: () => records,
    distinctIds: () => new Set(requests.map((r) => r.id).filter((x): x is string => !!x)),
    script(next) {
      steps = [...next];
    },
    trust(more) {
      keys.push(webhookKey(more));
    },
    reset() {
      requests.length = 0;
      records.clear();
      steps = [];
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
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
