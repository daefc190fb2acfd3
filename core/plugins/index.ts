export * from './sdk.ts';
export { readInboundJson, type InboundJson } from './inbound-json.ts';
// Dates as GOV.UK writes them, for channels' message templates.
export { ukDate, ukDateTime, ukTime } from '../uk-dates.ts';
export { Registry, BUILTIN_CONNECTORS, BUILTIN_CHANNELS, PROJECT_ROOT, type RegistryOptions } from './registry.ts';
export { PluginLoadError, importPluginModule, pluginsOf, connectorProblems, channelProblems, isPathSpec, type LoadedPlugin } from './loader.ts';
export { pluginConfigSchemas } from './config-schemas.ts';
