// The address answers' checks that need the council's address provider or the grid maths, run after the (synchronous)
// answer validation by the submission code, for the API and the pages alike:
// - an answer carrying a UPRN must be an address the provider knows; the provider's lines, postcode and coordinates
//   then replace what was sent (the UPRN is the authority; a client cannot pair a real UPRN with a made-up place);
// - coordinates must be in Great Britain; given only as a grid point or only as latitude/longitude, the other is filled in.
import { AddressProviderUnavailable } from '@closeloop/sdk';
import { gridToWgs84, isGridPointInGreatBritain, wgs84ToGrid, type AddressFinder } from '../address/index.ts';
import { ServiceUnavailableError, type FieldError } from '../errors.ts';
import { addressAnswerOf, type AddressAnswer, type Answers, type ServiceDefinition } from '../services/index.ts';

/**
 * Returns the answers with each address answer checked and completed, and the problems found. `finder` is the service's
 * council's address finder; without one (answers the hub itself read back from the provider) UPRNs are not looked up
 * again. Throws ServiceUnavailableError when a UPRN must be checked and the provider is down.
 */
export async function resolveAddresses(
  def: ServiceDefinition,
  answers: Answers,
  finder: (() => Promise<AddressFinder>) | undefined,
): Promise<{ answers: Answers; errors: FieldError[] }> {
  const out: Answers = { ...answers };
  const errors: FieldError[] = [];
  for (const field of def.fields) {
    if (field.type !== 'address' || !out[field.id]) continue;
    const address = out[field.id] as AddressAnswer;
    // Read back from the provider by the hub itself (the pages' finder): the provider's record, kept as it is.
    if (address.uprn !== undefined && !finder) continue;
    if (address.uprn !== undefined && finder) {
      const found = await lookUp(await finder(), address.uprn);
      if (!found) {
        errors.push({ field: `${field.id}.uprn`, message: `No address has UPRN ${address.uprn}` });
        continue;
      }
      // The provider's coordinates are the council's own record of the place: kept as they are.
      out[field.id] = addressAnswerOf(found);
      continue;
    }
    const placed = withBothCoordinates(address);
    if ('error' in placed) errors.push({ field: `${field.id}.${placed.part}`, message: placed.error });
    else out[field.id] = placed.address;
  }
  return { answers: out, errors };
}

/**
 * Before the boundary check (which needs the place's coordinates): the answers with each address answer that carries a
 * well-formed UPRN the provider knows replaced by the provider's address, and each location answer given only as a UPRN
 * (the chosen nearest address, no pin) given that address's coordinates, so a UPRN outside the area is refused like
 * coordinates are. Anything else is left for resolveAddresses / resolveLocations to report. `finder` should be a
 * onceEachUprn() finder, so the submission's own checks ask the provider nothing again.
 */
export async function withAddressesOfUprns(def: ServiceDefinition, raw: Answers, finder: () => Promise<AddressFinder>): Promise<Answers> {
  const out: Answers = { ...raw };
  for (const field of def.fields) {
    const value = out[field.id] as Record<string, unknown> | undefined;
    if ((field.type !== 'address' && field.type !== 'location') || !value || typeof value !== 'object' || typeof value.uprn !== 'string') continue;
    if (
      field.type === 'location' &&
      ['easting', 'northing', 'latitude', 'longitude'].some((k) => value[k] !== undefined && value[k] !== null && value[k] !== '')
    )
      continue; // a pin: the place is the pin, the UPRN only its nearest address
    const found = /^\d{1,12}$/.test(value.uprn.trim()) ? await lookUp(await finder(), value.uprn.trim()) : undefined;
    if (!found) continue;
    out[field.id] =
      field.type === 'address'
        ? addressAnswerOf(found)
        : { ...value, easting: found.easting, northing: found.northing, latitude: found.latitude, longitude: found.longitude };
  }
  return out;
}

/** A finder that asks the provider about each UPRN once (one submission's checks). */
export function onceEachUprn(finder: () => Promise<AddressFinder>): () => Promise<AddressFinder> {
  const asked = new Map<string, ReturnType<AddressFinder['byUprn']>>();
  return async () => {
    const inner = await finder();
    return {
      ...inner,
      byUprn: (uprn) => {
        let answer = asked.get(uprn);
        if (!answer) asked.set(uprn, (answer = inner.byUprn(uprn)));
        return answer;
      },
    };
  };
}

async function lookUp(finder: AddressFinder, uprn: string) {
  if (!/^\d{1,12}$/.test(uprn)) return undefined;
  try {
    return await finder.byUprn(uprn);
  } catch (err) {
    if (err instanceof AddressProviderUnavailable)
      throw new ServiceUnavailableError('Addresses cannot be checked at the moment. Try again later, or send the address without a UPRN.', 60);
    throw err;
  }
}

/** Checks the point is in Great Britain and fills in the coordinate system that was left out. */
function withBothCoordinates(a: AddressAnswer): { address: AddressAnswer } | { error: string; part: string } {
  const hasGrid = a.easting !== undefined && a.northing !== undefined;
  const hasWgs84 = a.latitude !== undefined && a.longitude !== undefined;
  if (hasGrid) {
    if (!isGridPointInGreatBritain({ easting: a.easting!, northing: a.northing! }))
      return { error: 'The easting and northing are not a place in Great Britain', part: 'easting' };
    if (hasWgs84) {
      const grid = wgs84ToGrid({ latitude: a.latitude!, longitude: a.longitude! });
      // Both given: they must be the same place (within 100 m), or the back office gets two different places.
      if (Math.hypot(grid.easting - a.easting!, grid.northing - a.northing!) > 100)
        return { error: 'The latitude and longitude are not the same place as the easting and northing', part: 'latitude' };
      return { address: a };
    }
    return { address: { ...a, ...rounded(gridToWgs84({ easting: a.easting!, northing: a.northing! }), 6) } };
  }
  if (hasWgs84) {
    const grid = wgs84ToGrid({ latitude: a.latitude!, longitude: a.longitude! });
    if (!isGridPointInGreatBritain(grid)) return { error: 'The latitude and longitude are not a place in Great Britain', part: 'latitude' };
    return { address: { ...a, ...rounded(grid, 1) } };
  }
  return { address: a };
}

/** Rounded to a tenth of a metre, or 6 decimal places of a degree (about 10 cm): more is noise, not precision. */
function rounded<T extends object>(point: T, digits: number): T {
  const f = 10 ** digits;
  return Object.fromEntries(Object.entries(point).map(([k, v]) => [k, Math.round((v as number) * f) / f])) as T;
}
