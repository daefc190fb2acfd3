// Counters and latency figures for the chaos results.

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): LatencySummary {
  return {
    count: values.length,
    p50: Math.round(percentile(values, 50)),
    p99: Math.round(percentile(values, 99)),
    max: values.length ? Math.round(Math.max(...values)) : NaN,
  };
}

/** Counts of each key, e.g. HTTP statuses or error codes. */
export class Counter {
  readonly counts: Record<string, number> = {};
  add(key: string | number, n = 1): void {
    this.counts[String(key)] = (this.counts[String(key)] ?? 0) + n;
  }
  get(key: string | number): number {
    return this.counts[String(key)] ?? 0;
  }
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  /** Only keys matching, e.g. 5xx statuses. */
  filter(pred: (key: string) => boolean): Record<string, number> {
    return Object.fromEntries(Object.entries(this.counts).filter(([k]) => pred(k)));
  }
}

/** A small deterministic PRNG (mulberry32), so a flaky back office's script can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws with `what` and the last value). */
export async function waitUntil<T>(check: () => Promise<T> | T, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)}${lastErr ? `, error: ${(lastErr as Error).message}` : ''})`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
