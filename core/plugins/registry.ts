// Finds connectors, channels and address providers by name. Built-ins are a table of names → module paths under the
// project root, imported lazily on first use, so core/ never imports connectors/ or plugins/ statically; third-party
// plugins are named in config (`plugins:`) by npm package or by a path relative to the config folder, and register
// under their own `name`. The gazetteer address provider lives in core itself and is registered directly.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressProvider, Channel, Connector } from '@closeloop/sdk';
import { gazetteerProvider } from '../address/gazetteer/provider.ts';
import { importPluginModule, kindLabel, PluginLoadError, pluginsOf, problemsOf, type LoadedPlugin, type PluginKind } from './loader.ts';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Built-in connectors: name → module (relative to the project root) exporting `connector`. One line per connector. */
export const BUILTIN_CONNECTORS: Readonly<Record<string, string>> = {
  webhook: 'connectors/webhook/index.ts',
  alloy: 'connectors/alloy/index.ts',
  soap: 'connectors/soap/index.ts',
  sandbox: 'connectors/sandbox/index.ts',
};

/** Built-in notification channels: name → module (relative to the project root) exporting `channel`. One line per channel. */
export const BUILTIN_CHANNELS: Readonly<Record<string, string>> = {
  smtp: 'plugins/channels/smtp/index.ts',
  'govuk-notify': 'plugins/channels/govuk-notify/index.ts',
};

/**
 * Built-in address providers kept outside core: name → module (relative to the project root) exporting
 * `addressProvider`. The gazetteer is core's own (core/address/gazetteer) and is registered by the Registry itself.
 */
export const BUILTIN_ADDRESS_PROVIDERS: Readonly<Record<string, string>> = {
  'os-places': 'plugins/address/os-places/index.ts',
};

export interface RegistryOptions {
  /** Where built-in module paths are resolved from (default: the project root). */
  root?: string;
  builtinConnectors?: Record<string, string>;
  builtinChannels?: Record<string, string>;
  builtinAddressProviders?: Record<string, string>;
}

type Kind = PluginKind;
type AnyPlugin = Connector<unknown> | Channel<unknown> | AddressProvider<unknown>;

export class Registry {
  private readonly root: string;
  private readonly builtins: Record<Kind, Record<string, string>>;
  private readonly loaded: Record<Kind, Map<string, Promise<AnyPlugin>>> = { connector: new Map(), channel: new Map(), addressProvider: new Map() };
  /** Built-ins registered as objects (core's own gazetteer): a plugin may not take their names either. */
  private readonly coreBuiltins = new Set<string>();
  /** Where each third-party plugin came from, to explain a name clash. */
  private readonly origin = new Map<string, string>();

  constructor(options: RegistryOptions = {}) {
    this.root = options.root ?? PROJECT_ROOT;
    this.builtins = {
      connector: { ...(options.builtinConnectors ?? BUILTIN_CONNECTORS) },
      channel: { ...(options.builtinChannels ?? BUILTIN_CHANNELS) },
      addressProvider: { ...(options.builtinAddressProviders ?? BUILTIN_ADDRESS_PROVIDERS) },
    };
    this.registerAddressProvider(gazetteerProvider as AddressProvider<unknown>);
    this.coreBuiltins.add(`addressProvider:${gazetteerProvider.name}`);
  }

  /** Loads the third-party plugins named in config (package names, or paths relative to `configDir`), in order. */
  async loadPlugins(specs: readonly string[], configDir: string): Promise<void> {
    for (const spec of specs) await this.loadPlugin(spec, configDir);
  }

  /** Loads one third-party plugin module and registers every connector/channel/address provider it exports. */
  async loadPlugin(spec: string, configDir: string): Promise<LoadedPlugin[]> {
    const found = pluginsOf(spec, await importPluginModule(spec, configDir));
    for (const { kind, plugin } of found) {
      const key = `${kind}:${plugin.name}`;
      if (this.builtins[kind][plugin.name] || this.coreBuiltins.has(key))
        throw new PluginLoadError(spec, `its ${kindLabel(kind)} is named "${plugin.name}", which is a built-in ${kindLabel(kind)}; give it another name`);
      const previous = this.origin.get(key);
      if (previous) throw new PluginLoadError(spec, `its ${kindLabel(kind)} "${plugin.name}" is already registered by plugin "${previous}"`);
      this.origin.set(key, spec);
      this.loaded[kind].set(plugin.name, Promise.resolve(plugin));
    }
    return found;
  }

