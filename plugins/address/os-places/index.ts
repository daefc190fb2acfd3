// Addresses from the OS Places API (Ordnance Survey's AddressBase Premium as a service): postcode and free-text search,
// UPRN lookup and the nearest address to a point, from the DPA and/or LPI datasets, with British National Grid
// coordinates. The key comes from the environment; the base URL is SSRF-guarded like every admin-typed URL.
import { defineAddressProvider, type AddressProviderContext, type FoundAddress } from '@closeloop/sdk';
import type { PlacesRecord } from './answer.ts';
import { getPlaces, openClient, type OsPlacesState } from './client.ts';
import { osPlacesConfigSchema, type OsPlacesConfig } from './config.ts';
import { foundAddresses } from './found-address.ts';
import { matchesBuilding } from './building.ts';

/** OS answers at most 100 records a request. */
const PAGE = 100;
/** A postcode is read page by page up to this many records (the largest hold a few hundred addresses, each a DPA and LPIs). */
const MAX_POSTCODE_RECORDS = 1000;
/** Free text is ranked by OS: the best 200 records are plenty to choose from. */
const MAX_SEARCH_RECORDS = 200;

export const addressProvider = defineAddressProvider<OsPlacesConfig, OsPlacesState>({
  name: 'os-places',
  description: 'The OS Places API (AddressBase Premium): postcode and text search, UPRN lookup, nearest address; DPA and LPI',
  configSchema: osPlacesConfigSchema,

  // One keep-alive, SSRF-guarded client per council, kept by the hub.
  open: ({ config }) => openClient(config),

  byPostcode(postcode, { building, limit }, ctx) {
    // OS cannot narrow a postcode by building: its records are read and narrowed here.
    const keep = building ? (a: FoundAddress) => matchesBuilding(a, building) : undefined;
    return collect(ctx, 'postcode', { postcode: postcode.replace(/\s+/g, '') }, { limit, maxRecords: MAX_POSTCODE_RECORDS, keep });
  },

  search(text, { limit }, ctx) {
    const query = text.trim();
    if (!query) return Promise.resolve([]);
    return collect(ctx, 'find', { query }, { limit, maxRecords: MAX_SEARCH_RECORDS });
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
 * Addresses from one resource, page by page, until `limit` remain (after one address per UPRN and `keep`), OS has no
 * more, or `maxRecords` were read. The first page is sized for `limit`: twice the addresses wanted per dataset (a DPA and
 * an LPI each, and the alternative and historical LPIs OS also lists), at least 20; later pages are OS's 100.
 */
async function collect(
  ctx: AddressProviderContext<OsPlacesConfig, OsPlacesState>,
  resource: 'postcode' | 'find',
  params: Record<string, string>,
  { limit, maxRecords, keep }: { limit: number; maxRecords: number; keep?: (a: FoundAddress) => boolean },
): Promise<FoundAddress[]> {
  const records: PlacesRecord[] = [];
  let found: FoundAddress[] = [];
  let size = Math.min(PAGE, Math.max(20, Math.ceil(limit) * ctx.state.config.datasets.length * 2));
  for (let offset = 0; offset < maxRecords; offset += size, size = PAGE) {
    const page = { ...params, maxresults: String(size), ...(offset ? { offset: String(offset) } : {}) };
    const answer = await getPlaces(ctx.state, resource, page, ctx.log);
    if (answer === 'refused') return [];
    records.push(...answer.records);
    found = keep ? foundAddresses(records).filter(keep) : foundAddresses(records);
    if (found.length >= limit || offset + size >= answer.totalResults) break;
  }
  return found.slice(0, limit);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
