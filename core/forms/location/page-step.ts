// The location question's steps on its page, before the page's answers are checked and kept: a street or postcode
// searched in the council's address list (the addresses shown to choose the nearest), then the place (the pin, or the
// chosen address) resolved by the provider and shown back ("Nearest address: …") for the citizen to confirm. Only
// the posted coordinates, description, search text and chosen UPRN are read; the nearest address is always the hub's.
import { AddressProviderUnavailable } from '@closeloop/sdk';
import { addressFinder, normalisePostcode, type AddressHost } from '../../address/index.ts';
import { ServiceUnavailableError, type FieldError } from '../../errors.ts';
import { resolveLocation } from '../../processes/resolve-locations.ts';
import { DESCRIPTION_LIMIT, LOCATION_REQUIRED, type Field, type LocationAnswer } from '../../services/index.ts';
import type { LocationPageValue } from './component.ts';

type LocationField = Extract<Field, { type: 'location' }>;

/** `show`: the page is shown again with these values (choices or the confirmation) and errors; else the answers to keep. */
export type LocationStep =
  { show: true; values: Record<string, unknown>; errors: FieldError[]; tooManyLookups: boolean } | { show: false; answers: Record<string, unknown> };

/** Counts one address search against the limits (the citizen pages'): false when over them, the search not to be made. */
export type LookupAllowance = () => Promise<boolean>;

const NO_MAP_REQUIRED = 'Describe where it is and enter the nearest street or postcode';

export async function locationStep(
  hub: AddressHost,
  council: string,
  fields: Field[],
  posted: Record<string, unknown>,
  hasMap: boolean,
  mayLookUp: LookupAllowance = async () => true,
): Promise<LocationStep> {
  const answers = { ...posted };
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  let show = false;
  let tooManyLookups = false;
  for (const field of fields.filter((f): f is LocationField => f.type === 'location')) {
    const result = await stepFor(hub, council, field, postedValue(posted[field.id]), hasMap, mayLookUp);
    if ('answer' in result) {
      if (result.answer === undefined) delete answers[field.id];
      else answers[field.id] = result.answer;
      continue;
    }
    show = true;
    tooManyLookups ||= !!result.tooManyLookups;
    values[field.id] = result.value;
    errors.push(...result.errors);
  }
  return show ? { show, values: { ...answers, ...values }, errors, tooManyLookups } : { show, answers };
}

type FieldStep = { answer: LocationAnswer | undefined } | { value: LocationPageValue; errors: FieldError[]; tooManyLookups?: boolean };

async function stepFor(hub: AddressHost, council: string, field: LocationField, p: Posted, hasMap: boolean, mayLookUp: LookupAllowance): Promise<FieldStep> {
  const id = field.id;
  const finder = () => addressFinder(hub, council);
  const value: LocationPageValue = { description: p.description, street: p.street, latitude: p.latitude, longitude: p.longitude, uprn: p.uprn };
  const stay = (...errors: FieldError[]): FieldStep => ({ value, errors });
  if (p.description && p.description.length > DESCRIPTION_LIMIT)
    return stay({ field: `${id}.description`, message: `Description of the place must be ${DESCRIPTION_LIMIT} characters or less` });
  const pinned = p.latitude !== undefined && p.longitude !== undefined;
  // "Find addresses", or a street typed without a pin or a choice: show what the council's list has for it.
  if (p.find || (!pinned && !p.uprn && p.street)) {
    if (!p.street) return stay({ field: `${id}.street`, message: 'Enter the nearest street or a postcode' });
    if (!(await mayLookUp()))
      return {
        value,
        errors: [
          {
            field: `${id}.street`,
            message: hasMap
              ? 'You have looked up too many addresses. Try again later or drop a pin on the map.'
              : 'You have looked up too many addresses. Try again later.',
          },
        ],
        tooManyLookups: true,
      };
    try {
      const f = await finder();
      const postcode = normalisePostcode(p.street);
      const found = postcode ? await f.byPostcode(postcode) : await f.search(p.street);
      if (!found.length)
        return stay({ field: `${id}.street`, message: `We could not find an address for ‘${p.street.slice(0, 60)}’. Check the spelling, or enter a postcode` });
      value.choices = found.map((a) => ({ uprn: a.uprn, label: a.label }));
      delete value.uprn;
      return stay();
    } catch (err) {
      if (!(err instanceof AddressProviderUnavailable)) throw err;
      return stay({
        field: `${id}.street`,
        message: hasMap
          ? 'Addresses cannot be searched at the moment. Drop a pin on the map, or try again later'
          : 'Addresses cannot be searched at the moment. Try again later',
      });
    }
  }
  if (!pinned && !p.uprn) {
    if (!field.required && !p.description) return { answer: undefined };
    if (p.description) return stay({ field: `${id}.street`, message: 'Enter the nearest street or a postcode' });
    return stay({ field: id, message: field.requiredMessage ?? (hasMap ? LOCATION_REQUIRED : NO_MAP_REQUIRED) });
  }
  if (!pinned && !p.description) {
    return stay({ field: `${id}.description`, message: 'Describe where it is, for example on the grass verge opposite the bus stop' });
  }
  const [latitude, longitude] = [Number(p.latitude), Number(p.longitude)];
  if (pinned && (!/^-?\d+(\.\d+)?$/.test(p.latitude!) || !/^-?\d+(\.\d+)?$/.test(p.longitude!) || !Number.isFinite(latitude) || !Number.isFinite(longitude)))
    return stay({ field: id, message: 'The pin is not a place in Great Britain: drop it again' });
  const input = pinned ? { latitude, longitude, ...(p.description ? { description: p.description } : {}) } : { uprn: p.uprn!, description: p.description! };
  let resolved;
  try {
    resolved = await resolveLocation(id, input, finder);
  } catch (err) {
    // The chosen address cannot be checked while the provider is down: said on the page, never a 500 or 503 page.
    if (!(err instanceof ServiceUnavailableError)) throw err;
    return stay({
      field: `${id}.street`,
      message: hasMap
        ? 'Addresses cannot be checked at the moment. Drop a pin on the map, or try again later'
        : 'Addresses cannot be checked at the moment. Try again later',
    });
  }
  // The page has no input for a coordinate or a UPRN the radios no longer show: the error goes on the question (its summary
  // link to the description) or on the street it was found by.
  if ('error' in resolved) return stay({ ...resolved.error, field: resolved.error.field.endsWith('.uprn') ? `${id}.street` : id });
  const token = `${resolved.answer.easting},${resolved.answer.northing}`;
  // Confirmed when the place is the one shown: a moved pin or another address is shown again first.
  if (p.confirmed === token) return { answer: resolved.answer };
  value.confirming = { nearest: resolved.answer.nearest?.label ?? null, token };
  return stay();
}

interface Posted {
  latitude?: string;
  longitude?: string;
  description?: string;
  street?: string;
  uprn?: string;
  find?: boolean;
  confirmed?: string;
}

function postedValue(v: unknown): Posted {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const raw = v as Record<string, unknown>;
  const text = (key: string, max = 2000) => {
    const x = raw[key];
    return typeof x === 'string' && x.trim() ? x.replace(/\r\n/g, '\n').trim().slice(0, max) : undefined;
  };
  const uprn = text('uprn');
  return {
    latitude: text('latitude', 40),
    longitude: text('longitude', 40),
    description: text('description', DESCRIPTION_LIMIT + 1),
    street: text('street', 200),
    ...(uprn && /^\d{1,12}$/.test(uprn) ? { uprn } : {}),
    find: text('find') === '1',
    confirmed: text('confirmed', 80),
  };
}