  /** Registers a connector directly (tests, embedding); replaces any of the same name. */
  registerConnector(connector: Connector<unknown>): void {
    this.register('connector', connector);
  }

  /** Registers a channel directly (tests, embedding); replaces any of the same name. */
  registerChannel(channel: Channel<unknown>): void {
    this.register('channel', channel);
  }

  /** Registers an address provider directly (tests, embedding, core's gazetteer); replaces any of the same name. */
  registerAddressProvider(provider: AddressProvider<unknown>): void {
    this.register('addressProvider', provider);
  }

  /** The connector of this name: registered, loaded from config, or a built-in imported now. */
  connector(name: string): Promise<Connector<unknown>> {
    return this.get('connector', name) as Promise<Connector<unknown>>;
  }

  /** The channel of this name: registered, loaded from config, or a built-in imported now. */
  channel(name: string): Promise<Channel<unknown>> {
    return this.get('channel', name) as Promise<Channel<unknown>>;
  }

  /** The address provider of this name: core's gazetteer, registered, loaded from config, or a built-in imported now. */
  addressProvider(name: string): Promise<AddressProvider<unknown>> {
    return this.get('addressProvider', name) as Promise<AddressProvider<unknown>>;
  }

  /** Names a binding may use in `connector:` (built-in and loaded). */
  connectorNames(): string[] {
    return this.names('connector');
  }

  /** Names a channel may use in `channel:` (built-in and loaded). */
  channelNames(): string[] {
    return this.names('channel');
  }

  /** Names a council may use in `address.provider:` (built-in and loaded). */
  addressProviderNames(): string[] {
    return this.names('addressProvider');
  }

  private register(kind: Kind, plugin: AnyPlugin): void {
    const label = (plugin as { name?: unknown })?.name;
    const problems = problemsOf(kind, plugin);
    if (problems.length) throw new PluginLoadError(String(label ?? kind), `not a valid ${kindLabel(kind)}: ${problems.join('; ')}`);
    this.loaded[kind].set(plugin.name, Promise.resolve(plugin));
  }

  private get(kind: Kind, name: string): Promise<AnyPlugin> {
    let plugin = this.loaded[kind].get(name);
    if (!plugin) {
      const path = this.builtins[kind][name];
      if (!path) {
        return Promise.reject(
          new PluginLoadError(
            name,
            `no ${kindLabel(kind)} of this name (known: ${this.names(kind).join(', ')}; third-party ${kindLabel(kind)}s must be listed under plugins:)`,
          ),
        );
      }
      plugin = this.importBuiltin(kind, name, path);
      this.loaded[kind].set(name, plugin);
      // A failed import is not cached: the next call tries again (and reports the error again).
      plugin.catch(() => this.loaded[kind].delete(name));
    }
    return plugin;
  }

  private async importBuiltin(kind: Kind, name: string, path: string): Promise<AnyPlugin> {
    let mod: Record<string, unknown>;
    try {
      mod = await importPluginModule(builtinFile(this.root, path), this.root);
    } catch (err) {
      throw new PluginLoadError(
        name,
        `the built-in ${kindLabel(kind)} ${path} could not be loaded: ${(err as Error).message.replace(/^plugin "[^"]*": /, '')}`,
        {
          cause: err,
        },
      );
    }
    const plugin = mod[kind];
    const problems = plugin === undefined ? [`it does not export \`${kind}\``] : problemsOf(kind, plugin);
    if (!problems.length && (plugin as { name: string }).name !== name) problems.push(`its name is "${(plugin as { name: string }).name}", not "${name}"`);
    if (problems.length) throw new PluginLoadError(name, `the built-in ${kindLabel(kind)} ${path} is not valid: ${problems.join('; ')}`);
    return plugin as AnyPlugin;
  }

  private names(kind: Kind): string[] {
    return [...new Set([...Object.keys(this.builtins[kind]), ...this.loaded[kind].keys()])].sort();
  }
}

/** A built-in's module: its TypeScript source or, in the production build (tsc to dist/), the JavaScript beside it. */
function builtinFile(root: string, path: string): string {
  const source = resolve(root, path);
  if (!source.endsWith('.ts') || existsSync(source)) return source;
  const compiled = `${source.slice(0, -3)}.js`;
  return existsSync(compiled) ? compiled : source;
}
