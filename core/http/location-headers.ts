// A location page's headers: its map loads tiles from the one host config names (and nothing else), and "Use my
// location" may ask the browser for the citizen's position (only on a button press: see static/location-map.mjs).
import type { LocationMap } from '../forms/location/map.ts';
import { PAGE_CSP } from './security-headers.ts';

/** The tile server's origin ("https://tiles.example"), the one outside host a map page may load images from. */
export function tileOrigin(map: LocationMap): string {
  return new URL(map.tilesUrl.replace(/\{[zxy]\}/g, '0')).origin;
}

/** The hub's page CSP with the tile host, and only it, added to img-src. */
export function pageCspWithTiles(map: LocationMap): string {
  return PAGE_CSP.replace("img-src 'self' data:", `img-src 'self' data: ${tileOrigin(map)}`);
}

/** A map page's headers: the hub's CSP with the tile host added to img-src, and geolocation for this origin only. */
export function locationMapHeaders(map: LocationMap): Record<string, string> {
  return {
    'Content-Security-Policy': pageCspWithTiles(map),
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(self)',
  };
}
