// What connectors and channels have in common: a name, a config schema, per-binding state, their own tables.
import type { ZodType } from 'zod';
import type { ErasureTarget, PluginDatabase, PluginMigration } from './storage.ts';

export interface PluginBase<Config, State, Ctx> {
  name: string;
  description?: string;
  configSchema: ZodType<Config>;
  /**
   * Prepares what every call for one binding (or channel) reuses: a client, a keep-alive agent, a decoded key. The hub
   * calls it once when the binding loads, keeps the result as `ctx.state` and hands it to close() at shutdown, so a
   * plugin keeps no module-level cache. Keep it free of network calls: a failure here stops the hub starting (a
   * connector whose preparation may fail at run time keeps a retrying promise in its state instead).
   */
  open?(ctx: Omit<Ctx, 'state'>): State | Promise<State>;
  /** Releases what open() made (sockets, timers, clients), once, when the hub stops. */
  close?(state: State): void | Promise<void>;
  /** The plugin's own tables, created in order under the hub's migration lock when a binding uses the plugin. */
  migrations?: readonly PluginMigration[];
  /**
   * Erases what the plugin keeps of one process (erasure on request or at the end of retention), inside the hub's
   * erasure transaction (`db`). Returns how many records it changed (kept in the audit entry).
   */
  erase?(process: ErasureTarget, db: PluginDatabase): Promise<number>;
}
