// Which council's area holds a place: each council's boundary and its neighbours', loaded once at hub start.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Area } from './geojson.ts';

/** A place in WGS84 degrees. */
export interface Point {
  latitude: number;
  longitude: number;
}

/** An authority outside the hub a citizen is sent to. */
export interface Neighbour {
  name: string;
  url: string;
}

export interface Whereabouts {
  /** The hub's council whose area holds the point (the asking council's first), if any. */
  inside: string | undefined;
  /** The asking council's neighbour whose area holds the point, when no council of the hub's does. */
  neighbour?: Neighbour;
}

/** One council's boundary as loaded. */
export interface CouncilBoundary {
  area: Area;
  neighbours: (Neighbour & { area?: Area })[];
}

export class Boundaries {
  constructor(private readonly byCouncil: ReadonlyMap<string, CouncilBoundary>) {}

  /** Does this council have a boundary (so its places are checked)? */
  has(councilId: string): boolean {
    return this.byCouncil.has(councilId);
  }

  /** Is the point in the council's area? A point on the line counts as inside. Undefined: the council has no boundary. */
  holds(councilId: string, point: Point): boolean | undefined {
    const boundary = this.byCouncil.get(councilId);
    return boundary ? inArea(boundary.area, point) : undefined;
  }

  /** Whose area the point is in: the asking council's (when given), another of the hub's, or one of its neighbours'. */
  whereIs(point: Point, askingCouncil?: string): Whereabouts {
    if (askingCouncil !== undefined && this.holds(askingCouncil, point)) return { inside: askingCouncil };
    for (const [id, boundary] of this.byCouncil) if (inArea(boundary.area, point)) return { inside: id };
    const neighbours =
      askingCouncil !== undefined ? (this.byCouncil.get(askingCouncil)?.neighbours ?? []) : [...this.byCouncil.values()].flatMap((b) => b.neighbours);
    const neighbour = neighbours.find((n) => n.area && inArea(n.area, point));
    return { inside: undefined, ...(neighbour ? { neighbour: { name: neighbour.name, url: neighbour.url } } : {}) };
  }

  /** Everyone a council sends citizens to, in config order. */
  neighboursOf(councilId: string): Neighbour[] {
    return (this.byCouncil.get(councilId)?.neighbours ?? []).map((n) => ({ name: n.name, url: n.url }));
  }
}

/** The council whose area holds the point, among `candidates` (absent: every council of the hub). */
export function councilForPoint(hub: { boundaries: Boundaries }, point: Point, candidates?: readonly string[]): string | undefined {
  if (!candidates) return hub.boundaries.whereIs(point).inside;
  return candidates.find((id) => hub.boundaries.holds(id, point));
}

// @turf/boolean-point-in-polygon (maintained, used widely, handles holes and MultiPolygons); the bounding box first
// because most places asked about are far from most boundaries.
function inArea(area: Area, { latitude, longitude }: Point): boolean {
  const [west, south, east, north] = area.bbox;
  if (longitude < west || longitude > east || latitude < south || latitude > north) return false;
  return booleanPointInPolygon([longitude, latitude], { type: 'MultiPolygon', coordinates: area.polygons });
}
