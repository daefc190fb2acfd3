// The Alloy example (config/examples/alloy-soap/closeloop.yaml) for every service it binds to Alloy: each attribute's
// XPath finds its value in the service's XML, every lookup has a code for every value the XML can carry (an item
// reference that "fails" when unmapped would dead-letter a citizen's delivery), and each geometry's XPaths find the coordinates.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadServiceFiles } from '../../core/services/index.ts';
import { buildXmlString, compileMapping } from '../../core/xml/index.ts';
import { alloyConfigSchema, mappingFor } from '../../connectors/alloy/config.ts';
import { itemFieldsFromXml } from '../../connectors/alloy/attributes.ts';
import { alloyExample, EXAMPLE_CONFIG } from '../helpers/example-backoffices.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { mostOptions, sampleInput } from './variants.ts';

const { serviceBindings } = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as { serviceBindings: Record<string, string[]> };
// The secrets and URL come from the environment when the hub runs; stand-ins let the connector's own schema read the rest.
const config = alloyConfigSchema.parse({
  ...alloyExample,
  baseUrl: 'https://api.uk.alloyapp.io',
  apiKey: 'an-alloy-api-key',
  inbound: { ...alloyExample.inbound, secret: 'a-long-random-events-secret' },
});
const { services } = loadServiceFiles('config/services', { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: resolve('config/xsd') });
const toAlloy = services.map((s) => s.definition).filter((d) => serviceBindings[d.id]?.includes('alloy-envhealth'));

/** The library's services (issue 20). */
const LIBRARY = [
  'dog-fouling',
  'stray-dog',
  'bonfire-smoke',
  'dead-animal',
  'abandoned-vehicle',
  'rented-home-disrepair',
  'food-poisoning',
  'rubbish-private-land',
  // The second batch: nuisance, housing, drains and air.
  'odour-nuisance',
  'light-nuisance',
  'filthy-verminous-premises',
  'blocked-drain',
  'business-air-pollution',
  // The second batch: registrations and requests with fees.
  'food-business-registration',
  'skin-piercing-registration',
  'contaminated-land-enquiry',
  'private-water-supply',
];

describe('the Alloy example binding', () => {
  test('binds the library to Alloy', () => {
    for (const id of LIBRARY)
      assert.ok(
        toAlloy.some((d) => d.id === id),
        `${id} goes to Alloy`,
      );
    for (const id of toAlloy.map((d) => d.id)) assert.ok(config.services[id], `${id} has its own attributes`);
    for (const def of LIBRARY.map((id) => toAlloy.find((d) => d.id === id)!))
      assert.ok(mappingFor(config, def.id).geometry, `${def.id} puts its item on the map`);
  });

  for (const def of toAlloy) {
    test(`${def.id}: every attribute is found in the XML, every lookup has a code, and the geometry finds its point`, () => {
      const mapping = mappingFor(config, def.id);
      const compiled = compileMapping(def.xml!.mapping);
      const found = new Set<string>();
      let located = 0;
      for (let variant = 0; variant < mostOptions(def); variant++) {
        const fields = itemFieldsFromXml(buildXmlString(compiled, sampleInput(def, variant)), mapping, config.namespaces);
        for (const a of fields.attributes) found.add(a.attributeCode);
        if (fields.geometry) located++;
      }
      assert.deepEqual(
        mapping.attributes.map((a) => a.attributeCode).filter((code) => !found.has(code)),
        [],
        `${def.id}: attributes whose XPath never finds a value`,
      );
      // A point wherever the answers carry one (food poisoning has one only when a business is named).
      if (mapping.geometry) assert.ok(located > 0, `${def.id}: the geometry's XPaths find the coordinates`);
    });
  }
});
