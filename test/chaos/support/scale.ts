// Counts scale with CHAOS_SCALE: `full` is the reliability issue's own counts (on demand, several minutes); anything
// else is the CI scale, small enough that the whole suite stays within about four minutes on a 2-core machine.
export const SCALE: 'full' | 'ci' = process.env.CHAOS_SCALE === 'full' ? 'full' : 'ci';

export function scaled<T>(ci: T, full: T): T {
  return SCALE === 'full' ? full : ci;
}
