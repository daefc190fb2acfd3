// A plugin's settings may come from the environment (`{ env: NAME, default: … }`), and the environment holds only
// strings. Where the plugin's schema wants a boolean or a number, the string is converted; one that cannot be is a
// problem naming the file, line and field. The schema's own issues say which type a field wants, so this works for any
// plugin without reading its schema's structure.
import type { ZodType, z } from 'zod';
import type { ConfigProblem } from './errors.ts';

/** Where a value in a binding's or channel's config came from the environment. */
export interface EnvValue {
  /** Full path in the config file, e.g. ['channels', 'email', 'config', 'secure']. */
  path: (string | number)[];
  env: string;
  line: number | null;
}

export interface PluginConfigSource {
  file: string;
  /** Where the plugin's config sits in the file, e.g. ['bindings', 'casework', 'config']. */
  prefix: (string | number)[];
  envValues: readonly EnvValue[];
  /** Line of a path in the file, for problems that are not about an environment value. */
  lineOf?: (path: (string | number)[]) => number | null;
}

export type PluginConfigResult<T> = { success: true; data: T } | { success: false; problems: ConfigProblem[] };

type Coercible = 'boolean' | 'number';

/** Validates a plugin's config with its schema, converting environment strings to the booleans and numbers it wants. */
export function parsePluginConfig<T>(schema: ZodType<T>, value: unknown, source: PluginConfigSource): PluginConfigResult<T> {
  let current = value;
  const envAt = new Map(source.envValues.map((e) => [e.path.join('\u0000'), e]));
  // Each pass converts at least one value, so this ends; the bound only guards against a schema that keeps moving.
  for (let pass = 0; pass < 50; pass++) {
    const parsed = schema.safeParse(current);
    if (parsed.success) return { success: true, data: parsed.data };
    const problems: ConfigProblem[] = [];
    let converted = false;
    for (const { path, want } of wantedTypes(parsed.error.issues)) {
      const full = [...source.prefix, ...path];
      const env = envAt.get(full.join('\u0000'));
      const raw = valueAt(current, path);
      if (!env || typeof raw !== 'string') continue;
      const coerced = coerce(raw, want);
      if (coerced === undefined) {
        // The value itself is not repeated: a variable meant for another setting may hold a secret.
        problems.push({
          file: source.file,
          line: env.line,
          path: full.join('.'),
          message: `environment variable ${env.env} must be ${want === 'boolean' ? 'true or false' : 'a number'} for this setting`,
        });
        continue;
      }
      current = withValueAt(current, path, coerced);
      converted = true;
    }
    if (problems.length) return { success: false, problems };
    if (!converted) {
      return {
        success: false,
        problems: parsed.error.issues.map((i) => {
          const full = [...source.prefix, ...(i.path as (string | number)[])];
          return { file: source.file, line: source.lineOf?.(full) ?? null, path: full.join('.'), message: i.message };
        }),
      };
    }
  }
  throw new Error('the plugin config did not settle while converting environment values');
}

/** Issues saying a field wants a boolean or a number, with paths from the config's root (unions' branches included). */
function wantedTypes(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): { path: (string | number)[]; want: Coercible }[] {
  const out: { path: (string | number)[]; want: Coercible }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_type' && (issue.expected === 'boolean' || issue.expected === 'number'))
      out.push({ path: path as (string | number)[], want: issue.expected as Coercible });
    if (issue.code === 'invalid_union') for (const branch of issue.errors) out.push(...wantedTypes(branch, path));
  }
  return out;
}

function coerce(raw: string, want: Coercible): boolean | number | undefined {
  const text = raw.trim();
  if (want === 'boolean') return /^true$/i.test(text) ? true : /^false$/i.test(text) ? false : undefined;
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** A copy of `root` with the value at `path` replaced (the caller's object is left as it was). */
function withValueAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [key, ...rest] = path;
  const copy = Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) };
  (copy as Record<string | number, unknown>)[key!] = withValueAt((root as Record<string | number, unknown>)[key!], rest, value);
  return copy;
}
