// British National Grid (EPSG:27700) ↔ WGS84 (EPSG:4326) with proj4.
//
// The grid is defined with the 7-parameter Helmert shift from OSGB36 to WGS84 (+towgs84), not Ordnance Survey's OSTN15
// grid file: that is accurate to a few metres across Great Britain (up to about 5 m), plenty for a report's location
// and a map pin, and it needs no file. Work that needs centimetres (surveying) needs OSTN15, which this hub does not do.
import proj4 from 'proj4';
import type { GridPoint } from '@closeloop/sdk';

const BNG =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

const toWgs84 = proj4(BNG, 'EPSG:4326');

/** The National Grid's extent: every point of Great Britain (and its islands) lies within these metres. */
export const GREAT_BRITAIN_GRID = { minEasting: 0, maxEasting: 700_000, minNorthing: 0, maxNorthing: 1_300_000 } as const;

/** EPSG:27700 metres → EPSG:4326 degrees (7 decimals, about a centimetre: the conversion itself is good to a few metres). */
export function gridToWgs84(p: GridPoint): { latitude: number; longitude: number } {
  const [longitude, latitude] = toWgs84.forward([p.easting, p.northing]);
  return { latitude: round7(latitude!), longitude: round7(longitude!) };
}

/** EPSG:4326 degrees → EPSG:27700 metres (to the centimetre). */
export function wgs84ToGrid(p: { latitude: number; longitude: number }): GridPoint {
  const [easting, northing] = toWgs84.inverse([p.longitude, p.latitude]);
  return { easting: round2(easting!), northing: round2(northing!) };
}

/** True when the point is a pair of finite numbers inside the National Grid's extent (hostile input fails here). */
export function isGridPointInGreatBritain(p: GridPoint): boolean {
  if (!p || typeof p !== 'object') return false;
  const { easting, northing } = p;
  return (
    typeof easting === 'number' &&
    typeof northing === 'number' &&
    Number.isFinite(easting) &&
    Number.isFinite(northing) &&
    easting >= GREAT_BRITAIN_GRID.minEasting &&
    easting <= GREAT_BRITAIN_GRID.maxEasting &&
    northing >= GREAT_BRITAIN_GRID.minNorthing &&
    northing <= GREAT_BRITAIN_GRID.maxNorthing
  );
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
const round2 = (x: number) => Math.round(x * 100) / 100;
