// A static map of one place (issue 19): the Web Mercator ("slippy map") tiles that cover a small window centred on the
// place, where each tile sits in the window, and where the pin goes. Pure maths: the staff case page and the citizen's
// tracking page draw it as an inline SVG of <image> tiles, so no script runs and only the tile host is contacted.
import type { LocationMap } from './map.ts';

/** A tile server's tiles are 256 pixels square (the slippy map convention the {z}/{x}/{y} template implies). */
export const TILE_SIZE = 256;
/** Close enough to see the street, never closer than the server has tiles for. */
export const STATIC_MAP_ZOOM = 17;

export interface StaticMapTile {
  /** The tile's URL, from the council's template. */
  url: string;
  /** Where the tile's top-left corner sits in the window (may be negative: the window crops it). */
  x: number;
  y: number;
}

export interface StaticMap {
  width: number;
  height: number;
  zoom: number;
  tiles: StaticMapTile[];
  /** The place's position in the window. */
  pin: { x: number; y: number };
}

/** The place in world pixels at `zoom` (x east from longitude -180, y south from latitude ~85.05), by the standard formulae. */
export function worldPixel(point: { latitude: number; longitude: number }, zoom: number): { x: number; y: number } {
  const scale = TILE_SIZE * 2 ** zoom;
  // Web Mercator stops at ±85.0511°: clamp so a pole does not go to infinity.
  const latitude = Math.max(-85.05112878, Math.min(85.05112878, point.latitude));
  const phi = (latitude * Math.PI) / 180;
  return {
    x: ((point.longitude + 180) / 360) * scale,
    y: ((1 - Math.asinh(Math.tan(phi)) / Math.PI) / 2) * scale,
  };
}

/** The tiles that cover a width×height window centred on the point, at min(17, the server's maxZoom). */
export function staticMap(map: LocationMap, point: { latitude: number; longitude: number }, width = 320, height = 200): StaticMap {
  const zoom = Math.min(STATIC_MAP_ZOOM, map.maxZoom);
  const tilesAcross = 2 ** zoom;
  const centre = worldPixel(point, zoom);
  // Whole pixels, so the tiles meet without hairline seams.
  const left = Math.round(centre.x - width / 2);
  const top = Math.round(centre.y - height / 2);
  const tiles: StaticMapTile[] = [];
  for (let ty = Math.floor(top / TILE_SIZE); ty <= Math.floor((top + height - 1) / TILE_SIZE); ty++) {
    // Above the top or below the bottom of the world there is no tile: the window shows the background there.
    if (ty < 0 || ty >= tilesAcross) continue;
    for (let tx = Math.floor(left / TILE_SIZE); tx <= Math.floor((left + width - 1) / TILE_SIZE); tx++) {
      // East of 180° is west of -180°: the world wraps.
      const wrapped = ((tx % tilesAcross) + tilesAcross) % tilesAcross;
      tiles.push({ url: tileUrl(map.tilesUrl, zoom, wrapped, ty), x: tx * TILE_SIZE - left, y: ty * TILE_SIZE - top });
    }
  }
  return { width, height, zoom, tiles, pin: { x: round2(centre.x - left), y: round2(centre.y - top) } };
}

function tileUrl(template: string, z: number, x: number, y: number): string {
  return template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
