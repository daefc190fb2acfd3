// The address-provider contract: how a citizen's postcode or words become addresses with a UPRN and coordinates.
// Built in: `gazetteer` (the council's own LLPG/AddressBase export, in Postgres) and `os-places` (the OS Places API).
import type { PluginContext } from './context.ts';
import type { PluginBase } from './plugin.ts';

/** One address as a provider gives it. Coordinates in both systems: back offices want British National Grid, maps lat/long. */
export interface FoundAddress {
  /** Unique Property Reference Number: 1 to 12 digits, as a string (never a number: leading zeros are not lost, 12 digits exceed int32). */
  uprn: string;
  /** The address lines as the provider gives them, building first, without the town and postcode. */
  lines: string[];
  town?: string;
  /** Normalised: upper case, one space before the inward code ("SW1A 2AA"). */
  postcode: string;
  /** EPSG:27700 (British National Grid), metres. */
  easting: number;
  northing: number;
  /** EPSG:4326 (WGS84), degrees. */
  latitude: number;
  longitude: number;
  /** One line for a list of choices: "10 Downing Street, London, SW1A 2AA". */
  label: string;
}

/** A point in British National Grid metres. */
export interface GridPoint {
  easting: number;
  northing: number;
}

export interface AddressProviderContext<Config, State = unknown> extends PluginContext<Config> {
  /** The council whose addresses are asked for (a shared hub has one provider per council). */
  council: string;
  /** What the provider's open() returned (undefined without open). */
  state: State;
}

/**
 * The provider cannot answer now (down, timed out, refused our key). The pages fall back to manual entry with a message;
 * the API answers 503. Anything else thrown is a defect.
 */
export class AddressProviderUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AddressProviderUnavailable';
  }
}

export interface AddressProvider<Config = unknown, State = unknown> extends PluginBase<Config, State, AddressProviderContext<Config, State>> {
  /** Addresses at a postcode (already normalised and checked by the hub), optionally narrowed by building name or number. */
  byPostcode(postcode: string, options: { building?: string; limit: number }, ctx: AddressProviderContext<Config, State>): Promise<FoundAddress[]>;
  /** Free-text search ("12 high st"), best first. */
  search(text: string, options: { limit: number }, ctx: AddressProviderContext<Config, State>): Promise<FoundAddress[]>;
  /** The address with this UPRN, or undefined when the provider has none (a forged or retired UPRN). */
  byUprn(uprn: string, ctx: AddressProviderContext<Config, State>): Promise<FoundAddress | undefined>;
  /** The nearest address or street to a point (a dropped pin), within `maxMetres`; undefined when nothing is that close. */
  nearest?(point: GridPoint, options: { maxMetres: number }, ctx: AddressProviderContext<Config, State>): Promise<FoundAddress | undefined>;
}

/** Types an address provider (Config from its schema, State from its open()). */
export function defineAddressProvider<Config, State = undefined>(provider: AddressProvider<Config, State>): AddressProvider<Config, State> {
  return provider;
}
