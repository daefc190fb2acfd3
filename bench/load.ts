// A small HTTP load generator (keep-alive, closed loop at a fixed concurrency, or open loop at a fixed rate), with
// latency percentiles. Kept in-tree so requests can carry per-request bodies and the harness has no extra dependency.
import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function once(agent: http.Agent, base: URL, spec: RequestSpec): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        agent,
        headers: { ...spec.headers, ...(spec.body ? { 'content-length': String(spec.body.length) } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(spec.body);
  });
}

/** Closed loop: `concurrency` requests in flight for `seconds`. */
export async function closedLoop(
  baseUrl: string,
  concurrency: number,
  seconds: number,
  next: (i: number) => RequestSpec,
  /** Told of each request as it ends (its number as given to `next`, its latency and status). */
  onDone?: (i: number, ms: number, status: number) => void,
  /** Each of the `concurrency` users pauses this long (ms) after each answer, as a person reads a page; none: no pause. */
  think?: () => number,
): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let i = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const n = i++;
        const status = await once(agent, base, next(n));
        latencies.push(performance.now() - t0);
        onDone?.(n, performance.now() - t0, status);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) errors++;
        const pause = think ? Math.min(think(), end - performance.now()) : 0;
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
    }),
  );
  agent.destroy();
  return summarize(latencies, errors, started, statuses);
}

/** Open loop: `rate` requests per second for `seconds`, whatever the server's speed. Resolves with each request's start time. */
export async function openLoop(baseUrl: string, rate: number, seconds: number, next: (i: number) => RequestSpec): Promise<LoadResult & { starts: number[] }> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const starts: number[] = [];
  const pending: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    starts.push(Date.now());
    pending.push(
      once(agent, base, next(i)).then((status) => {
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) errors++;
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { ...summarize(latencies, errors, started, statuses), starts };
}

/** Rates and percentiles of a finished run (`started`: its performance.now() at the start). */
function summarize(latencies: number[], errors: number, started: number, statuses: Record<string, number>): LoadResult {
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
  };
}
