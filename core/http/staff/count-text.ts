// How the staff console's searches say how many they found: a count stops at a limit rather than count a million.

/** "1 case", "1,234 cases", or "More than 1,000 cases" for a count that went past its limit. */
export function countText(n: number, limit: number, one: string, many: string): string {
  if (n > limit) return `More than ${limit.toLocaleString('en-GB')} ${many}`;
  return n === 1 ? `1 ${one}` : `${n.toLocaleString('en-GB')} ${many}`;
}
