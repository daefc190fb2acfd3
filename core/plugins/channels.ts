// Turns config channels into runtimes: the channel plugin, its validated config and its context.
import { QueryTypes, type Sequelize } from 'sequelize';
import { ConfigError, parsePluginConfig, type ConfigProblem } from '../config/index.ts';
import type { PluginHost } from './bindings.ts';
import type { Channel, ChannelContext } from './sdk.ts';

/** A configured channel: its plugin and the context it is called with. */
export interface ChannelRuntime {
  name: string;
  channel: Channel<unknown>;
  context: ChannelContext<unknown>;
}

/** Channels also record delivery receipts in the notifications table. */
type ChannelHost = PluginHost & { sequelize: Sequelize };

const cache = new WeakMap<ChannelHost, Promise<Map<string, ChannelRuntime>>>();

export function loadChannels(hub: ChannelHost): Promise<Map<string, ChannelRuntime>> {
  let loaded = cache.get(hub);
  if (!loaded) {
    loaded = build(hub);
    cache.set(hub, loaded);
  }
  return loaded;
}

async function build(hub: ChannelHost): Promise<Map<string, ChannelRuntime>> {
  const out = new Map<string, ChannelRuntime>();
  const problems: ConfigProblem[] = [];
  for (const [name, cfg] of Object.entries(hub.config.channels)) {
    const channel = await hub.registry.channel(cfg.channel);
    const parsed = parsePluginConfig(channel.configSchema, cfg.config, { file: hub.config.file, prefix: ['channels', name, 'config'], envValues: hub.config.envValues });
    if (!parsed.success) {
      problems.push(...parsed.problems);
      continue;
    }
    out.set(name, {
      name,
      channel,
      context: {
        name,
        config: parsed.data,
        log: hub.log.child({ channel: name }),
        publicBaseUrl: hub.config.server.publicBaseUrl,
        configDir: hub.config.dir,
        async recordReceipt(notificationId, status, detail) {
          if (!/^[0-9a-f-]{36}$/i.test(notificationId)) return false;
          const next = status === 'delivered' ? 'delivered' : status === 'temporary-failure' ? 'sent' : 'failed';
          const rows = await hub.sequelize.query(
            `update notifications set status = $2, last_error = $3, updated_at = now()
             where id = $1 and channel = $4 and status in ('sent', 'delivered', 'failed') returning id`,
            { bind: [notificationId, next, status === 'delivered' ? null : `receipt: ${status}`, name], type: QueryTypes.SELECT },
          );
          hub.log.info({ notificationId, status, detail: detail === undefined ? undefined : '[receipt]' }, 'delivery receipt');
          return rows.length > 0;
        },
      },
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}
