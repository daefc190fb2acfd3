// One CSV record of a gazetteer file → one address row, or the reason it is refused. Every value is checked: the file
// comes from outside (an LLPG export an admin hands over), so a bad row is reported by line, never stored.
import { gridToWgs84, isGridPointInGreatBritain } from '../grid.ts';
import { normalisePostcode } from '../postcode.ts';
import type { ColumnMap } from './columns.ts';

export interface AddressRow {
  uprn: string;
  lines: string[];
  town: string | null;
  postcode: string;
  easting: number;
  northing: number;
  latitude: number;
  longitude: number;
  searchText: string;
}

const MAX_TEXT = 200;
// C0/C1 controls, and U+FFFD (what invalid UTF-8 decodes to), U+FFFE, U+FFFF.
// eslint-disable-next-line no-control-regex
const BAD_CHARACTER = /[\u0000-\u001f\u007f-\u009f\ufffd\ufffe\uffff]/;
const BAD_CHARACTERS = new RegExp(BAD_CHARACTER.source, 'g');

export function addressRow(record: readonly string[], columns: ColumnMap): { row: AddressRow } | { problem: string } {
  const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
  const uprn = cell(columns.uprn);
  if (!/^\d{1,12}$/.test(uprn)) return { problem: uprn ? `UPRN "${clip(uprn)}" is not 1 to 12 digits` : 'the UPRN is empty' };
  const lines = (columns.lines.length ? columns.lines.map(cell) : partsToLines(columns, cell)).filter((l) => l !== '');
  if (!lines.length) return { problem: 'the address has no lines' };
  const town = cell(columns.town) || null;
  for (const text of [...lines, town ?? '']) {
    if (text.length > MAX_TEXT) return { problem: `"${clip(text)}" is longer than ${MAX_TEXT} characters` };
    if (BAD_CHARACTER.test(text)) return { problem: `"${clip(text)}" holds a control character or bytes that are not UTF-8` };
  }
  const rawPostcode = cell(columns.postcode);
  const postcode = normalisePostcode(rawPostcode);
  if (!postcode) return { problem: rawPostcode ? `"${clip(rawPostcode)}" is not a UK postcode` : 'the postcode is empty' };
  const easting = coordinate(cell(columns.easting));
  const northing = coordinate(cell(columns.northing));
  if (easting === undefined || northing === undefined || !isGridPointInGreatBritain({ easting, northing })) {
    return {
      problem: `easting "${clip(cell(columns.easting))}", northing "${clip(cell(columns.northing))}" is not a point in Great Britain (British National Grid metres: easting 0–700000, northing 0–1300000)`,
    };
  }
  const { latitude, longitude } = gridToWgs84({ easting, northing });
  return { row: { uprn, lines, town, postcode, easting, northing, latitude, longitude, searchText: searchTextOf([...lines, town ?? '', postcode]) } };
}

/** Lower-case words separated by single spaces: "12a, High St." → "12a high st". */
export function searchTextOf(parts: readonly string[]): string {
  return parts
    .join(' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** AddressBase-style parts → lines: "Flat 2", "Rose Court", "12 High Street", "Lower Town". */
function partsToLines(columns: ColumnMap, cell: (i: number | undefined) => string): string[] {
  const p = columns.parts;
  const street = [cell(p.buildingNumber), cell(p.street)].filter(Boolean).join(' ');
  return [cell(p.subBuilding), cell(p.buildingName), street, cell(p.locality)];
}

function coordinate(text: string): number | undefined {
  if (!/^-?\d{1,7}(\.\d{1,6})?$/.test(text)) return undefined;
  return Number(text);
}

function clip(text: string): string {
  const printable = text.replace(BAD_CHARACTERS, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
