// The location question's answer (a place not at an address: fly-tipping on a verge), checked without the address
// provider. What needs the provider or the grid maths (the nearest address, a chosen UPRN, coordinates in Great Britain,
// the other coordinate system) is done after this by core/processes/resolve-locations.ts, for the API and pages alike.
import type { Field } from './definition.ts';

/** The stored answer. `nearest` is always the hub's own lookup, never what a client sent. */
export interface LocationAnswer {
  easting: number;
  northing: number;
  latitude: number;
  longitude: number;
  description?: string;
  nearest?: { uprn?: string; label: string; street?: string };
}

/** What a client may send: a point (either system, or both), or the UPRN of the nearest address chosen from the list. */
export interface LocationInput {
  easting?: number;
  northing?: number;
  latitude?: number;
  longitude?: number;
  description?: string;
  uprn?: string;
  nearest?: LocationAnswer['nearest'];
}

export const LOCATION_REQUIRED = 'Drop a pin on the map or describe where it is';
export const DESCRIPTION_LIMIT = 500;

const KEYS = new Set(['easting', 'northing', 'latitude', 'longitude', 'description', 'uprn', 'nearest']);
const RANGES = { easting: [0, 700_000], northing: [0, 1_300_000], latitude: [-90, 90], longitude: [-180, 180] } as const;
const NAMES = { easting: 'Easting', northing: 'Northing', latitude: 'Latitude', longitude: 'Longitude' } as const;

type Check = { value: LocationInput } | { error: string; path?: string };

export function checkLocation(field: Extract<Field, { type: 'location' }>, value: unknown): Check {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'must be a location: coordinates, or the UPRN of the nearest address' };
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) return { error: 'is not part of a location', path: `${field.id}.${key}` };
  const out: LocationInput = {};
  for (const key of ['easting', 'northing', 'latitude', 'longitude'] as const) {
    const v = raw[key];
    if (v === undefined || v === null || v === '') continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
    const [min, max] = RANGES[key];
    if (!Number.isFinite(n) || n < min || n > max) return { error: `${NAMES[key]} must be a number between ${min} and ${max}`, path: `${field.id}.${key}` };
    out[key] = n;
  }
  if ((out.easting === undefined) !== (out.northing === undefined)) return { error: 'Enter both an easting and a northing', path: `${field.id}.easting` };
  if ((out.latitude === undefined) !== (out.longitude === undefined)) return { error: 'Enter both a latitude and a longitude', path: `${field.id}.latitude` };
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== 'string') return { error: 'must be text', path: `${field.id}.description` };
    const text = raw.description.replace(/\r\n/g, '\n').trim();
    if (text.length > DESCRIPTION_LIMIT)
      return { error: `Description of the place must be ${DESCRIPTION_LIMIT} characters or less`, path: `${field.id}.description` };
    if (text) out.description = text;
  }
  if (raw.uprn !== undefined && raw.uprn !== null && raw.uprn !== '') {
    if (typeof raw.uprn !== 'string' || !/^\d{1,12}$/.test(raw.uprn)) return { error: 'UPRN must be 1 to 12 digits', path: `${field.id}.uprn` };
    out.uprn = raw.uprn;
  }
  if (raw.nearest !== undefined) {
    const nearest = nearestOf(raw.nearest);
    if (!nearest) return { error: 'must be the nearest address as the hub gave it ({ uprn?, label, street? })', path: `${field.id}.nearest` };
    out.nearest = nearest;
  }
  const hasPoint = out.easting !== undefined || out.latitude !== undefined;
  if (!hasPoint && out.uprn === undefined) return { error: LOCATION_REQUIRED, path: field.id };
  return { value: out };
}

function nearestOf(v: unknown): LocationAnswer['nearest'] | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { uprn, label, street, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length) return undefined;
  if (typeof label !== 'string' || !label.trim() || label.length > 300) return undefined;
  if (uprn !== undefined && (typeof uprn !== 'string' || !/^\d{1,12}$/.test(uprn))) return undefined;
  if (street !== undefined && (typeof street !== 'string' || street.length > 200)) return undefined;
  return { ...(uprn ? { uprn } : {}), label: label.trim(), ...(street ? { street } : {}) };
}
