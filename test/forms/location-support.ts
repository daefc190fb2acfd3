// A test service with a location question ("Report a dead animal"), in a copy of the example config written for the
// test, with or without map tiles; and the example gazetteer's facts the location tests rely on.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const SERVICE = 'dead-animal';
export const PAGES = `/services/${SERVICE}`;
/** 1 Millbeck Road, Exampleton, AA1 1AB in config/gazetteer/example.csv. */
export const MILLBECK_1 = { uprn: '990000100001', easting: 452110.95, northing: 304189.75, label: '1 Millbeck Road, Exampleton, AA1 1AB' };

const XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:dead-animal" xmlns="urn:test:dead-animal" elementFormDefault="qualified">
  <xs:element name="DeadAnimalReport">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Reference" type="xs:string"/>
        <xs:element name="Easting" type="xs:decimal"/>
        <xs:element name="Northing" type="xs:decimal"/>
        <xs:element name="Latitude" type="xs:decimal"/>
        <xs:element name="Longitude" type="xs:decimal"/>
        <xs:element name="Description" type="xs:string" minOccurs="0"/>
        <xs:element name="NearestUPRN" type="xs:string" minOccurs="0"/>
        <xs:element name="NearestAddress" type="xs:string" minOccurs="0"/>
        <xs:element name="NearestStreet" type="xs:string" minOccurs="0"/>
        <xs:element name="Animal" type="xs:string"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;

const DEFINITION = {
  id: SERVICE,
  title: 'Report a dead animal',
  noun: 'dead animal report',
  referencePrefix: 'DAN',
  fields: [
    { id: 'where', type: 'location', label: 'Where is the dead animal?', errorName: 'where the dead animal is' },
    { id: 'animal', type: 'text', label: 'What kind of animal is it?', maxLength: 100 },
  ],
  tasks: [{ key: 'collection', title: 'Collection' }],
  bindings: ['sandbox'],
  xml: {
    xsd: 'dead-animal.xsd',
    mapping: {
      root: 'DeadAnimalReport',
      namespace: 'urn:test:dead-animal',
      children: [
        { element: 'Reference', value: { process: 'reference' } },
        { element: 'Easting', value: { answer: 'where.easting' } },
        { element: 'Northing', value: { answer: 'where.northing' } },
        { element: 'Latitude', value: { answer: 'where.latitude' } },
        { element: 'Longitude', value: { answer: 'where.longitude' } },
        { element: 'Description', value: { answer: 'where.description' } },
        { element: 'NearestUPRN', value: { answer: 'where.nearest.uprn' } },
        { element: 'NearestAddress', value: { answer: 'where.nearest.label' } },
        { element: 'NearestStreet', value: { answer: 'where.nearest.street' } },
        { element: 'Animal', value: { answer: 'animal' } },
      ],
    },
  },
};

export interface LocationConfig {
  configFile: string;
  remove(): void;
}

/** A copy of config/ with the dead-animal service, and `maps` on the hub's council when given. */
export function locationConfig(maps?: Record<string, unknown>): LocationConfig {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-location-'));
  cpSync('config', dir, { recursive: true });
  writeFileSync(join(dir, 'xsd', 'dead-animal.xsd'), XSD);
  writeFileSync(join(dir, 'services', `${SERVICE}.yaml`), stringify(DEFINITION));
  if (maps) {
    const file = join(dir, 'closeloop.yaml');
    const config = parse(readFileSync(file, 'utf8')) as { council: Record<string, unknown> };
    config.council.maps = maps;
    writeFileSync(file, stringify(config));
  }
  return { configFile: join(dir, 'closeloop.yaml'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
