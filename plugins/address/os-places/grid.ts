// British National Grid (EPSG:27700) to WGS84 for the provider's own answers. Plugins may not import core/, so this is
// the plugin's small converter: proj4 with the standard 7-parameter Helmert shift (OSGB36 → WGS84), accurate to about
// 5 m — enough for a map pin and a back office's geometry. Defined inline, so nothing is downloaded.
import proj4 from 'proj4';

const BNG =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';
const toWgs84 = proj4(BNG, 'EPSG:4326');

/** Latitude and longitude (degrees, 7 decimals: about a centimetre) of a grid point in metres. */
export function gridToLatLong(easting: number, northing: number): { latitude: number; longitude: number } {
  const [longitude, latitude] = toWgs84.forward([easting, northing]);
  return { latitude: round7(latitude!), longitude: round7(longitude!) };
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
