// Issue 19: a location answer resolved against the council's address finder (core/processes/resolve-locations.ts),
// without a hub: both coordinate systems filled in, places off Great Britain refused, the nearest address always the
// finder's, a chosen UPRN checked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FoundAddress } from '@closeloop/sdk';
import { gridToWgs84, type AddressFinder } from '../../core/address/index.ts';
import { nearestOf, resolveLocation } from '../../core/processes/resolve-locations.ts';

const HOME: FoundAddress = {
  uprn: '990000100001',
  lines: ['1 Millbeck Road'],
  town: 'Exampleton',
  postcode: 'AA1 1AB',
  easting: 452110.95,
  northing: 304189.75,
  ...gridToWgs84({ easting: 452110.95, northing: 304189.75 }),
  label: '1 Millbeck Road, Exampleton, AA1 1AB',
};

function finder(calls: string[] = []): () => Promise<AddressFinder> {
  return async () => ({
    byPostcode: async () => [],
    search: async () => [],
    byUprn: async (uprn) => (calls.push(`uprn ${uprn}`), uprn === HOME.uprn ? HOME : undefined),
    nearest: async (p) => (
      calls.push(`nearest ${p.easting},${p.northing}`),
      Math.hypot(p.easting - HOME.easting, p.northing - HOME.northing) < 250 ? HOME : undefined
    ),
  });
}

describe('resolving a location answer', () => {
  test('a latitude/longitude gets its grid point and the nearest address (what the client said is ignored)', async () => {
    const calls: string[] = [];
    const at = gridToWgs84({ easting: 452100, northing: 304180 });
    const r = await resolveLocation('where', { ...at, description: 'Verge', nearest: { label: 'Forged' } }, finder(calls));
    assert.ok('answer' in r);
    assert.ok(Math.hypot(r.answer.easting - 452100, r.answer.northing - 304180) < 0.1);
    assert.deepEqual(r.answer.nearest, { uprn: HOME.uprn, label: HOME.label, street: 'Millbeck Road' });
    assert.equal(r.answer.description, 'Verge');
    assert.equal(calls.length, 1);
  });

  test('far from every address: no nearest', async () => {
    const r = await resolveLocation('where', { easting: 300000, northing: 300000 }, finder());
    assert.ok('answer' in r);
    assert.equal(r.answer.nearest, undefined);
    assert.equal(r.answer.latitude, gridToWgs84({ easting: 300000, northing: 300000 }).latitude);
  });

  test('off Great Britain, or two different places, refused', async () => {
    const paris = await resolveLocation('where', { latitude: 48.85, longitude: 2.35 }, finder());
    assert.deepEqual(paris, { error: { field: 'where.latitude', message: 'The latitude and longitude are not a place in Great Britain' } });
    const sea = await resolveLocation('where', { latitude: 49.1, longitude: -8.9 }, finder());
    assert.deepEqual(sea, { error: { field: 'where.latitude', message: 'The latitude and longitude are not a place in Great Britain' } });
    const two = await resolveLocation('where', { easting: 452100, northing: 304180, ...gridToWgs84({ easting: 452300, northing: 304180 }) }, finder());
    assert.deepEqual(two, { error: { field: 'where.latitude', message: 'The latitude and longitude are not the same place as the easting and northing' } });
  });

  test('a chosen UPRN is the place; a forged one is refused', async () => {
    const chosen = await resolveLocation('where', { uprn: HOME.uprn, description: 'By the gate' }, finder());
    assert.ok('answer' in chosen);
    assert.deepEqual({ easting: chosen.answer.easting, northing: chosen.answer.northing }, { easting: HOME.easting, northing: HOME.northing });
    assert.equal(chosen.answer.nearest?.uprn, HOME.uprn);
    assert.deepEqual(await resolveLocation('where', { uprn: '1' }, finder()), { error: { field: 'where.uprn', message: 'No address has UPRN 1' } });
  });

  test('the street of an address: its last line without the house number', () => {
    assert.equal(nearestOf({ ...HOME, lines: ['Flat 2', '12A Mill Lane'] }).street, 'Mill Lane');
    assert.equal(nearestOf({ ...HOME, lines: ['Rose Cottage', 'Church Road'] }).street, 'Church Road');
    assert.equal(nearestOf({ ...HOME, lines: ['10-12 High Street'] }).street, 'High Street');
  });
});
