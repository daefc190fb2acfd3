// Address lines from OS records, in the order each dataset gives its parts, without the town and postcode.
// DPA follows Royal Mail's PAF: department, organisation, sub-building, building, number + thoroughfare, localities.
// LPI follows BS 7666: organisation, secondary object (a flat), primary object (a building), number + street, locality.
import type { DpaRecord, LpiRecord } from './answer.ts';

export interface AddressParts {
  lines: string[];
  town: string;
  postcode: string;
}

/** A building "name" that is really a number with a letter or a range ("10A", "1-3") goes on the street's line, as PAF prints it. */
const NUMBER_LIKE = /^\d+[A-Z]?(-\d+[A-Z]?)?$/i;

export function dpaParts(r: DpaRecord): AddressParts {
  const lines = [r.DEPARTMENT_NAME, r.ORGANISATION_NAME, r.SUB_BUILDING_NAME];
  if (r.PO_BOX_NUMBER) lines.push(`PO BOX ${r.PO_BOX_NUMBER}`);
  const number = [NUMBER_LIKE.test(r.BUILDING_NAME) ? r.BUILDING_NAME : '', r.BUILDING_NUMBER].filter(Boolean).join(' ');
  if (!NUMBER_LIKE.test(r.BUILDING_NAME)) lines.push(r.BUILDING_NAME);
  // The number belongs to the first thoroughfare: the dependent one when there is one.
  const streets = [r.DEPENDENT_THOROUGHFARE_NAME, r.THOROUGHFARE_NAME].filter(Boolean);
  if (streets.length) lines.push(join(number, streets[0]!), ...streets.slice(1));
  else lines.push(number);
  lines.push(r.DOUBLE_DEPENDENT_LOCALITY, r.DEPENDENT_LOCALITY);
  return { lines: tidy(lines), town: r.POST_TOWN, postcode: r.POSTCODE };
}

export function lpiParts(r: LpiRecord): AddressParts {
  const sao = range(r.SAO_START_NUMBER, r.SAO_START_SUFFIX, r.SAO_END_NUMBER, r.SAO_END_SUFFIX);
  const pao = range(r.PAO_START_NUMBER, r.PAO_START_SUFFIX, r.PAO_END_NUMBER, r.PAO_END_SUFFIX);
  const lines = [r.ORGANISATION, r.SAO_TEXT];
  let paoText = r.PAO_TEXT;
  // A numbered secondary object inside a named building reads "2 Rose Court"; otherwise each part has its line.
  if (sao && paoText && !pao) {
    lines.push(join(sao, paoText));
    paoText = '';
  } else lines.push(sao);
  lines.push(paoText, join(pao, r.STREET_DESCRIPTION));
  if (r.LOCALITY_NAME && r.LOCALITY_NAME !== r.TOWN_NAME) lines.push(r.LOCALITY_NAME);
  return { lines: tidy(lines), town: r.TOWN_NAME, postcode: r.POSTCODE_LOCATOR };
}

/** "12", "12A", "12-14", "12A-12C" from BS 7666's start/end numbers and suffixes. */
function range(start: string, startSuffix: string, end: string, endSuffix: string): string {
  const first = `${start}${startSuffix}`;
  const last = `${end}${endSuffix}`;
  return first && last ? `${first}-${last}` : first || last;
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}

/** Without empty parts and without a line repeated straight after itself. */
function tidy(lines: string[]): string[] {
  return lines.map((l) => l.trim()).filter((l, i, all) => l && l !== all[i - 1]);
}
