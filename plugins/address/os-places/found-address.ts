// OS records → the SDK's FoundAddress: one per UPRN (OS sends a DPA and one or more LPIs for most properties), lines in
// the dataset's own order, the postcode normalised, grid coordinates as OS gives them (output_srs=EPSG:27700) and
// latitude/longitude worked out from them.
import type { FoundAddress } from '@closeloop/sdk';
import type { PlacesRecord } from './answer.ts';
import { gridToLatLong } from './grid.ts';
import { dpaParts, lpiParts } from './lines.ts';

/** One address per UPRN, in the order OS ranked them; of a UPRN's records the DPA wins, then an approved LPI. */
export function foundAddresses(records: readonly PlacesRecord[]): FoundAddress[] {
  const best = new Map<string, PlacesRecord>();
  for (const r of records) {
    const current = best.get(r.record.UPRN);
    if (!current || preference(r) < preference(current)) best.set(r.record.UPRN, r);
  }
  return [...best.values()].map(toFoundAddress);
}

export function toFoundAddress(r: PlacesRecord): FoundAddress {
  const parts = r.dataset === 'DPA' ? dpaParts(r.record) : lpiParts(r.record);
  const easting = r.record.X_COORDINATE;
  const northing = r.record.Y_COORDINATE;
  const postcode = normalisePostcode(parts.postcode);
  return {
    uprn: r.record.UPRN,
    lines: parts.lines,
    ...(parts.town ? { town: parts.town } : {}),
    postcode,
    easting,
    northing,
    ...gridToLatLong(easting, northing),
    label: [...parts.lines, parts.town, postcode].filter(Boolean).join(', '),
  };
}

/** "sw1a2aa" → "SW1A 2AA": upper case, one space before the inward code (the last three characters). */
export function normalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
}

/** Lower is better: a DPA (the postal address), an approved LPI, an alternative or provisional one, a historical one. */
function preference(r: PlacesRecord): number {
  if (r.dataset === 'DPA') return 0;
  const status = r.record.LPI_LOGICAL_STATUS_CODE;
  return status === '1' ? 1 : status === '8' ? 3 : 2;
}
