// Issue 19: a location answer's parts in the XML mapping (`where.easting` … `where.nearest.uprn`, two levels deep), and
// the Alloy connector's geometry XPaths reading the elements they fill (latitude/longitude, or easting/northing).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildXmlString, compileMapping, XmlMappingError } from '../../core/xml/index.ts';
import { gridToWgs84 } from '../../core/address/index.ts';
import { itemFieldsFromXml } from '../../connectors/alloy/attributes.ts';

const NS = 'urn:test:place';
const at = { easting: 452105.95, northing: 304181.75 };
const answer = {
  ...at,
  ...gridToWgs84(at),
  description: 'On the verge',
  nearest: { uprn: '990000100001', label: '1 Millbeck Road, Exampleton, AA1 1AB', street: 'Millbeck Road' },
};
const input = {
  process: {
    id: '00000000-0000-4000-8000-000000000000',
    reference: 'DAN-ABCD2345',
    serviceId: 'dead-animal',
    serviceVersion: 1,
    submittedAt: '2026-12-04T10:00:00.000Z',
  },
  answers: { where: answer },
  documents: [],
};
const parts = ['easting', 'northing', 'latitude', 'longitude', 'description', 'nearest.uprn', 'nearest.label', 'nearest.street'];
const mapping = compileMapping({
  root: 'Place',
  namespace: NS,
  children: parts.map((p) => ({ element: p.replace('.', '_'), value: { answer: `where.${p}` } })),
});

describe('a location answer in the XML and in Alloy', () => {
  test('every part, the nearest address two levels deep', () => {
    const xml = buildXmlString(mapping, input);
    const text = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
    assert.equal(Number(text('easting')), at.easting);
    assert.equal(Number(text('northing')), at.northing);
    assert.equal(Number(text('latitude')), answer.latitude);
    assert.equal(Number(text('longitude')), answer.longitude);
    assert.equal(text('description'), 'On the verge');
    assert.equal(text('nearest_uprn'), '990000100001');
    assert.equal(text('nearest_label'), '1 Millbeck Road, Exampleton, AA1 1AB');
    assert.equal(text('nearest_street'), 'Millbeck Road');
    // No nearest address (nothing within nearestMetres): its elements are left out.
    const without = buildXmlString(mapping, { ...input, answers: { where: { ...answer, nearest: undefined } } });
    assert.ok(!without.includes('nearest_uprn'));
  });

  test('a path deeper than two parts is a mapping error', () => {
    assert.throws(() => compileMapping({ root: 'Place', children: [{ element: 'X', value: { answer: 'where.nearest.uprn.more' } }] }), XmlMappingError);
  });

  test("Alloy's geometry XPaths: latitude/longitude, or easting/northing converted", () => {
    const xml = buildXmlString(mapping, input);
    const byWgs = itemFieldsFromXml(xml, { designCode: 'x', attributes: [], geometry: { latitude: '//p:latitude', longitude: '//p:longitude' } }, { p: NS });
    assert.deepEqual(byWgs.geometry, { type: 'Point', coordinates: [Math.round(answer.longitude * 1e6) / 1e6, Math.round(answer.latitude * 1e6) / 1e6] });
    const byGrid = itemFieldsFromXml(xml, { designCode: 'x', attributes: [], geometry: { easting: '//p:easting', northing: '//p:northing' } }, { p: NS });
    const [lon, lat] = byGrid.geometry!.coordinates;
    assert.ok(Math.abs(lon - answer.longitude) < 1e-5 && Math.abs(lat - answer.latitude) < 1e-5, JSON.stringify(byGrid.geometry));
  });
});

describe("the designer's XML rows", () => {
  test('offer each part of a location answer as a value source', async () => {
    const { answerOptions } = await import('../../core/http/staff/services/xml-row-form.ts');
    const options = answerOptions({ fields: [{ id: 'where', type: 'location', label: 'Where is it?' }] } as unknown as Parameters<typeof answerOptions>[0]);
    assert.deepEqual(
      options.map((o) => o.value),
      ['where', ...parts.map((p) => `where.${p}`)],
    );
    assert.ok(options.some((o) => o.text === 'Where is it?: UPRN of the nearest address'));
  });
});
