// whereOf (core/boundary/where.ts): the place a case's answers give, in words for the "Where" section, and its point.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { whereOf } from '../../core/boundary/index.ts';
import type { Field } from '../../core/services/index.ts';

const fields = [
  { id: 'where', type: 'location', label: 'Where is it?' },
  { id: 'home', type: 'address', label: 'Your address' },
] as unknown as Field[];
const addressFirst = [
  { id: 'site', type: 'address', label: 'Where is the noise?' },
  { id: 'home', type: 'address', label: 'Your address' },
] as unknown as Field[];

describe('where a case happened', () => {
  test('an address: its lines and postcode, and its point', () => {
    const where = whereOf(addressFirst, {
      site: { line1: '1 Millbeck Road', line2: ' ', town: 'Exampleton', postcode: 'AA1 1AB', latitude: 52.6, longitude: -1.2 },
      home: { line1: '5 Kennel Row', postcode: 'EX2 5TT' },
    });
    assert.deepEqual(where, { lines: ['1 Millbeck Road', 'Exampleton', 'AA1 1AB'], point: { latitude: 52.6, longitude: -1.2 } });
  });

  test('a location: the description, then "Near" the nearest address', () => {
    const answers = {
      where: {
        latitude: 52.6,
        longitude: -1.2,
        easting: 452110,
        northing: 304189,
        description: 'On the verge',
        nearest: { label: '1 Millbeck Road, Exampleton' },
      },
    };
    assert.deepEqual(whereOf(fields, answers)?.lines, ['On the verge', 'Near 1 Millbeck Road, Exampleton']);
    const pinOnly = { where: { latitude: 52.6, longitude: -1.2 } };
    assert.deepEqual(whereOf(fields, pinOnly), { lines: ['Latitude 52.60000, longitude -1.20000'], point: { latitude: 52.6, longitude: -1.2 } });
  });

  test('no place answered, or nothing to show: undefined', () => {
    assert.equal(whereOf(fields, {}), undefined);
    assert.equal(whereOf(fields, { where: '[erased]' }), undefined);
    assert.equal(whereOf(addressFirst, { site: { line1: ' ' } }), undefined);
  });
});
