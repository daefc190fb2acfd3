// Plugins that keep data of their own: the migrations and erasure hooks of every plugin a binding, channel or council's
// address lookup uses.
import type { AddressProvider, Channel, Connector, ErasureTarget, PluginDatabase } from '@closeloop/sdk';
import type { Config } from '../config/index.ts';
import type { PluginMigrationOf } from '../db/index.ts';
import { Registry } from './registry.ts';

/** A plugin's erasure hook (see @closeloop/sdk's PluginBase.erase). */
export interface PluginEraser {
  plugin: string;
  erase(process: ErasureTarget, db: PluginDatabase): Promise<number>;
}

export interface PluginData {
  migrations: PluginMigrationOf[];
  erasers: PluginEraser[];
}

type UsedConfig = Pick<Config, 'bindings' | 'channels' | 'council' | 'councils'>;

/** The plugins config uses (each once, however many bindings, channels or councils name it), in config order. */
export async function pluginsInUse(registry: Registry, config: UsedConfig): Promise<(Connector<unknown> | Channel<unknown> | AddressProvider<unknown>)[]> {
  const seen = new Map<string, Connector<unknown> | Channel<unknown> | AddressProvider<unknown>>();
  for (const b of Object.values(config.bindings))
    if (!seen.has(`connector:${b.connector}`)) seen.set(`connector:${b.connector}`, await registry.connector(b.connector));
  for (const c of Object.values(config.channels)) if (!seen.has(`channel:${c.channel}`)) seen.set(`channel:${c.channel}`, await registry.channel(c.channel));
  for (const council of [config.council, ...Object.values(config.councils)]) {
    const name = council.address?.provider ?? 'gazetteer';
    if (!seen.has(`addressProvider:${name}`)) seen.set(`addressProvider:${name}`, await registry.addressProvider(name));
  }
  return [...seen.values()];
}

export async function pluginData(registry: Registry, config: UsedConfig): Promise<PluginData> {
  const plugins = await pluginsInUse(registry, config);
  return {
    migrations: plugins.flatMap((p) => (p.migrations ?? []).map((migration) => ({ plugin: p.name, migration }))),
    erasers: plugins.filter((p) => typeof p.erase === 'function').map((p) => ({ plugin: p.name, erase: p.erase!.bind(p) })),
  };
}

/** The same for a command that opens no hub (migrate, erase, retention): loads the plugins config names first. */
export async function pluginDataFor(config: Config): Promise<PluginData> {
  const registry = new Registry();
  await registry.loadPlugins(config.plugins, config.dir);
  return pluginData(registry, config);
}
