// UK postcodes normalised by Royal Mail's rules, and British National Grid ↔ WGS84 checked against Ordnance Survey's
// published test points (OSTN15 developer pack, TP05 and TP20: OS data © Crown copyright and database rights 2016,
// OSI BSD licence): the Helmert shift lands within 5 m of OS's own transformation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gridToWgs84, isGridPointInGreatBritain, normalisePostcode, wgs84ToGrid } from '../../core/address/index.ts';

describe('normalisePostcode', () => {
  test('writes every outward-code shape the one way, GIR 0AA included', () => {
    const cases: [string, string][] = [
      ['sw1a2aa', 'SW1A 2AA'],
      ['  SW1A   2AA ', 'SW1A 2AA'],
      ['m11ae', 'M1 1AE'],
      ['B338TH', 'B33 8TH'],
      ['cr2 6xh', 'CR2 6XH'],
      ['DN551PT', 'DN55 1PT'],
      ['w1a0ax', 'W1A 0AX'],
      ['EC1A1BB', 'EC1A 1BB'],
      ['gir0aa', 'GIR 0AA'],
      ['aa1 1ab', 'AA1 1AB'],
    ];
    for (const [input, expected] of cases) assert.equal(normalisePostcode(input), expected, input);
  });

  test('refuses what is not a postcode', () => {
    for (const input of [
      '',
      'x',
      'SW1A',
      'SW1A 2A',
      'SW1A 2AAA',
      'Q1 1AA',
      'AZ1 1AA',
      'SW1A 2AC',
      'SW1A 2AI',
      '1AA 1AA',
      'SW1A-2AA',
      'S W 1 A 2 A A x',
      'GIR 0AB',
      'a'.repeat(5000),
    ])
      assert.equal(normalisePostcode(input), undefined, input);
    assert.equal(normalisePostcode(123 as unknown as string), undefined);
  });
});

describe('grid conversions', () => {
  // [latitude, longitude] in ETRS89 (WGS84 to well under a metre), and OS's OSGB36 grid reference for the point.
  const OS_POINTS = [
    { name: 'TP05 (the former OS headquarters, Southampton)', latitude: 50.9312793791, longitude: -1.450514337, easting: 438710.92, northing: 114792.25 },
    { name: 'TP20 (Yorkshire)', latitude: 53.8002151963, longitude: -1.66379168242, easting: 422242.186, northing: 433818.701 },
  ];

  for (const p of OS_POINTS) {
    test(`${p.name}: both ways within 5 m of Ordnance Survey's figures`, () => {
      const grid = wgs84ToGrid(p);
      assert.ok(Math.hypot(grid.easting - p.easting, grid.northing - p.northing) < 5, JSON.stringify(grid));
      const wgs = gridToWgs84(p);
      assert.ok(metresBetween(wgs, p) < 5, JSON.stringify(wgs));
    });
  }

  test('a round trip returns to the same point, to the centimetre', () => {
    const back = wgs84ToGrid(gridToWgs84({ easting: 452110.95, northing: 304189.75 }));
    assert.ok(Math.abs(back.easting - 452110.95) <= 0.02 && Math.abs(back.northing - 304189.75) <= 0.02, JSON.stringify(back));
  });

  test('isGridPointInGreatBritain refuses points off the grid and anything that is not a pair of numbers', () => {
    assert.equal(isGridPointInGreatBritain({ easting: 438710, northing: 114792 }), true);
    assert.equal(isGridPointInGreatBritain({ easting: 0, northing: 0 }), true);
    assert.equal(isGridPointInGreatBritain({ easting: 700_000, northing: 1_300_000 }), true);
    for (const p of [
      { easting: -1, northing: 100 },
      { easting: 100, northing: 1_300_001 },
      { easting: 700_001, northing: 100 },
      { easting: Number.NaN, northing: 100 },
      { easting: Infinity, northing: 100 },
      { easting: '438710', northing: 114792 },
      null,
      undefined,
    ])
      assert.equal(isGridPointInGreatBritain(p as never), false, JSON.stringify(p));
  });
});

function metresBetween(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (a.latitude - b.latitude) * rad;
  const dLon = (a.longitude - b.longitude) * rad * Math.cos(((a.latitude + b.latitude) / 2) * rad);
  return 6_371_000 * Math.hypot(dLat, dLon);
}
