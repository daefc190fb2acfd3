// The columns of a gazetteer CSV: which header names mean what. Our own names first (README "Addresses"), then the
// names common LLPG and AddressBase exports use, matched without regard to case, spaces, dashes or underscores.

export interface ColumnMap {
  uprn: number;
  /** Address-line columns in order (address_line_1 …), or none when the file gives AddressBase-style parts. */
  lines: number[];
  /** AddressBase-style parts, joined into lines when the file has no address-line columns. */
  parts: { subBuilding?: number; buildingName?: number; buildingNumber?: number; street?: number; locality?: number };
  town?: number;
  postcode: number;
  easting: number;
  northing: number;
}

const NAMES = {
  uprn: ['uprn'],
  town: ['town', 'townname', 'posttown', 'city'],
  postcode: ['postcode', 'postcodelocator', 'postalcode'],
  easting: ['easting', 'xcoordinate', 'x'],
  northing: ['northing', 'ycoordinate', 'y'],
  subBuilding: ['subbuilding', 'subbuildingname', 'saotext'],
  buildingName: ['buildingname', 'paotext'],
  buildingNumber: ['buildingnumber', 'paostartnumber'],
  street: ['streetname', 'street', 'streetdescription', 'thoroughfare'],
  locality: ['locality', 'dependentlocality'],
} as const;

/** address_line_1 … address_line_9, line1 …, address1 … */
const LINE = /^(?:addressline|line|address)([1-9])$/;

/** The columns of this header row, or what is missing. */
export function columnsOf(header: readonly string[]): { columns: ColumnMap } | { problem: string } {
  const keys = header.map((h) => h.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const find = (names: readonly string[]) => {
    const i = keys.findIndex((k) => names.includes(k));
    return i === -1 ? undefined : i;
  };
  const lines = keys
    .map((k, i) => ({ i, n: LINE.exec(k)?.[1] }))
    .filter((c): c is { i: number; n: string } => c.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n))
    .map((c) => c.i);
  const parts = {
    subBuilding: find(NAMES.subBuilding),
    buildingName: find(NAMES.buildingName),
    buildingNumber: find(NAMES.buildingNumber),
    street: find(NAMES.street),
    locality: find(NAMES.locality),
  };
  const required = { uprn: find(NAMES.uprn), postcode: find(NAMES.postcode), easting: find(NAMES.easting), northing: find(NAMES.northing) };
  const missing = Object.entries(required)
    .filter(([, i]) => i === undefined)
    .map(([name]) => name);
  if (!lines.length && parts.street === undefined && parts.buildingName === undefined) missing.push('address_line_1 (or street_name)');
  if (missing.length) {
    return {
      problem: `the header row has no ${missing.join(', ')} column${missing.length === 1 ? '' : 's'} (found: ${header.join(', ') || 'nothing'}); see the README's "Addresses" section for the column names`,
    };
  }
  return {
    columns: {
      uprn: required.uprn!,
      lines,
      parts,
      town: find(NAMES.town),
      postcode: required.postcode!,
      easting: required.easting!,
      northing: required.northing!,
    },
  };
}
