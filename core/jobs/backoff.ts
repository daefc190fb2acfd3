// When to try a failed delivery again: the binding's schedule (the last step repeats), ±20% jitter so a recovering back
// office is not hit by every retry at once, and never sooner than the back office asked (Retry-After).

export interface RetryPolicy {
  attempts: number;
  scheduleSeconds: number[];
}

export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const steps = policy.scheduleSeconds;
  const base = (steps[Math.min(Math.max(attemptsMade - 1, 0), steps.length - 1)] ?? 60) * 1000;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Total time a delivery may take before it is dead, for docs and the admin API. */
export function horizonSeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let i = 1; i < policy.attempts; i++) total += policy.scheduleSeconds[Math.min(i - 1, policy.scheduleSeconds.length - 1)] ?? 0;
  return total;
}
