// The location answers' checks that need the council's address provider or the grid maths, run after the (synchronous)
// answer validation, for the API and the pages alike:
// - coordinates must be a place in Great Britain; given in one system (grid or latitude/longitude), the other is filled in;
// - a chosen nearest address (a UPRN, the no-JavaScript path) must be one the provider knows: its record is the place
//   when no pin was dropped;
// - the nearest address or street is the provider's answer for the point, never what the client sent.
import { AddressProviderUnavailable, type FoundAddress } from '@closeloop/sdk';
import { gridToWgs84, isGridPointInGreatBritain, wgs84ToGrid, type AddressFinder } from '../address/index.ts';
import { ServiceUnavailableError, type FieldError } from '../errors.ts';
import type { Answers, LocationAnswer, LocationInput, ServiceDefinition } from '../services/index.ts';

/** Where one location comes from when checked: a pin, or the chosen address. */
export type LocationResult = { answer: LocationAnswer } | { error: FieldError };

/**
 * Returns the answers with each location answer checked and completed, and the problems found. Throws
 * ServiceUnavailableError when a chosen UPRN must be checked and the provider is down (a missing nearest address is
 * not worth refusing a report for: it is left out).
 */
export async function resolveLocations(
  def: ServiceDefinition,
  answers: Answers,
  finder: () => Promise<AddressFinder>,
): Promise<{ answers: Answers; errors: FieldError[] }> {
  const out: Answers = { ...answers };
  const errors: FieldError[] = [];
  for (const field of def.fields) {
    if (field.type !== 'location' || !out[field.id]) continue;
    const result = await resolveLocation(field.id, out[field.id] as LocationInput, finder);
    if ('error' in result) errors.push(result.error);
    else out[field.id] = result.answer;
  }
  return { answers: out, errors };
}

export async function resolveLocation(id: string, input: LocationInput, finder: () => Promise<AddressFinder>): Promise<LocationResult> {
  const description = input.description ? { description: input.description } : {};
  let chosen: FoundAddress | undefined;
  if (input.uprn !== undefined) {
    chosen = await guarded(async () => (await finder()).byUprn(input.uprn!));
    if (!chosen) return { error: { field: `${id}.uprn`, message: `No address has UPRN ${input.uprn}` } };
  }
  const point = pointOf(input);
  if ('error' in point) return { error: { field: `${id}.${point.part}`, message: point.error } };
  if (!point.at && !chosen) return { error: { field: id, message: 'Drop a pin on the map or describe where it is' } };
  const at = point.at ?? {
    easting: chosen!.easting,
    northing: chosen!.northing,
    latitude: chosen!.latitude,
    longitude: chosen!.longitude,
  };
  const near = chosen ?? (await nearestTo(at, finder));
  return { answer: { ...at, ...description, ...(near ? { nearest: nearestOf(near) } : {}) } };
}

/** The nearest address as the answer keeps it, with its street (the last address line without the house number). */
export function nearestOf(a: FoundAddress): NonNullable<LocationAnswer['nearest']> {
  const street = a.lines
    .at(-1)
    ?.replace(/^\d+[A-Za-z]?(-\d+[A-Za-z]?)?,?\s+/, '')
    .trim();
  return { uprn: a.uprn, label: a.label, ...(street ? { street } : {}) };
}

type Point = Pick<LocationAnswer, 'easting' | 'northing' | 'latitude' | 'longitude'>;

function pointOf(a: LocationInput): { at: Point | null } | { error: string; part: string } {
  const hasGrid = a.easting !== undefined && a.northing !== undefined;
  const hasWgs84 = a.latitude !== undefined && a.longitude !== undefined;
  if (hasGrid) {
    const grid = { easting: a.easting!, northing: a.northing! };
    if (!isGridPointInGreatBritain(grid)) return { error: 'The easting and northing are not a place in Great Britain', part: 'easting' };
    if (hasWgs84) {
      const other = wgs84ToGrid({ latitude: a.latitude!, longitude: a.longitude! });
      // Both given: they must be the same place (within 100 m), or the back office gets two different places.
      if (Math.hypot(other.easting - grid.easting, other.northing - grid.northing) > 100)
        return { error: 'The latitude and longitude are not the same place as the easting and northing', part: 'latitude' };
      return { at: { ...grid, latitude: a.latitude!, longitude: a.longitude! } };
    }
    return { at: { ...grid, ...gridToWgs84(grid) } };
  }
  if (hasWgs84) {
    const wgs = { latitude: a.latitude!, longitude: a.longitude! };
    if (wgs.latitude < 49 || wgs.latitude > 61 || wgs.longitude < -9 || wgs.longitude > 2.1)
      return { error: 'The latitude and longitude are not a place in Great Britain', part: 'latitude' };
    const grid = wgs84ToGrid(wgs);
    if (!isGridPointInGreatBritain(grid)) return { error: 'The latitude and longitude are not a place in Great Britain', part: 'latitude' };
    return { at: { ...grid, ...wgs } };
  }
  return { at: null };
}

async function nearestTo(at: Point, finder: () => Promise<AddressFinder>): Promise<FoundAddress | undefined> {
  try {
    return await (await finder()).nearest({ easting: at.easting, northing: at.northing });
  } catch (err) {
    if (err instanceof AddressProviderUnavailable) return undefined;
    throw err;
  }
}

async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AddressProviderUnavailable)
      throw new ServiceUnavailableError('Addresses cannot be checked at the moment. Try again later, or send the location without a UPRN.', 60);
    throw err;
  }
}
