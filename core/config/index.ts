export { loadConfig, defaultConfigFile, type Config } from './load.ts';
export { ConfigError, formatProblem, type ConfigProblem } from './errors.ts';
export { readYamlFile, problemsFromZod, type YamlSource } from './yaml-source.ts';
export type { AddressConfig, MapsConfig, BindingConfig, ChannelConfig, SecretRef } from './schema.ts';
export { addressSchema } from './schema.ts';
export { parsePluginConfig, type EnvValue, type PluginConfigResult } from './env-values.ts';
export { STAFF_ROLES, type StaffRole, type StaffOidcConfig, type RoleMapping } from './staff-schema.ts';
