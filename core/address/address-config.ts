// A council's address settings, checked: the provider exists, its config passes its schema, the gazetteer's seed file
// is there. Problems name the file, line and field (check-config lists them; the address finder throws them).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressProvider } from '@closeloop/sdk';
import { addressSchema, parsePluginConfig, readYamlFile, type AddressConfig, type Config, type ConfigProblem } from '../config/index.ts';
import { gazetteerProvider, type GazetteerConfig } from './gazetteer/provider.ts';

/** Where providers are found by name (the hub's Registry). */
export interface AddressProviderSource {
  addressProvider(name: string): Promise<AddressProvider<unknown>>;
}

export interface CheckedAddressConfig {
  settings: AddressConfig;
  provider: AddressProvider<unknown>;
  /** The provider's own config, parsed by its schema. */
  providerConfig: unknown;
  /** The gazetteer's seed file (absolute), when it has one. */
  seedFile?: string;
}

/** Where a council's settings sit in closeloop.yaml: `council` for the hub's own, `councils.<id>` for the others. */
export function councilPath(config: Config, council: string): (string | number)[] | undefined {
  if (council === config.council.id) return ['council'];
  return Object.hasOwn(config.councils, council) ? ['councils', council] : undefined;
}

export async function checkAddressConfig(
  config: Config,
  registry: AddressProviderSource,
  council: string,
  lineOf: (path: (string | number)[]) => number | null = lazyLineOf(config),
): Promise<{ ok: true; checked: CheckedAddressConfig } | { ok: false; problems: ConfigProblem[] }> {
  const at = councilPath(config, council);
  if (!at) return { ok: false, problems: [{ file: config.file, line: null, path: 'councils', message: `there is no council "${council}"` }] };
  const raw = (at.length === 1 ? config.council : config.councils[council]!).address;
  const settings = addressSchema.parse(raw ?? {});
  const problem = (path: (string | number)[], message: string) => ({
    ok: false as const,
    problems: [{ file: config.file, line: lineOf(path), path: path.join('.'), message }],
  });
  let provider: AddressProvider<unknown>;
  try {
    provider = await registry.addressProvider(settings.provider);
  } catch (err) {
    return problem([...at, 'address', 'provider'], (err as Error).message);
  }
  const parsed = parsePluginConfig(provider.configSchema, settings.config, {
    file: config.file,
    prefix: [...at, 'address', 'config'],
    envValues: config.envValues,
    lineOf,
  });
  if (!parsed.success) return { ok: false, problems: parsed.problems };
  let seedFile: string | undefined;
  if (provider === (gazetteerProvider as AddressProvider<unknown>) && (parsed.data as GazetteerConfig).seed) {
    seedFile = resolve(config.dir, (parsed.data as GazetteerConfig).seed!);
    if (!existsSync(seedFile)) return problem([...at, 'address', 'config', 'seed'], `no such file: ${seedFile}`);
  }
  return { ok: true, checked: { settings, provider, providerConfig: parsed.data, ...(seedFile ? { seedFile } : {}) } };
}

/** Every council's address settings' problems (check-config). */
export async function addressConfigProblems(config: Config, registry: AddressProviderSource): Promise<ConfigProblem[]> {
  const lineOf = lazyLineOf(config);
  const problems: ConfigProblem[] = [];
  for (const council of [config.council.id, ...Object.keys(config.councils)]) {
    const checked = await checkAddressConfig(config, registry, council, lineOf);
    if (!checked.ok) problems.push(...checked.problems);
  }
  return problems;
}

/** Reads the config file for line numbers only when a problem needs one. */
function lazyLineOf(config: Config): (path: (string | number)[]) => number | null {
  let source: ReturnType<typeof readYamlFile> | undefined;
  return (path) => {
    try {
      source ??= readYamlFile(config.file);
      return source.lineOf(path);
    } catch {
      return null;
    }
  };
}
