// A council's boundary as an admin gives it: a GeoJSON file (RFC 7946: WGS84 longitude/latitude) holding Polygons or
// MultiPolygons, bare or in a Feature or FeatureCollection. The file is hostile input: its size is capped before it is
// read, it must be UTF-8 and JSON, and every member the hub uses is checked (rings closed, coordinates in range), so a
// mistake is reported with the feature and the coordinate at fault instead of a boundary that silently holds nothing.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

/** The largest boundary file read: a council's detailed boundary is a few hundred KB; 10 MB leaves room. */
export const MAX_BOUNDARY_BYTES = 10 * 1024 * 1024;

/** One area: its polygons (each an outer ring then holes; rings of [longitude, latitude]) and their bounding box. */
export interface Area {
  polygons: [number, number][][][];
  bbox: [west: number, south: number, east: number, north: number];
}

export class BoundaryFileError extends Error {
  constructor(
    message: string,
    /** Where in the file: "features.2 (\"North ward\"): geometry.coordinates.0.5", or "" for the whole file. */
    readonly at = '',
  ) {
    super(message);
    this.name = 'BoundaryFileError';
  }
}

const position = z
  .array(z.number({ error: 'must be a number' }).finite(), { error: 'must be a position: [longitude, latitude]' })
  .min(2, 'must be a position: [longitude, latitude]')
  .max(3, 'must be a position: [longitude, latitude] (or with an altitude)')
  .superRefine((p, ctx) => {
    const [lon, lat] = p as [number, number];
    // Easting/northing in metres is the usual mistake: say so rather than only "out of range".
    const metres = Math.abs(lon) > 1000 || Math.abs(lat) > 1000 ? ' (this looks like British National Grid metres: give WGS84 degrees, RFC 7946)' : '';
    if (lon < -180 || lon > 180) ctx.addIssue({ code: 'custom', path: [0], message: `longitude ${lon} is not between -180 and 180${metres}` });
    if (lat < -90 || lat > 90) ctx.addIssue({ code: 'custom', path: [1], message: `latitude ${lat} is not between -90 and 90${metres}` });
  });

const ring = z
  .array(position, { error: 'must be a linear ring: an array of positions' })
  .min(4, 'a linear ring needs at least 4 positions (3 corners and the first again)')
  .superRefine((r, ctx) => {
    const first = r[0]!;
    const last = r[r.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1])
      ctx.addIssue({ code: 'custom', message: `the ring is not closed: its last position [${last.join(', ')}] must repeat its first [${first.join(', ')}]` });
  });

const polygonCoordinates = z.array(ring, { error: 'must be an array of linear rings' }).min(1, 'a polygon needs its outer ring');

const geometry = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: polygonCoordinates }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonCoordinates, { error: 'must be an array of polygons' }).min(1) }),
  ],
  { error: 'must be a Polygon or MultiPolygon geometry (a boundary is an area)' },
);

// Foreign members are allowed (RFC 7946 §6.1) and ignored: only what the hub uses is checked.
const feature = z.object({
  type: z.literal('Feature'),
  geometry: geometry,
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});

const boundaryFile = z.discriminatedUnion(
  'type',
  [z.object({ type: z.literal('FeatureCollection'), features: z.array(feature).min(1, 'the collection has no features') }), feature, ...geometry.options],
  { error: 'must be a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon' },
);

/** Reads and checks a boundary file. Throws BoundaryFileError saying what is wrong and where. */
export function readBoundaryFile(file: string): Area {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new BoundaryFileError('is not a file');
    size = stat.size;
  } catch (err) {
    if (err instanceof BoundaryFileError) throw err;
    throw new BoundaryFileError('cannot be read (no such file?)');
  }
  if (size > MAX_BOUNDARY_BYTES)
    throw new BoundaryFileError(`is ${size} bytes, more than the ${MAX_BOUNDARY_BYTES} bytes a boundary may be: simplify the boundary (e.g. to 1 m)`);
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file)));
  } catch (err) {
    throw new BoundaryFileError(err instanceof TypeError ? 'is not UTF-8 text' : `is not JSON: ${(err as Error).message}`);
  }
  return parseBoundary(data);
}

/** Checks parsed GeoJSON and turns it into an area. Throws BoundaryFileError naming the feature and member at fault. */
export function parseBoundary(data: unknown): Area {
  const parsed = boundaryFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BoundaryFileError(issue.message, describePath(data, issue.path));
  }
  const root = parsed.data;
  const geometries = root.type === 'FeatureCollection' ? root.features.map((f) => f.geometry) : root.type === 'Feature' ? [root.geometry] : [root];
  const polygons = geometries.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)).map(toPolygon);
  return { polygons, bbox: bboxOf(polygons) };
}

function toPolygon(rings: number[][][]): [number, number][][] {
  return rings.map((r) => r.map((p) => [p[0]!, p[1]!] as [number, number]));
}

function bboxOf(polygons: [number, number][][][]): Area['bbox'] {
  const box: Area['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons)
    for (const [lon, lat] of polygon[0]!) {
      box[0] = Math.min(box[0], lon);
      box[1] = Math.min(box[1], lat);
      box[2] = Math.max(box[2], lon);
      box[3] = Math.max(box[3], lat);
    }
  return box;
}

/** "features.2 (\"North ward\"): geometry.coordinates.0.5.0", so an admin finds the feature by its name. */
function describePath(data: unknown, path: readonly PropertyKey[]): string {
  const dotted = (p: readonly PropertyKey[]) => p.map(String).join('.');
  if (path[0] === 'features' && typeof path[1] === 'number') {
    const f = (data as { features?: unknown[] }).features?.[path[1]] as { properties?: Record<string, unknown> } | undefined;
    const name = f?.properties && typeof f.properties === 'object' ? (f.properties.name ?? f.properties.NAME) : undefined;
    const label = `feature ${path[1]}${typeof name === 'string' ? ` ("${name.slice(0, 80)}")` : ''}`;
    return path.length > 2 ? `${label}: ${dotted(path.slice(2))}` : label;
  }
  return dotted(path);
}
