// Waiting for a condition instead of sleeping: polls every 50 ms until `fn` returns something truthy, or fails naming
// what it waited for.
export async function waitFor<T>(fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
