// Definitions' `pattern`s are matched with RE2 (re2js), which takes time linear in the answer's length whatever the pattern.
// JavaScript's RegExp backtracks: "(a+)+b" on 29 characters blocked the serve process for seconds, and a definition is
// hostile input too. RE2 has no backreferences or lookaround; a pattern it cannot compile is a definition problem
// (check-config, draft save, publish), never a pattern the hub tries to run another way.
import { RE2JS } from 're2js';

/** The longest answer a pattern sees when its question sets no maxLength; longer answers are refused before matching. */
export const PATTERN_INPUT_LIMIT = 10_000;

/** Compiled patterns by source. Bounded: drafts saved through the API may bring any number of patterns over time. */
const cache = new Map<string, RE2JS | string>();
const CACHE_SIZE = 500;

function compiled(pattern: string): RE2JS | string {
  let entry = cache.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (err) {
      entry = (err as Error).message.replace(/^error parsing regexp: /, '');
    }
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(pattern, entry);
  }
  return entry;
}

/** Why a pattern cannot be used (RE2 cannot compile it), or null when it can. */
export function patternProblem(pattern: string): string | null {
  const entry = compiled(pattern);
  if (typeof entry !== 'string') return null;
  return `cannot be used: ${entry}. Patterns use RE2 syntax, which has no backreferences (\\1) or lookaround ((?=, (?!, (?<=, (?<!)`;
}

/**
 * Does the whole text match? A pattern RE2 cannot compile matches nothing: such a definition cannot be published, and one
 * stored before this check existed refuses answers rather than running an unsafe engine.
 */
export function matchesPattern(pattern: string, text: string): boolean {
  const entry = compiled(pattern);
  return typeof entry !== 'string' && entry.matches(text);
}
