// Test support for the os-places provider: a context like the hub's (parsed config, opened state) and a logger that
// keeps every line it was given, so tests can read what would have been logged.
import { addressProvider } from '../../plugins/address/os-places/index.ts';
import type { AddressProviderContext, PluginLogger } from '@closeloop/sdk';
import type { OsPlacesConfig } from '../../plugins/address/os-places/config.ts';
import type { OsPlacesState } from '../../plugins/address/os-places/client.ts';

export type OsPlacesContext = AddressProviderContext<OsPlacesConfig, OsPlacesState>;

export interface CapturedLog extends PluginLogger {
  lines: string[];
}

export function capturingLogger(lines: string[] = [], bindings: Record<string, unknown> = {}): CapturedLog {
  const write = (level: string) => (obj: unknown, msg?: string) => {
    lines.push(JSON.stringify({ level, ...bindings, obj: obj instanceof Error ? { message: obj.message, stack: obj.stack } : obj, msg }));
  };
  return {
    lines,
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (b) => capturingLogger(lines, { ...bindings, ...b }),
  };
}

/** Parses `raw` with the provider's schema and opens it, as the hub does for a council. */
export async function openProvider(raw: Record<string, unknown>, log: CapturedLog = capturingLogger()): Promise<OsPlacesContext> {
  const config = addressProvider.configSchema.parse(raw);
  const base = { name: 'os-places', council: 'example', config, log, publicBaseUrl: 'http://localhost' };
  const state = await addressProvider.open!(base);
  return { ...base, state };
}
