// The address finder: one council's address provider, ready to ask. Built once per hub and council (the provider's
// open() run once, its close() when the hub closes), it applies what every provider gets whatever it is: the limit on
// results, the time limit (a provider that does not answer in time counts as unavailable), and checks of what callers
// pass in (a forged UPRN or a point off the grid is never sent to a provider).
import { createReadStream } from 'node:fs';
import { relative } from 'node:path';
import type { Logger } from 'pino';
import { AddressProviderUnavailable, type AddressProvider, type AddressProviderContext, type FoundAddress, type GridPoint } from '@closeloop/sdk';
import { ConfigError, type AddressConfig, type Config } from '../config/index.ts';
import { pluginDatabase, type Database } from '../db/index.ts';
import { checkAddressConfig, type AddressProviderSource } from './address-config.ts';
import { importGazetteer } from './gazetteer/import.ts';
import { hasAddresses } from './gazetteer/gazetteer-repo.ts';
import { gazetteerProvider } from './gazetteer/provider.ts';
import { isGridPointInGreatBritain } from './grid.ts';
import { normalisePostcode } from './postcode.ts';

export interface AddressFinder {
  /** Throws AddressProviderUnavailable on an outage. Postcode must already be normalised. */
  byPostcode(postcode: string, building?: string): Promise<FoundAddress[]>;
  search(text: string): Promise<FoundAddress[]>;
  byUprn(uprn: string): Promise<FoundAddress | undefined>;
  /** Undefined when nothing is within the council's `nearestMetres`, or the provider cannot look up by distance. */
  nearest(point: GridPoint): Promise<FoundAddress | undefined>;
}

/** What the finder needs of the hub (a Hub, or any PluginHost, has it). */
export interface AddressHost {
  config: Config;
  log: Logger;
  db: Database;
  registry: AddressProviderSource;
  onClose?(fn: () => Promise<void>): void;
}

const MAX_BUILDING = 100;
const MAX_SEARCH = 200;

const cache = new WeakMap<AddressHost, Map<string, Promise<AddressFinder>>>();

/** The council's finder (cached per hub and council). Throws a ConfigError when its address settings are wrong. */
export function addressFinder(hub: AddressHost, council: string): Promise<AddressFinder> {
  let byCouncil = cache.get(hub);
  if (!byCouncil) cache.set(hub, (byCouncil = new Map()));
  let finder = byCouncil.get(council);
  if (!finder) {
    finder = build(hub, council);
    byCouncil.set(council, finder);
    // A failure is not kept: the next call tries again (and reports it again).
    finder.catch(() => byCouncil.delete(council));
  }
  return finder;
}

async function build(hub: AddressHost, council: string): Promise<AddressFinder> {
  const checked = await checkAddressConfig(hub.config, hub.registry, council);
  if (!checked.ok) throw new ConfigError(checked.problems);
  const { provider, settings, providerConfig, seedFile } = checked.checked;
  const database = pluginDatabase(hub.db);
  // The gazetteer reads its tables through the hub's database; other providers get it, as channels do, when they
  // declare tables of their own (their migrations run at start with the hub's).
  const withDatabase = provider === (gazetteerProvider as AddressProvider<unknown>) || Boolean(provider.migrations?.length);
  const context: AddressProviderContext<unknown> = {
    name: `${council}:${provider.name}`,
    council,
    config: providerConfig,
    log: hub.log.child({ council, addressProvider: provider.name }),
    publicBaseUrl: hub.config.server.publicBaseUrl,
    configDir: hub.config.dir,
    ...(withDatabase ? { database } : {}),
    state: undefined,
  };
  if (provider.open) {
    const { state: _unused, ...opening } = context;
    try {
      context.state = await provider.open(opening);
    } catch (err) {
      throw new Error(`council "${council}": address provider ${provider.name}'s open() failed: ${(err as Error).message}`, { cause: err });
    }
    hub.onClose?.(async () => {
      await Promise.resolve(provider.close?.(context.state)).catch((err: unknown) => hub.log.warn({ err, council }, 'address provider close failed'));
    });
  }
  if (seedFile && !(await hasAddresses(database, council))) await seed(hub, council, seedFile);
  return finderFor(provider, context, settings);
}

function finderFor(provider: AddressProvider<unknown>, ctx: AddressProviderContext<unknown>, settings: AddressConfig): AddressFinder {
  const limit = settings.maxResults;
  const timed = <T>(what: string, call: () => Promise<T>) => withTimeout(provider.name, what, settings.timeoutMs, call);
  return {
    async byPostcode(postcode, building) {
      if (normalisePostcode(postcode) !== postcode) throw new TypeError(`byPostcode wants a normalised postcode (normalisePostcode), not "${postcode}"`);
      const narrowed = building?.replace(/\s+/g, ' ').trim().slice(0, MAX_BUILDING) || undefined;
      const found = await timed('a postcode lookup', () => provider.byPostcode(postcode, { ...(narrowed ? { building: narrowed } : {}), limit }, ctx));
      return found.slice(0, limit);
    },
    async search(text) {
      const words = text.replace(/\s+/g, ' ').trim().slice(0, MAX_SEARCH);
      if (!words) return [];
      return (await timed('a search', () => provider.search(words, { limit }, ctx))).slice(0, limit);
    },
    async byUprn(uprn) {
      if (typeof uprn !== 'string' || !/^\d{1,12}$/.test(uprn)) return undefined;
      return timed('a UPRN lookup', () => provider.byUprn(uprn, ctx));
    },
    async nearest(point) {
      if (!provider.nearest || !isGridPointInGreatBritain(point)) return undefined;
      return timed('a nearest-address lookup', () =>
        provider.nearest!({ easting: point.easting, northing: point.northing }, { maxMetres: settings.nearestMetres }, ctx),
      );
    },
  };
}

async function withTimeout<T>(provider: string, what: string, ms: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AddressProviderUnavailable(`address provider ${provider} did not answer ${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The council's seed list, imported once when its gazetteer is empty (another process seeding at once waits, then skips). */
async function seed(hub: AddressHost, council: string, file: string): Promise<void> {
  const source = relative(hub.config.dir, file);
  const result = await importGazetteer(hub.db.url, createReadStream(file), { council, source, onlyIfEmpty: true });
  if (result.outcome === 'aborted') {
    const first = result.badRows[0];
    throw new ConfigError([
      { file, line: first?.line ?? null, path: '', message: `the seed gazetteer has ${result.badRowCount} bad rows; first: ${first?.problem}` },
    ]);
  }
  if (result.outcome === 'imported') hub.log.info({ council, rows: result.rows, file: source }, 'seeded the gazetteer');
}
