// The location question's map: the council's configured tiles and where the map opens.
import type { Config, MapsConfig } from '../../config/index.ts';

export interface LocationMap {
  tilesUrl: string;
  attribution: string;
  maxZoom: number;
  latitude: number;
  longitude: number;
  zoom: number;
}

/** The council's map, or null when it configures no tiles (the page then asks only for a description and a street). */
export function locationMapOf(config: Config, councilId: string): LocationMap | null {
  const council = councilId === config.council.id ? config.council : config.councils[councilId];
  const maps: MapsConfig | undefined = council?.maps;
  if (!maps) return null;
  return {
    tilesUrl: maps.tiles.url,
    attribution: maps.tiles.attribution,
    maxZoom: maps.tiles.maxZoom,
    latitude: maps.centre.latitude,
    longitude: maps.centre.longitude,
    zoom: Math.min(maps.zoom, maps.tiles.maxZoom),
  };
}
