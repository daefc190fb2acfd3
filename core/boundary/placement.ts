// The boundary check a submission passes, for the API and the citizen pages alike: the place the answers give (the
// first shown question that carries coordinates) must lie in the service's council's area, or, for a service shared by
// several councils (`routeByBoundary`), in one of theirs: the case then becomes that council's service's.
import type { Council } from '../councils.ts';
import { ValidationError } from '../errors.ts';
import { gridToWgs84, isGridPointInGreatBritain } from '../address/index.ts';
import { isFieldShown, type Field, type ServiceCatalogue, type ServiceVersion } from '../services/index.ts';
import type { Boundaries, Neighbour, Point } from './boundaries.ts';

/** What the check needs of the hub. */
export interface PlacementHost {
  boundaries: Boundaries;
  catalogue: ServiceCatalogue;
  councils: { idOfService(catalogue: ServiceCatalogue, serviceId: string): string; get(id: string): Council };
}

/** A place outside every area the service covers, and who to contact instead. */
export interface OutsideArea {
  /** The question whose answer is the place. */
  fieldId: string;
  /** What the citizen gave: an address, or a place (a location question's pin or nearest street), as the message says. */
  noun: 'address' | 'place';
  /** The council whose service it is. */
  council: Council;
  /** Who holds the place, when that is known: a neighbour, or another council of this hub (whose link is known only when
   * this council lists it among its neighbours). */
  contact?: { name: string; url?: string };
  /** Every authority the council sends citizens to, for when none is known to hold the place. */
  neighbours: Neighbour[];
}

/** A submission whose place is outside the area its service covers: 422, naming who to contact instead. */
export class OutsideAreaError extends ValidationError {
  constructor(readonly outside: OutsideArea) {
    super(outsideAreaMessage(outside), [{ field: outside.fieldId, message: outsideAreaMessage(outside) }]);
    Object.assign(this.extra, {
      outsideArea: { council: outside.council.name, contact: outside.contact ?? null, neighbours: outside.neighbours },
    });
  }
}

/** How each question type that carries a place gives it. A new such type (a map pin's `location`) adds one line here. */
const PLACE_READERS: Partial<Record<Field['type'], (value: unknown) => Point | undefined>> = {
  address: pointOfCoordinates,
  location: pointOfCoordinates,
};

/**
 * The service's place and where it is: its first shown question (in form order) that carries a place, whether or not
 * that answer has coordinates (later address questions, like the citizen's own address, are not the place).
 */
export function placeOfAnswers(
  fields: readonly Field[],
  answers: Record<string, unknown>,
): { fieldId: string; fieldType: Field['type']; point: Point | undefined } | undefined {
  const field = fields.find((f) => PLACE_READERS[f.type] && isFieldShown(f, answers));
  return field && { fieldId: field.id, fieldType: field.type, point: PLACE_READERS[field.type]!(answers[field.id]) };
}

/**
 * The service whose case the answers become: the service itself when its council's area holds their place (or there is
 * no place, or no boundary to check it against), else the shared service of the council whose area does. Throws
 * OutsideAreaError when none does.
 */
export function placeSubmission(host: PlacementHost, service: ServiceVersion, answers: Record<string, unknown>): ServiceVersion {
  const outside = outsideArea(host, service, answers);
  if (outside) throw new OutsideAreaError(outside);
  const place = placeOfAnswers(service.definition.fields, answers)?.point;
  if (!place) return service;
  const own = host.councils.idOfService(host.catalogue, service.serviceId);
  if (host.boundaries.holds(own, place) !== false) return service;
  return sharingServices(host, service).find((s) => host.boundaries.holds(host.councils.idOfService(host.catalogue, s.serviceId), place)) ?? service;
}

/**
 * Why the answers cannot be taken (their place is outside every area the service covers), or null. `onPage` limits the
 * check to a page's questions (the citizen hears at once, before answering the rest).
 */
export function outsideArea(host: PlacementHost, service: ServiceVersion, answers: Record<string, unknown>, onPage?: readonly Field[]): OutsideArea | null {
  const own = host.councils.idOfService(host.catalogue, service.serviceId);
  if (!host.boundaries.has(own)) return null;
  const place = placeOfAnswers(service.definition.fields, answers);
  if (!place?.point || (onPage && !onPage.some((f) => f.id === place.fieldId))) return null;
  const point = place.point;
  const covering = [own, ...sharingServices(host, service).map((s) => host.councils.idOfService(host.catalogue, s.serviceId))];
  if (covering.some((id) => host.boundaries.holds(id, point))) return null;
  const where = host.boundaries.whereIs(point, own);
  const neighbours = host.boundaries.neighboursOf(own);
  // Another council of this hub whose service this is not: named, with its link when this council lists it as a neighbour.
  const other = where.inside !== undefined ? host.councils.get(where.inside).name : undefined;
  const contact = other !== undefined ? (neighbours.find((n) => n.name === other) ?? { name: other }) : where.neighbour;
  const noun = place.fieldType === 'location' ? 'place' : 'address';
  return { fieldId: place.fieldId, noun, council: host.councils.get(own), ...(contact ? { contact } : {}), neighbours };
}

/** "This address is not in Example District Council's area" ("This place …" for a location question's answer). */
export function outsideAreaHeading(outside: OutsideArea): string {
  return `This ${outside.noun} is not in ${outside.council.name}'s area`;
}

/** "This address is not in Example District Council's area. Contact Neighbour Borough Council instead." */
export function outsideAreaMessage(outside: OutsideArea): string {
  const first = `${outsideAreaHeading(outside)}.`;
  if (outside.contact) return `${first} Contact ${outside.contact.name} instead.`;
  return `${first} Contact the council for the area it is in.`;
}

/** The published services of other councils this service is shared with (those that are published and have a boundary). */
function sharingServices(host: PlacementHost, service: ServiceVersion): ServiceVersion[] {
  const own = host.councils.idOfService(host.catalogue, service.serviceId);
  return (service.definition.routeByBoundary ?? [])
    .filter((id) => host.catalogue.has(id))
    .map((id) => host.catalogue.get(id))
    .filter((s) => {
      const council = host.councils.idOfService(host.catalogue, s.serviceId);
      return council !== own && host.boundaries.has(council);
    });
}

/** Coordinates as an address answer carries them (latitude/longitude, else easting/northing), when they are usable. */
function pointOfCoordinates(value: unknown): Point | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN);
  const [latitude, longitude] = [num(v.latitude), num(v.longitude)];
  if (Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) return { latitude, longitude };
  const grid = { easting: num(v.easting), northing: num(v.northing) };
  if (Number.isFinite(grid.easting) && Number.isFinite(grid.northing) && isGridPointInGreatBritain(grid)) return gridToWgs84(grid);
  return undefined;
}
