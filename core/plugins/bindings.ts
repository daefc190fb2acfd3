// Turns config bindings into runtimes: the connector, its validated config and its context, with the state its open()
// made for the binding. Built once per process; the host closes the states when it closes (after the roles stopped).
// (Plugins know nothing of the hub's other folders: what a connector may do to processes is handed in by the role.)
import type { Connector, ConnectorContext, ProcessApi } from '@closeloop/sdk';
import { ConfigError, parsePluginConfig, type BindingConfig, type ConfigProblem } from '../config/index.ts';
import { pluginDatabase } from '../db/index.ts';
import { openPluginStates } from './plugin-state.ts';
import type { PluginHost } from './plugin-host.ts';

export type { PluginHost } from './plugin-host.ts';

/** A configured binding: its connector, the context the connector is called with, and its retry policy. */
export interface BindingRuntime {
  name: string;
  connector: Connector<unknown>;
  context: ConnectorContext<unknown>;
  retry: BindingConfig['retry'];
}

/** A binding ready to run, with the worker settings from its config. */
export type LoadedBinding = BindingRuntime & { concurrency: number; rateLimit?: { max: number; durationMs: number } };

const cache = new WeakMap<PluginHost, Promise<Map<string, LoadedBinding>>>();

/** Whether a binding takes citizens' updates: its connector has deliverUpdate and (if it asks) its config says so. */
export function bindingTakesUpdates(binding: Pick<BindingRuntime, 'connector' | 'context'>): boolean {
  const { connector, context } = binding;
  return typeof connector.deliverUpdate === 'function' && (connector.takesUpdates?.(context.config) ?? true);
}

/** The bindings this host already built (the serve and worker roles build them at start), or undefined. */
export function builtBindings(hub: PluginHost): Promise<Map<string, LoadedBinding>> | undefined {
  return cache.get(hub);
}

/**
 * The host's bindings, built on the first call (later calls get the same runtimes). `processes` gives each binding's
 * connector the process actions it may take (its ProcessApi).
 */
export function loadBindings(hub: PluginHost, processes: (binding: string) => ProcessApi): Promise<Map<string, LoadedBinding>> {
  let loaded = cache.get(hub);
  if (!loaded) {
    loaded = build(hub, processes);
    cache.set(hub, loaded);
  }
  return loaded;
}

async function build(hub: PluginHost, processes: (binding: string) => ProcessApi): Promise<Map<string, LoadedBinding>> {
  const out = new Map<string, LoadedBinding>();
  const problems: ConfigProblem[] = [];
  for (const [name, binding] of Object.entries(hub.config.bindings)) {
    const connector = await hub.registry.connector(binding.connector);
    const parsed = parsePluginConfig(connector.configSchema, binding.config, {
      file: hub.config.file,
      prefix: ['bindings', name, 'config'],
      envValues: hub.config.envValues,
    });
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
      processes: processes(name),
      ...(connector.migrations?.length ? { database: pluginDatabase(hub.db) } : {}),
      state: undefined,
    };
    out.set(name, { name, connector, concurrency: binding.concurrency, rateLimit: binding.rateLimit, retry: binding.retry, context });
  }
  if (problems.length) throw new ConfigError(problems);
  await openPluginStates(
    hub,
    'binding',
    [...out.values()].map((b) => ({ name: b.name, plugin: b.connector, context: b.context })),
  );
  return out;
}
