// The hub's side of plugins. Their contract, errors and helpers are the @closeloop/sdk package, re-exported here so
// core code imports one place.
export * from '@closeloop/sdk';
export { Registry, BUILTIN_CONNECTORS, BUILTIN_CHANNELS, BUILTIN_ADDRESS_PROVIDERS, PROJECT_ROOT, type RegistryOptions } from './registry.ts';
export {
  PluginLoadError,
  importPluginModule,
  pluginsOf,
  connectorProblems,
  channelProblems,
  addressProviderProblems,
  isPathSpec,
  type LoadedPlugin,
} from './loader.ts';
export { pluginConfigSchemas } from './config-schemas.ts';
