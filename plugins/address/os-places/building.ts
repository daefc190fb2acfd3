// "Building number or name" narrowing a postcode's addresses, as the GOV.UK find-an-address pattern asks: "10" finds
// "10 DOWNING STREET" but not "110 DOWNING STREET"; "rose court" finds "FLAT 2, ROSE COURT".
import type { FoundAddress } from '@closeloop/sdk';

export function matchesBuilding(address: FoundAddress, building: string): boolean {
  const wanted = words(building);
  if (!wanted) return true;
  return address.lines.some((line) => ` ${words(line)} `.includes(` ${wanted} `));
}

/** Upper case, letters and digits only, single spaces: "Flat 2a," → "FLAT 2A". */
function words(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}
