// Turns config bindings into runtimes: the connector, its validated config and its context, with the state its open()
// made for the binding. Built once per process; the hub closes the states when it closes (after the roles stopped).
import type { ConnectorContext } from '@closeloop/sdk';
import type { Hub } from '../hub.ts';
import type { BindingRuntime } from '../delivery/deliver.ts';
import { processApiFor } from '../processes/process-api.ts';
import { ConfigError, parsePluginConfig, type ConfigProblem } from '../config/index.ts';
import { pluginDatabase } from '../db/index.ts';
import { openPluginStates } from './plugin-state.ts';

/** A binding ready to run, with the worker settings from its config. */
export type LoadedBinding = BindingRuntime & { concurrency: number; rateLimit?: { max: number; durationMs: number } };

const cache = new WeakMap<Hub, Promise<Map<string, LoadedBinding>>>();

export function loadBindings(hub: Hub): Promise<Map<string, LoadedBinding>> {
  let loaded = cache.get(hub);
  if (!loaded) {
    loaded = build(hub);
    cache.set(hub, loaded);
  }
  return loaded;
}

async function build(hub: Hub): Promise<Map<string, LoadedBinding>> {
  const out = new Map<string, LoadedBinding>();
  const problems: ConfigProblem[] = [];
  const deps = { sequelize: hub.sequelize, catalogue: hub.catalogue, notifyWindowSeconds: hub.config.notifications.combineWindowSeconds };
  for (const [name, binding] of Object.entries(hub.config.bindings)) {
    const connector = await hub.registry.connector(binding.connector);
    const parsed = parsePluginConfig(connector.configSchema, binding.config, { file: hub.config.file, prefix: ['bindings', name, 'config'], envValues: hub.config.envValues });
    if (!parsed.success) {
      problems.push(...parsed.problems);
      continue;
    }
    const context: ConnectorContext<unknown> = {
      name,
      config: parsed.data,
      log: hub.log.child({ binding: name }),
      publicBaseUrl: hub.config.server.publicBaseUrl,
      configDir: hub.config.dir,
      processes: processApiFor(deps, name),
      ...(connector.migrations?.length ? { database: pluginDatabase(hub.sequelize) } : {}),
      state: undefined,
    };
    out.set(name, { name, connector, concurrency: binding.concurrency, rateLimit: binding.rateLimit, retry: binding.retry, context });
  }
  if (problems.length) throw new ConfigError(problems);
  await openPluginStates(hub, 'binding', [...out.values()].map((b) => ({ name: b.name, plugin: b.connector, context: b.context })));
  return out;
}
