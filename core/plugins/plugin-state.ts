// The per-binding (per-channel) state plugins keep through the SDK's open()/close(): made once when bindings load,
// kept on the context as `state`, closed once when the hub closes. A plugin holds no module-level cache.
import type { PluginHost } from './plugin-host.ts';

interface Opened {
  name: string;
  plugin: { name: string; open?(ctx: never): unknown; close?(state: never): void | Promise<void> };
  context: { state: unknown };
}

export async function openPluginStates(hub: Pick<PluginHost, 'log' | 'onClose'>, kind: 'binding' | 'channel', items: Opened[]): Promise<void> {
  const opened: Opened[] = [];
  const closeAll = async () => {
    for (const item of opened.splice(0).reverse()) {
      try {
        await item.plugin.close?.(item.context.state as never);
      } catch (err) {
        hub.log.warn({ err, [kind]: item.name }, `${kind} close failed`);
      }
    }
  };
  try {
    for (const item of items) {
      if (item.plugin.open) {
        const { state: _unused, ...ctx } = item.context;
        item.context.state = await item.plugin.open(ctx as never);
      }
      opened.push(item);
    }
  } catch (err) {
    await closeAll();
    const failed = items[opened.length]!;
    throw new Error(`${kind} "${failed.name}": ${failed.plugin.name}'s open() failed: ${(err as Error).message}`, { cause: err });
  }
  hub.onClose?.(closeAll);
}
