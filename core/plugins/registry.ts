// Finds connectors and channels by name. Built-ins are a table of names → module paths (loaded lazily, so core never
// imports connectors/ or plugins/); third-party plugins are named in config by npm package or by path.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Channel, Connector } from './sdk.ts';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

const BUILTIN_CONNECTORS: Record<string, string> = {
  webhook: 'connectors/webhook/index.ts',
  soap: 'connectors/soap/index.ts',
  alloy: 'connectors/alloy/index.ts',
};

const BUILTIN_CHANNELS: Record<string, string> = {
  smtp: 'plugins/notify-smtp/index.ts',
  'govuk-notify': 'plugins/notify-govuk/index.ts',
};

export class PluginLoadError extends Error {
  constructor(
    readonly spec: string,
    message: string,
  ) {
    super(`plugin "${spec}": ${message}`);
    this.name = 'PluginLoadError';
  }
}

export class Registry {
  private readonly connectors = new Map<string, Connector<unknown>>();
  private readonly channels = new Map<string, Channel<unknown>>();

  /** Loads third-party plugins named in config (package names or paths relative to the config folder). */
  async loadPlugins(specs: string[], configDir: string): Promise<void> {
    for (const spec of specs) {
      const mod = await importSpec(spec, configDir);
      let found = false;
      for (const candidate of [mod.connector, mod.channel, mod.default]) {
        if (isConnector(candidate)) {
          this.connectors.set(candidate.name, candidate);
          found = true;
        } else if (isChannel(candidate)) {
          this.channels.set(candidate.name, candidate);
          found = true;
        }
      }
      if (!found) throw new PluginLoadError(spec, 'exports no `connector` or `channel` made with defineConnector/defineChannel');
    }
  }

  registerConnector(connector: Connector<unknown>): void {
    this.connectors.set(connector.name, connector);
  }

  registerChannel(channel: Channel<unknown>): void {
    this.channels.set(channel.name, channel);
  }

  async connector(name: string): Promise<Connector<unknown>> {
    const known = this.connectors.get(name);
    if (known) return known;
    const path = BUILTIN_CONNECTORS[name];
    if (!path) throw new PluginLoadError(name, `no connector of this name (built-in: ${Object.keys(BUILTIN_CONNECTORS).join(', ')}; others must be listed under plugins:)`);
    const mod = await importSpec(resolve(PROJECT_ROOT, path), PROJECT_ROOT);
    if (!isConnector(mod.connector)) throw new PluginLoadError(name, `${path} does not export a connector`);
    this.connectors.set(name, mod.connector);
    return mod.connector;
  }

  async channel(name: string): Promise<Channel<unknown>> {
    const known = this.channels.get(name);
    if (known) return known;
    const path = BUILTIN_CHANNELS[name];
    if (!path) throw new PluginLoadError(name, `no channel of this name (built-in: ${Object.keys(BUILTIN_CHANNELS).join(', ')}; others must be listed under plugins:)`);
    const mod = await importSpec(resolve(PROJECT_ROOT, path), PROJECT_ROOT);
    if (!isChannel(mod.channel)) throw new PluginLoadError(name, `${path} does not export a channel`);
    this.channels.set(name, mod.channel);
    return mod.channel;
  }
}

async function importSpec(spec: string, baseDir: string): Promise<Record<string, unknown>> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  const target = isPath ? resolve(baseDir, spec) : spec;
  if (isPath && !existsSync(target)) throw new PluginLoadError(spec, `no such file or folder: ${target}`);
  try {
    const url = isPath ? pathToFileURL(existsSync(resolve(target, 'index.ts')) ? resolve(target, 'index.ts') : target).href : target;
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(spec, `could not be loaded: ${(err as Error).message}`);
  }
}

function isConnector(x: unknown): x is Connector<unknown> {
  const c = x as Connector<unknown> | undefined;
  return !!c && typeof c.name === 'string' && typeof c.deliver === 'function' && typeof c.configSchema?.safeParse === 'function';
}

function isChannel(x: unknown): x is Channel<unknown> {
  const c = x as Channel<unknown> | undefined;
  return !!c && typeof c.name === 'string' && typeof c.send === 'function' && typeof c.configSchema?.safeParse === 'function';
}
