// Imports a plugin module (a path or an npm package name) and checks that what it exports is a connector, channel or
// address provider.
// Every failure is a PluginLoadError naming the spec, so check-config can point at the line in closeloop.yaml.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';
import type { AddressProvider, Channel, Connector } from '@closeloop/sdk';

export class PluginLoadError extends Error {
  constructor(
    readonly spec: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`plugin "${spec}": ${message}`, options);
    this.name = 'PluginLoadError';
  }
}

export type LoadedPlugin =
  | { kind: 'connector'; plugin: Connector<unknown> }
  | { kind: 'channel'; plugin: Channel<unknown> }
  | { kind: 'addressProvider'; plugin: AddressProvider<unknown> };

export type PluginKind = LoadedPlugin['kind'];

/** The named exports a plugin module offers its plugins under, one per kind. */
const KINDS: readonly PluginKind[] = ['connector', 'channel', 'addressProvider'];

const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs'];

/** True for specs that name a file or folder (relative to the config folder, or absolute) rather than a package. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec);
}

/** Imports `spec`: a path relative to `baseDir` (a file, or a folder with index.ts/index.js or a package.json) or a package name. */
export async function importPluginModule(spec: string, baseDir: string): Promise<Record<string, unknown>> {
  const url = isPathSpec(spec) ? pathUrl(spec, baseDir) : packageUrl(spec, baseDir);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(spec, `could not be loaded: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Every connector, channel and address provider a module offers: its `connector`, `channel` and `addressProvider`
 * exports or, failing those, its default export (a plugin, or an object holding them, as CommonJS packages give).
 * Throws when there is none, or when an export has the right name but the wrong shape (saying what is wrong).
 */
export function pluginsOf(spec: string, mod: Record<string, unknown>, options: { allowDefault?: boolean } = {}): LoadedPlugin[] {
  const found: LoadedPlugin[] = [];
  const candidates: [string, unknown][] = KINDS.map((kind) => [kind, mod[kind]]);
  // The default export counts only when there is no named one (a package may default-export something else).
  if (options.allowDefault !== false && mod.default !== undefined && KINDS.every((kind) => mod[kind] === undefined)) {
    const d = mod.default as Record<string, unknown> | null;
    if (d && typeof d === 'object' && KINDS.some((kind) => kind in d) && !('name' in d)) {
      candidates.push(...KINDS.map((kind): [string, unknown] => [`default.${kind}`, d[kind]]));
    } else {
      candidates.push(['default', d]);
    }
  }
  for (const [where, value] of candidates) {
    if (value === undefined || found.some((f) => f.plugin === value)) continue;
    const expected = KINDS.find((kind) => where.endsWith(kind)) ?? looksLike(value);
    const problems = problemsOf(expected, value);
    if (problems.length) throw new PluginLoadError(spec, `export \`${where}\` is not a valid ${kindLabel(expected)}: ${problems.join('; ')}`);
    found.push({ kind: expected, plugin: value } as LoadedPlugin);
  }
  if (!found.length) {
    const names = Object.keys(mod).join(', ') || 'nothing';
    throw new PluginLoadError(
      spec,
      `exports no \`connector\`, \`channel\` or \`addressProvider\` (made with defineConnector/defineChannel/defineAddressProvider); it exports: ${names}`,
    );
  }
  return found;
}

/** What is wrong with a would-be plugin of this kind (empty when it is fine). */
export function problemsOf(kind: PluginKind, value: unknown): string[] {
  return kind === 'connector' ? connectorProblems(value) : kind === 'channel' ? channelProblems(value) : addressProviderProblems(value);
}

/** "address provider" for addressProvider, in messages. */
export function kindLabel(kind: PluginKind): string {
  return kind === 'addressProvider' ? 'address provider' : kind;
}

/** What is wrong with a would-be connector (empty when it is fine). */
export function connectorProblems(value: unknown): string[] {
  return [
    ...commonProblems(value),
    ...(isObject(value) && typeof value.deliver !== 'function' ? ['deliver must be a function'] : []),
    ...optionalFunctions(value, ['open', 'inbound', 'check', 'poll', 'pollIntervalMs', 'close', 'erase']),
  ];
}

