// check-config's plugin step: every binding and channel names a loadable plugin and its config passes the plugin's schema;
// with `connect`, each connector's own check() also asks its back office (keys, codes, operations). Reads only.
import { pino } from 'pino';
import type { Config, ConfigProblem } from '../config/index.ts';
import { parsePluginConfig, readYamlFile } from '../config/index.ts';
import { Registry } from './registry.ts';
import type { Connector, ProcessApi } from '@closeloop/sdk';

const CHECK_TIMEOUT_MS = 60_000;

/** check() only reads from the back office; a connector that tried to change a process during it would be a bug. */
const noProcessChanges: ProcessApi = {
  find: async () => null,
  tasks: async () => [],
  addNote: () => Promise.reject(new Error('no process changes during a check')),
  updateTask: () => Promise.reject(new Error('no process changes during a check')),
  close: () => Promise.reject(new Error('no process changes during a check')),
  addDocument: () => Promise.reject(new Error('no process changes during a check')),
};

export async function checkBindings(config: Config, options: { connect?: boolean } = {}): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const source = readYamlFile(config.file);
  const at = (path: (string | number)[], message: string) => problems.push({ file: config.file, line: source.lineOf(path), path: path.join('.'), message });
  const where = { file: config.file, envValues: config.envValues, lineOf: (path: (string | number)[]) => source.lineOf(path) };
  const registry = new Registry();
  try {
    await registry.loadPlugins(config.plugins, config.dir);
  } catch (err) {
    at(['plugins'], (err as Error).message);
  }
  for (const [name, b] of Object.entries(config.bindings)) {
    try {
      const connector = await registry.connector(b.connector);
      // `{ generated }` secrets are only made at start; check the rest of the config with a stand-in.
      const parsed = parsePluginConfig(connector.configSchema, withGeneratedStandIns(b.config), { ...where, prefix: ['bindings', name, 'config'] });
      if (!parsed.success) problems.push(...parsed.problems);
      else if (options.connect && connector.check) {
        for (const p of await runConnectorCheck(connector, { name, config: parsed.data, publicBaseUrl: config.server.publicBaseUrl, configDir: config.dir }))
          at(['bindings', name, 'config'], p);
      }
    } catch (err) {
      at(['bindings', name, 'connector'], (err as Error).message);
    }
  }
  for (const [name, c] of Object.entries(config.channels)) {
    try {
      const channel = await registry.channel(c.channel);
      const parsed = parsePluginConfig(channel.configSchema, withGeneratedStandIns(c.config), { ...where, prefix: ['channels', name, 'config'] });
      if (!parsed.success) problems.push(...parsed.problems);
    } catch (err) {
      at(['channels', name, 'channel'], (err as Error).message);
    }
  }
  const digestChannel = config.alertDigest ? config.channels[config.alertDigest.channel] : undefined;
  if (digestChannel) {
    const channel = await registry.channel(digestChannel.channel).catch(() => null);
    if (channel && !channel.sendOperatorMessage) {
      at(
        ['alertDigest', 'channel'],
        `channel "${config.alertDigest!.channel}" (${channel.name}) cannot send operator messages; name one whose plugin can, such as smtp`,
      );
    }
  }
  return problems;
}

/**
 * Runs one binding's own check() against its back office (open, check, close), with a time limit. Answers the problems
 * found, each as "back office check: …" (or "back office check failed: …" when the check itself could not run).
 */
export async function runConnectorCheck(
  connector: Connector<unknown>,
  binding: { name: string; config: unknown; publicBaseUrl: string; configDir: string },
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<string[]> {
  if (!connector.check) return [];
  const opening = { ...binding, log: pino({ level: 'silent' }), processes: noProcessChanges };
  let timer: NodeJS.Timeout | undefined;
  let state: unknown;
  let opened = false;
  try {
    state = await connector.open?.(opening);
    opened = true;
    const result = await Promise.race([
      connector.check({ ...opening, state }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs))),
    ]);
    return result.problems.map((p) => `back office check: ${p}`);
  } catch (err) {
    return [`back office check failed: ${(err as Error).message}`];
  } finally {
    clearTimeout(timer);
    if (opened) await connector.close?.(state);
  }
}

/** One configured binding's check, from the running hub (the designer's "Check connection"). */
export async function checkConfiguredBinding(
  hub: { config: Config; registry: Registry },
  name: string,
  timeoutMs = 20_000,
): Promise<{ checked: boolean; problems: string[] }> {
  const binding = hub.config.bindings[name];
  if (!binding) return { checked: false, problems: [`binding "${name}" is not configured`] };
  const connector = await hub.registry.connector(binding.connector);
  const parsed = parsePluginConfig(connector.configSchema, binding.config, {
    file: hub.config.file,
    prefix: ['bindings', name, 'config'],
    envValues: hub.config.envValues,
  });
  if (!parsed.success) return { checked: true, problems: parsed.problems.map((p) => `${p.path}: ${p.message}`) };
  if (!connector.check) return { checked: false, problems: [] };
  const problems = await runConnectorCheck(
    connector,
    { name, config: parsed.data, publicBaseUrl: hub.config.server.publicBaseUrl, configDir: hub.config.dir },
    timeoutMs,
  );
  return { checked: true, problems };
}

function withGeneratedStandIns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withGeneratedStandIns);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.generated === 'string') return `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withGeneratedStandIns(v)]));
  }
  if (typeof value === 'string') return value.replaceAll('{publicBaseUrl}', 'http://localhost:3000');
  return value;
}
