// Every connector's, channel's and address provider's config schema the registry knows (built-in and loaded from
// config), for the JSON Schema of closeloop.yaml and the configuration reference.
import type { ZodType } from 'zod';
import type { PluginConfigSchemas } from '../config/json-schema.ts';
import type { Registry } from './registry.ts';

export async function pluginConfigSchemas(registry: Registry): Promise<PluginConfigSchemas> {
  const connectors = await Promise.all(registry.connectorNames().map(async (name) => [name, (await registry.connector(name)).configSchema] as const));
  const channels = await Promise.all(registry.channelNames().map(async (name) => [name, (await registry.channel(name)).configSchema] as const));
  return { connectors: Object.fromEntries(connectors), channels: Object.fromEntries(channels), addressProviders: await addressProviderSchemas(registry) };
}

/**
 * The address providers that load. A built-in provider's module may be absent from an installation (it is imported
 * only when a council names it); it then offers no schema, and a council naming it is refused by check-config and at start.
 */
export async function addressProviderSchemas(registry: Registry): Promise<Record<string, ZodType>> {
  const out: Record<string, ZodType> = {};
  for (const name of registry.addressProviderNames()) {
    const provider = await registry.addressProvider(name).catch(() => undefined);
    if (provider) out[name] = provider.configSchema as ZodType;
  }
  return out;
}
