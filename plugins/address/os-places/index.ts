// Addresses from the OS Places API (Ordnance Survey's AddressBase Premium as a service): postcode and free-text search,
// UPRN lookup and the nearest address to a point, from the DPA and/or LPI datasets, with British National Grid
// coordinates. The key comes from the environment; the base URL is SSRF-guarded like every admin-typed URL.
import { defineAddressProvider, type FoundAddress } from '@closeloop/sdk';
import { getPlaces, openClient, type OsPlacesState } from './client.ts';
import { osPlacesConfigSchema, type OsPlacesConfig } from './config.ts';
import { foundAddresses } from './found-address.ts';
import { matchesBuilding } from './building.ts';

/** OS answers at most 100 records a request. */
const PAGE = 100;
/** A postcode narrowed by building is read page by page up to this many records (the largest postcodes hold a few hundred). */
const MAX_POSTCODE_RECORDS = 1000;

export const addressProvider = defineAddressProvider<OsPlacesConfig, OsPlacesState>({
  name: 'os-places',
  description: 'The OS Places API (AddressBase Premium): postcode and text search, UPRN lookup, nearest address; DPA and LPI',
  configSchema: osPlacesConfigSchema,

  // One keep-alive, SSRF-guarded client per council, kept by the hub.
  open: ({ config }) => openClient(config),

  async byPostcode(postcode, { building, limit }, ctx) {
    const compact = postcode.replace(/\s+/g, '');
    if (!building) {
      const answer = await getPlaces(ctx.state, 'postcode', { postcode: compact, maxresults: String(recordsFor(ctx.state, limit)) }, ctx.log);
      return answer === 'refused' ? [] : foundAddresses(answer.records).slice(0, limit);
    }
    // OS cannot narrow a postcode by building: read the postcode's records and narrow them here.
    const records = [];
    for (let offset = 0; offset < MAX_POSTCODE_RECORDS; offset += PAGE) {
      const answer = await getPlaces(ctx.state, 'postcode', { postcode: compact, maxresults: String(PAGE), offset: String(offset) }, ctx.log);
      if (answer === 'refused') return [];
      records.push(...answer.records);
      if (offset + PAGE >= answer.totalResults) break;
    }
    return foundAddresses(records)
      .filter((a) => matchesBuilding(a, building))
      .slice(0, limit);
  },

  async search(text, { limit }, ctx) {
    const query = text.trim();
    if (!query) return [];
    const answer = await getPlaces(ctx.state, 'find', { query, maxresults: String(recordsFor(ctx.state, limit)) }, ctx.log);
    return answer === 'refused' ? [] : foundAddresses(answer.records).slice(0, limit);
  },

  async byUprn(uprn, ctx) {
    // A UPRN is 1 to 12 digits; anything else cannot be one, so OS is not asked.
    if (!/^\d{1,12}$/.test(uprn)) return undefined;
    const answer = await getPlaces(ctx.state, 'uprn', { uprn }, ctx.log);
    if (answer === 'refused') return undefined;
    return foundAddresses(answer.records).find((a) => a.uprn === uprn);
  },

  async nearest(point, { maxMetres }, ctx): Promise<FoundAddress | undefined> {
    if (!Number.isFinite(point.easting) || !Number.isFinite(point.northing) || !(maxMetres > 0)) return undefined;
    // OS takes the point to two decimals (a centimetre) and searches at most 1,000 m.
    const radius = Math.min(1000, Math.max(0.01, round2(maxMetres)));
    const answer = await getPlaces(ctx.state, 'nearest', { point: `${round2(point.easting)},${round2(point.northing)}`, radius: String(radius) }, ctx.log);
    return answer === 'refused' ? undefined : foundAddresses(answer.records)[0];
  },

  close(state) {
    state.client.close();
  },
});

/**
 * Records to ask for so that `limit` addresses remain once a UPRN's records become one address: a DPA and an LPI each,
 * and LPIs OS also lists for a UPRN (alternative and historical names), hence twice that and never fewer than 20.
 */
function recordsFor(state: OsPlacesState, limit: number): number {
  return Math.min(PAGE, Math.max(20, Math.ceil(limit) * state.config.datasets.length * 2));
}

const round2 = (x: number) => Math.round(x * 100) / 100;
