// A location page's headers: its map loads tiles from the one host config names (and nothing else), and "Use my
// location" may ask the browser for the citizen's position (only on a button press: see static/location-map.mjs).
import type { LocationMap } from '../forms/location/map.ts';
import { PAGE_CSP } from './security-headers.ts';

/** The tile server's origin ("https://tiles.example"), the one outside host a map page may load images from. */
export function tileOrigin(map: LocationMap): string {
  return new URL(map.tilesUrl.replace(/\{[zxy]\}/g, '0')).origin;
}

/** A map page's headers: the hub's CSP with the tile host added to img-src, and geolocation for this origin only. */
export function locationMapHeaders(map: LocationMap): Record<string, string> {
  return {
    'Content-Security-Policy': PAGE_CSP.replace("img-src 'self' data:", `img-src 'self' data: ${tileOrigin(map)}`),
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(self)',
  };
}
