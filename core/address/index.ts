// TEMPORARY STUB of branch i19-gazetteer's core/address (removed before merging main): the interface only, with a few
// made-up addresses so the find-address pages can be built before the real gazetteer lands.
import { AddressProviderUnavailable, type FoundAddress, type GridPoint } from '@closeloop/sdk';
import type { PluginHost } from '../plugins/plugin-host.ts';

export interface AddressFinder {
  byPostcode(postcode: string, building?: string): Promise<FoundAddress[]>;
  search(text: string): Promise<FoundAddress[]>;
  byUprn(uprn: string): Promise<FoundAddress | undefined>;
  nearest(point: GridPoint): Promise<FoundAddress | undefined>;
}

const STUB: FoundAddress[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({
  uprn: String(100000000 + n),
  lines: [`${n} Example Street`],
  town: 'Exampleton',
  postcode: 'EX1 1AA',
  easting: 530000 + n,
  northing: 180000,
  latitude: 51.5,
  longitude: -0.12,
  label: `${n} Example Street, Exampleton, EX1 1AA`,
}));
STUB.push(
  ...[1, 2].map((n) => ({
    ...STUB[0]!,
    uprn: String(200000000 + n),
    lines: [`Flat ${n}`, 'Mill House'],
    postcode: 'EX1 1AB',
    label: `Flat ${n}, Mill House, Exampleton, EX1 1AB`,
  })),
);

export async function addressFinder(_hub: PluginHost, _council: string): Promise<AddressFinder> {
  const down = () => {
    if (process.env.STUB_ADDRESS_DOWN) throw new AddressProviderUnavailable('stub down');
  };
  return {
    byPostcode: async (p, b) => (down(), STUB.filter((a) => a.postcode === p && (!b || a.lines[0]!.startsWith(b)))),
    search: async () => [],
    byUprn: async (u) => (down(), STUB.find((a) => a.uprn === u)),
    nearest: async () => undefined,
  };
}

export function normalisePostcode(text: string): string | undefined {
  const c = text.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$/.test(c) ? `${c.slice(0, -3)} ${c.slice(-3)}` : undefined;
}

export function gridToWgs84(p: GridPoint): { latitude: number; longitude: number } {
  return { latitude: 49.766 + p.northing / 111000, longitude: -7.557 + p.easting / 70000 };
}

export function wgs84ToGrid(p: { latitude: number; longitude: number }): GridPoint {
  return { easting: (p.longitude + 7.557) * 70000, northing: (p.latitude - 49.766) * 111000 };
}

export function isGridPointInGreatBritain(p: GridPoint): boolean {
  return p.easting >= 0 && p.easting <= 700000 && p.northing >= 0 && p.northing <= 1300000;
}
