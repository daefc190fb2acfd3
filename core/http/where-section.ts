// The "Where" section of the staff case page and the citizen's tracking page (issue 19): the place in words and, when
// the council configures map tiles and the place has a point, a static map, with the page's CSP widened to exactly the
// tile host. See shared-templates/where.njk.
import type Koa from 'koa';
import type { Config } from '../config/index.ts';
import type { Where } from '../boundary/index.ts';
import { locationMapOf } from '../forms/location/map.ts';
import { staticMap, TILE_SIZE, type StaticMap } from '../forms/location/static-map.ts';
import { pageCspWithTiles } from './location-headers.ts';

export interface WhereSection {
  lines: string[];
  map?: StaticMap & { tileSize: number; attribution: string };
  /** The page's Content-Security-Policy when a map is shown (the tile host added to img-src). */
  csp?: string;
}

/** The section for a case of this council whose answers give `where`; undefined when there is nothing to show. */
export function whereSection(config: Config, councilId: string, where: Where | undefined): WhereSection | undefined {
  if (!where) return undefined;
  const tiles = locationMapOf(config, councilId);
  if (!tiles || !where.point) return { lines: where.lines };
  return {
    lines: where.lines,
    map: { ...staticMap(tiles, where.point), tileSize: TILE_SIZE, attribution: tiles.attribution },
    csp: pageCspWithTiles(tiles),
  };
}

/** Lets the page load the map's tiles (and nothing else new): call before the response is sent. */
export function allowWhereMap(ctx: Koa.Context, section: WhereSection | undefined): void {
  if (section?.csp) ctx.set('Content-Security-Policy', section.csp);
}
