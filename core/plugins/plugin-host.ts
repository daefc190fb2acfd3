// What building plugin runtimes (bindings, channels, their states) needs from the hub: a Hub has all of it.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Config } from '../config/index.ts';
import type { Registry } from './registry.ts';

export interface PluginHost {
  config: Config;
  log: Logger;
  registry: Registry;
  db: Database;
  /** Registers a step the host runs when it closes (plugins' close()). */
  onClose?(fn: () => Promise<void>): void;
}
