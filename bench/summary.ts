// Median and spread of a figure measured in several runs of a phase (BENCH_RUNS).

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** "min–max" of the runs, or '' for a single run (nothing to spread). */
export function spread(xs: number[], digits = 1): string {
  if (xs.length < 2) return '';
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

/** Worker-process counts from BENCH_WORKERS ("2", or "1,2,3"): each a positive whole number. */
export function workerCounts(text: string | undefined): number[] {
  const counts = (text ?? '2').split(',').map((s) => Number(s.trim()));
  if (!counts.length || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 16))
    throw new Error(`BENCH_WORKERS must be a whole number of worker processes from 1 to 16, or a list of them such as 1,2,3 (got "${text}")`);
  return counts;
}

/** Runs of each loaded phase from BENCH_RUNS: a whole number from 1 to 20 (default 3, or 1 for a QUICK run). */
export function runCount(text: string | undefined, quick: boolean): number {
  if (text === undefined || text === '') return quick ? 1 : 3;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`BENCH_RUNS must be a whole number of runs from 1 to 20 (got "${text}")`);
  return n;
}