/** What is wrong with a would-be channel (empty when it is fine). */
export function channelProblems(value: unknown): string[] {
  return [
    ...commonProblems(value),
    ...(isObject(value) && typeof value.send !== 'function' ? ['send must be a function'] : []),
    ...optionalFunctions(value, ['open', 'sendOperatorMessage', 'inbound', 'close', 'erase']),
  ];
}

/** What is wrong with a would-be address provider (empty when it is fine). */
export function addressProviderProblems(value: unknown): string[] {
  return [
    ...commonProblems(value),
    ...(isObject(value) ? ['byPostcode', 'search', 'byUprn'].filter((k) => typeof value[k] !== 'function').map((k) => `${k} must be a function`) : []),
    ...optionalFunctions(value, ['open', 'nearest', 'close', 'erase']),
  ];
}

function commonProblems(value: unknown): string[] {
  if (!isObject(value)) return [`expected an object, got ${value === null ? 'null' : typeof value}`];
  const problems: string[] = [];
  if (typeof value.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(value.name))
    problems.push('name must be a non-empty string of letters, digits, ".", "_" or "-"');
  const schema = value.configSchema as { safeParse?: unknown } | undefined;
  if (!schema || typeof schema.safeParse !== 'function') problems.push('configSchema must be a zod schema');
  const migrations = value.migrations;
  if (
    migrations !== undefined &&
    !(Array.isArray(migrations) && migrations.every((m) => isObject(m) && typeof m.name === 'string' && m.name !== '' && typeof m.up === 'function'))
  ) {
    problems.push('migrations must be a list of { name, up } when present');
  }
  return problems;
}

function optionalFunctions(value: unknown, keys: string[]): string[] {
  if (!isObject(value)) return [];
  return keys.filter((k) => value[k] !== undefined && typeof value[k] !== 'function').map((k) => `${k} must be a function when present`);
}

function looksLike(value: unknown): PluginKind {
  if (isObject(value) && typeof value.byPostcode === 'function' && typeof value.deliver !== 'function') return 'addressProvider';
  return isObject(value) && typeof value.send === 'function' && typeof value.deliver !== 'function' ? 'channel' : 'connector';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function pathUrl(spec: string, baseDir: string): string {
  const target = resolve(baseDir, spec);
  if (!existsSync(target)) throw new PluginLoadError(spec, `no such file or folder: ${target}`);
  if (!statSync(target).isDirectory()) return pathToFileURL(target).href;
  const index = INDEX_FILES.map((f) => join(target, f)).find((f) => existsSync(f));
  if (index) return pathToFileURL(index).href;
  if (existsSync(join(target, 'package.json'))) return folderPackageUrl(spec, target);
  throw new PluginLoadError(spec, `the folder ${target} has no ${INDEX_FILES.join(', ')} or package.json`);
}

/**
 * Resolves a package by Node's own rules (import-meta-resolve: "exports" with the import/node conditions, else "main"),
 * from the config folder first (a council installs plugins next to its config), then from the hub's own folder.
 */
function packageUrl(spec: string, baseDir: string): string {
  try {
    return moduleResolve(spec, pathToFileURL(join(baseDir, 'closeloop.yaml'))).href;
  } catch (nearConfig) {
    if ((nearConfig as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND')
      throw new PluginLoadError(spec, `could not be loaded: ${(nearConfig as Error).message}`, { cause: nearConfig });
    try {
      return moduleResolve(spec, new URL(import.meta.url)).href;
    } catch {
      throw new PluginLoadError(spec, `could not be loaded: ${(nearConfig as Error).message}`, { cause: nearConfig });
    }
  }
}

/** A folder holding a package (named by path): its own entry point, as `import` of that package would find it. */
function folderPackageUrl(spec: string, folder: string): string {
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string; exports?: unknown; main?: string };
  const base = pathToFileURL(join(folder, 'package.json'));
  try {
    // With "exports", the package resolves itself by name from inside its folder; without, its "main" (or index.js).
    return (pkg.exports !== undefined && pkg.name ? moduleResolve(pkg.name, base) : moduleResolve(`./${pkg.main ?? 'index.js'}`, base)).href;
  } catch (err) {
    throw new PluginLoadError(spec, `could not be loaded: ${(err as Error).message}`, { cause: err });
  }
}
