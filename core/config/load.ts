// Loads config/closeloop.yaml, applies environment overrides, validates everything and resolves secret references.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { closeloopConfigSchema, type CloseloopConfigFile } from './schema.ts';
import { problemsFromZod, readYamlFile, type YamlSource } from './yaml-source.ts';
import type { EnvValue } from './env-values.ts';

export interface Config extends CloseloopConfigFile {
  /** Absolute path of the main config file, and the folders derived from it. */
  file: string;
  dir: string;
  paths: { services: string; xsd: string; documents: string };
  /** Values of bindings' and channels' configs that came from `{ env: NAME }` (converted to their setting's type when parsed). */
  envValues: EnvValue[];
}

/** Environment variables that override a config value, and where the value goes. */
export const ENV_OVERRIDES: readonly { env: string; path: string[]; number?: boolean }[] = [
  { env: 'DATABASE_URL', path: ['database', 'url'] },
  { env: 'REDIS_URL', path: ['redis', 'url'] },
  { env: 'REDIS_PREFIX', path: ['redis', 'prefix'] },
  { env: 'PORT', path: ['server', 'port'], number: true },
  { env: 'PUBLIC_BASE_URL', path: ['server', 'publicBaseUrl'] },
  { env: 'DOCUMENTS_PATH', path: ['documents', 'path'] },
  { env: 'LOG_LEVEL', path: ['log', 'level'] },
];

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CLOSELOOP_CONFIG ?? 'config/closeloop.yaml');
}

/** Reads and validates the main config file; throws ConfigError listing every problem found. */
export function loadConfig(file = defaultConfigFile(), env: NodeJS.ProcessEnv = process.env): Config {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ConfigError([{ file: abs, line: null, path: '', message: 'config file not found' }]);
  const source = readYamlFile(abs);
  if (source.syntaxProblems.length) throw new ConfigError(source.syntaxProblems);

  const data = structuredClone(source.data ?? {}) as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  for (const o of ENV_OVERRIDES) {
    const raw = env[o.env];
    if (raw === undefined || raw === '') continue;
    const value = o.number ? Number(raw) : raw;
    if (o.number && !Number.isInteger(value)) {
      problems.push({ file: `environment ${o.env}`, line: null, path: o.path.join('.'), message: `"${raw}" is not a whole number` });
      continue;
    }
    setIn(data, o.path, value);
  }

  const parsed = closeloopConfigSchema.safeParse(data);
  if (!parsed.success) problems.push(...problemsFromZod(source, parsed.error));
  if (problems.length || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  const envValues: EnvValue[] = [];
  problems.push(...resolveEnvSecrets(source, config, env, envValues));
  problems.push(...checkStaffSecrets(source, config, env));
  if (problems.length) throw new ConfigError(problems);

  const dir = dirname(abs);
  return {
    ...config,
    file: abs,
    dir,
    paths: {
      services: resolve(dir, config.servicesDir),
      xsd: resolve(dir, config.xsdDir),
      documents: resolve(config.documents.path),
    },
    envValues,
  };
}

/** Replaces every `{ env: NAME }` inside bindings, channels and councils' address providers with the variable's value. `{ generated }` refs stay for the runtime. */
function resolveEnvSecrets(source: YamlSource, config: CloseloopConfigFile, env: NodeJS.ProcessEnv, envValues: EnvValue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const visit = (value: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => visit(v, [...path, i]));
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // { env: NAME } or, for settings that are not secrets, { env: NAME, default: value }
      if (typeof obj.env === 'string' && keys.every((k) => k === 'env' || k === 'default')) {
        const v = env[obj.env] || (obj.default === undefined ? undefined : String(obj.default));
        if (v === undefined || v === '') {
          problems.push({ file: source.file, line: source.lineOf(path), path: path.join('.'), message: `environment variable ${obj.env} is not set` });
        } else envValues.push({ path, env: obj.env, line: source.lineOf(path) });
        return v;
      }
      return Object.fromEntries(keys.map((k) => [k, visit(obj[k], [...path, k])]));
    }
    return value;
  };
  for (const [name, b] of Object.entries(config.bindings)) b.config = visit(b.config, ['bindings', name, 'config']) as Record<string, unknown>;
  for (const [name, c] of Object.entries(config.channels)) c.config = visit(c.config, ['channels', name, 'config']) as Record<string, unknown>;
  // Address providers' settings (an OS Places key) too, per council.
  if (config.council.address) config.council.address.config = visit(config.council.address.config, ['council', 'address', 'config']) as Record<string, unknown>;
  for (const [id, c] of Object.entries(config.councils))
    if (c.address) c.address.config = visit(c.address.config, ['councils', id, 'address', 'config']) as Record<string, unknown>;
  return problems;
}

/** Staff sign-in client secrets stay references (read when a sign-in starts); here only their variables are checked. */
function checkStaffSecrets(source: YamlSource, config: CloseloopConfigFile, env: NodeJS.ProcessEnv): ConfigProblem[] {
  type Staff = (typeof config)['council']['staff'];
  const councils: [(string | number)[], { staff?: Staff }][] = [
    [['council'], config.council],
    ...Object.entries(config.councils).map(([id, c]): [(string | number)[], { staff?: Staff }] => [['councils', id], c]),
  ];
  const problems: ConfigProblem[] = [];
  for (const [at, council] of councils) {
    const ref = council.staff?.oidc?.clientSecret;
    if (!ref || env[ref.env]) continue;
    const path = [...at, 'staff', 'oidc', 'clientSecret'];
    problems.push({ file: source.file, line: source.lineOf(path), path: path.join('.'), message: `environment variable ${ref.env} is not set` });
  }
  return problems;
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
