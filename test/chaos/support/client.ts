// The citizens' side of a chaos scenario: submissions over node:http (so connection errors keep their codes), each with a
// request id and a unique marker, and a pool that keeps N requests in flight.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export interface Outcome {
  /** Our X-Request-Id (the hub logs it with the request's final status). */
  requestId: string;
  marker: string;
  /** When the request was sent and when its answer (or error) came. */
  sentAt: number;
  doneAt: number;
  status?: number;
  retryAfter?: string;
  body?: unknown;
  /** Client-side failure: ECONNREFUSED (never reached the hub), ECONNRESET / socket hang up (cut), timeout… */
  error?: string;
  /** Sent on a kept-alive connection the hub had already accepted (not a new one). */
  reusedSocket?: boolean;
}

export interface SubmitOptions {
  agent?: http.Agent;
  timeoutMs?: number;
  service?: 'noise' | 'pests';
}

/** Answers of the fixture services; `marker` goes into a free-text answer so a process can be found by it. */
export function answersFor(service: 'noise' | 'pests', marker: string): Record<string, unknown> {
  if (service === 'pests') return { pest: 'rats' };
  return { noiseType: 'music', description: `chaos ${marker}`, source: { line1: '1 Chaos Lane', postcode: 'EX1 2AB' }, started: '2026-01-02' };
}

export function submit(baseUrl: string, options: SubmitOptions = {}): Promise<Outcome> {
  const service = options.service ?? 'noise';
  const marker = randomUUID();
  const requestId = `chaos-${marker}`;
  const body = Buffer.from(JSON.stringify({ answers: answersFor(service, marker) }));
  const url = new URL(`/api/v1/services/${service}/submissions`, baseUrl);
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Partial<Outcome>) => {
      if (settled) return;
      settled = true;
      resolve({ requestId, marker, sentAt, doneAt: Date.now(), reusedSocket: req.reusedSocket, ...o });
    };
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: options.agent ?? false,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-request-id': requestId },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = Buffer.concat(chunks).toString('utf8').slice(0, 500);
          }
          const retryAfter = res.headers['retry-after'];
          done({ status: res.statusCode, body: parsed, ...(retryAfter ? { retryAfter: String(retryAfter) } : {}) });
        });
        res.on('error', (err) => done({ error: code(err) }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (err) => done({ error: code(err) }));
    req.end(body);
  });
}

function code(err: Error): string {
  return (err as { code?: string }).code ?? err.message;
}

/**
 * Keeps `concurrency` calls in flight until `shouldStop()` says so (checked before each new call) or `count` calls were
 * started; resolves with every result.
 */
export async function pool<T>(
  concurrency: number,
  next: (i: number) => Promise<T>,
  limits: { count?: number; shouldStop?: () => boolean; gapMs?: number },
): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  const lane = async () => {
    for (;;) {
      if (limits.count !== undefined && started >= limits.count) return;
      if (limits.shouldStop?.()) return;
      const i = started++;
      results.push(await next(i));
      if (limits.gapMs) await new Promise((r) => setTimeout(r, limits.gapMs));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

/** Sends `count` calls at a steady `perSecond` rate (open loop), resolving with every result. */
export async function paced<T>(count: number, perSecond: number, next: (i: number) => Promise<T>): Promise<T[]> {
  const start = Date.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(next(i));
  }
  return Promise.all(pending);
}
