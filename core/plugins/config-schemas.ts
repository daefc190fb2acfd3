// Every connector's and channel's config schema the registry knows (built-in and loaded from config), for the JSON
// Schema of closeloop.yaml and the configuration reference.
import type { PluginConfigSchemas } from '../config/json-schema.ts';
import type { Registry } from './registry.ts';

export async function pluginConfigSchemas(registry: Registry): Promise<PluginConfigSchemas> {
  const connectors = await Promise.all(registry.connectorNames().map(async (name) => [name, (await registry.connector(name)).configSchema] as const));
  const channels = await Promise.all(registry.channelNames().map(async (name) => [name, (await registry.channel(name)).configSchema] as const));
  return { connectors: Object.fromEntries(connectors), channels: Object.fromEntries(channels) };
}
