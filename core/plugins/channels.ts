// Turns config channels into runtimes: the channel plugin, its validated config and its context, with the state its
// open() made. Built once per process; the hub closes the states when it closes.
import type { Channel, ChannelContext } from '@closeloop/sdk';
import { ConfigError, parsePluginConfig, type ConfigProblem } from '../config/index.ts';
import { pluginDatabase } from '../db/index.ts';
import { recordNotificationReceipt } from './receipts-repo.ts';
import type { PluginHost } from './plugin-host.ts';
import { openPluginStates } from './plugin-state.ts';

/** A configured channel: its plugin and the context it is called with. */
export interface ChannelRuntime {
  name: string;
  channel: Channel<unknown>;
  context: ChannelContext<unknown>;
}

const cache = new WeakMap<PluginHost, Promise<Map<string, ChannelRuntime>>>();

export function loadChannels(hub: PluginHost): Promise<Map<string, ChannelRuntime>> {
  let loaded = cache.get(hub);
  if (!loaded) {
    loaded = build(hub);
    cache.set(hub, loaded);
  }
  return loaded;
}

async function build(hub: PluginHost): Promise<Map<string, ChannelRuntime>> {
  const out = new Map<string, ChannelRuntime>();
  const problems: ConfigProblem[] = [];
  for (const [name, cfg] of Object.entries(hub.config.channels)) {
    const channel = await hub.registry.channel(cfg.channel);
    const parsed = parsePluginConfig(channel.configSchema, cfg.config, {
      file: hub.config.file,
      prefix: ['channels', name, 'config'],
      envValues: hub.config.envValues,
    });
    if (!parsed.success) {
      problems.push(...parsed.problems);
      continue;
    }
    const context: ChannelContext<unknown> = {
      name,
      config: parsed.data,
      log: hub.log.child({ channel: name }),
      publicBaseUrl: hub.config.server.publicBaseUrl,
      configDir: hub.config.dir,
      async recordReceipt(notificationId, status, detail) {
        if (!/^[0-9a-f-]{36}$/i.test(notificationId)) return false;
        const next = status === 'delivered' ? 'delivered' : status === 'temporary-failure' ? 'sent' : 'failed';
        const recorded = await recordNotificationReceipt(hub.db, notificationId, name, next, status === 'delivered' ? null : `receipt: ${status}`);
        hub.log.info({ notificationId, status, detail: detail === undefined ? undefined : '[receipt]' }, 'delivery receipt');
        return recorded;
      },
      ...(channel.migrations?.length ? { database: pluginDatabase(hub.db) } : {}),
      state: undefined,
    };
    out.set(name, { name, channel, context });
  }
  if (problems.length) throw new ConfigError(problems);
  await openPluginStates(
    hub,
    'channel',
    [...out.values()].map((c) => ({ name: c.name, plugin: c.channel, context: c.context })),
  );
  return out;
}
