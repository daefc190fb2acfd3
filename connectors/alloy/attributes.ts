// The "REST-XML" part: item attributes and geometry read from the service's validated XML by XPath, with value→code
// lookups, so admins reuse one mapping (answers → XML) and only say where each Alloy attribute comes from.
import proj4 from 'proj4';
import { PermanentError } from '@closeloop/sdk';
import { parseXmlSafely, selectAll, selectText } from '@closeloop/sdk/xml';
import type { AttributeMap, ServiceMapping } from './config.ts';

export interface ItemFields {
  attributes: { attributeCode: string; value: unknown }[];
  geometry?: { type: 'Point'; coordinates: [number, number] };
}

// British National Grid (EPSG:27700) with the OSTN-free 7-parameter Helmert shift: about 5 m accuracy, plenty for a
// report's location. Defined inline so nothing is downloaded.
const BNG =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

export function itemFieldsFromXml(xml: string, mapping: ServiceMapping, namespaces: Record<string, string>): ItemFields {
  const doc = parseXmlSafely(xml);
  const ns = Object.keys(namespaces).length ? namespaces : undefined;
  const attributes: ItemFields['attributes'] = [];
  for (const map of mapping.attributes) {
    const value = attributeValue(map, map.type === 'list' ? selectAll(doc, map.xpath, ns).map((n) => n.text().trim()) : selectText(doc, map.xpath, ns));
    if (value !== undefined) attributes.push({ attributeCode: map.attributeCode, value });
  }
  let geometry: ItemFields['geometry'];
  if (mapping.geometry) {
    const num = (xpath?: string) => (xpath ? Number(selectText(doc, xpath, ns) || NaN) : NaN);
    const [lat, lon] = [num(mapping.geometry.latitude), num(mapping.geometry.longitude)];
    const [e, n] = [num(mapping.geometry.easting), num(mapping.geometry.northing)];
    if (Number.isFinite(lat) && Number.isFinite(lon)) geometry = point(lon, lat);
    else if (Number.isFinite(e) && Number.isFinite(n)) {
      const [x, y] = proj4(BNG, 'EPSG:4326', [e, n]);
      geometry = point(x!, y!);
    }
  }
  return { attributes, geometry };
}

function point(lon: number, lat: number): ItemFields['geometry'] {
  // GeoJSON is longitude first; 6 decimals is about 10 cm.
  return { type: 'Point', coordinates: [round(lon), round(lat)] };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** One attribute's value in the shape Alloy wants, or undefined to leave it out. */
export function attributeValue(map: AttributeMap, raw: string | string[] | null): unknown {
  if (raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) => lookup(map, v)).filter((v): v is string => v !== undefined);
  if (!values.length) return undefined;
  const first = values[0]!;
  switch (map.type) {
    case 'list':
      return values;
    case 'itemRef':
      return [first];
    case 'number': {
      const n = Number(first);
      if (!Number.isFinite(n)) throw new PermanentError(`Alloy attribute ${map.attributeCode}: "${first}" is not a number`);
      return n;
    }
    case 'boolean':
      return first === 'true' || first === '1';
    case 'datetime': {
      const t = Date.parse(first);
      if (Number.isNaN(t)) throw new PermanentError(`Alloy attribute ${map.attributeCode}: "${first}" is not a date`);
      return new Date(t).toISOString();
    }
    default:
      return first;
  }
}

function lookup(map: AttributeMap, value: string): string | undefined {
  if (!map.lookup) return value;
  const code = map.lookup[value];
  if (code !== undefined) return code;
  if (map.unmapped === 'omit') return undefined;
  if (map.unmapped === 'fail') throw new PermanentError(`Alloy attribute ${map.attributeCode}: no code for the value "${value}" in its lookup`);
  return value;
}
