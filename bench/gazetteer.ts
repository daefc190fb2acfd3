// The gazetteer phase: a made-up address list of a million rows (as an LLPG export would be: ~20 addresses a postcode),
// imported with the real `closeloop gazetteer import` command, then postcode lookups through the address finder.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

const STREETS = [
  'High Street',
  'Station Road',
  'Church Lane',
  'Mill Road',
  'Park Avenue',
  'Victoria Road',
  'Green Lane',
  'Manor Close',
  'Kings Way',
  'The Crescent',
];
const TOWNS = ['Exampleton', 'Sampleford', 'Testbury', 'Benchley'];
const AREAS = ['AB', 'BD', 'CF', 'DG', 'EH', 'FK', 'GL', 'HP', 'LS', 'NR'];
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ';
export const ADDRESSES_PER_POSTCODE = 20;

/** The postcode of the `p`th postcode of the generated list: AB1 0AA, AB1 0AB, … (each valid, each distinct). */
export function benchPostcode(p: number): string {
  const unit = p % 400;
  const sector = Math.floor(p / 400) % 10;
  const district = 1 + (Math.floor(p / 4000) % 99);
  const area = AREAS[Math.floor(p / 396_000) % AREAS.length]!;
  return `${area}${district} ${sector}${INWARD[Math.floor(unit / 20)]}${INWARD[unit % 20]}`;
}

/** Writes `rows` addresses to `file` (the CSV columns the README documents). */
export async function writeGazetteerCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('uprn,address_line_1,address_line_2,town,postcode,easting,northing\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const p = Math.floor(i / ADDRESSES_PER_POSTCODE);
    const n = (i % ADDRESSES_PER_POSTCODE) + 1;
    const street = STREETS[p % STREETS.length]!;
    const flat = i % 7 === 0 ? `"Flat ${n}, ${street} House"` : `${n} ${street}`;
    const second = i % 7 === 0 ? `${n} ${street}` : '';
    const easting = 300_000 + (p % 2000) * 50 + n * 2;
    const northing = 200_000 + Math.floor(p / 2000) * 50 + n;
    chunk += `${100_000_000 + i},${flat},${second},${TOWNS[p % TOWNS.length]},${benchPostcode(p)},${easting},${northing}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}
