// What the find-address tests expect of the example council's synthetic gazetteer, in one place.
import type { TestHub } from '../helpers/hub.ts';

/** A postcode with more addresses than radios show, and how many. */
export const MANY_POSTCODE = 'EX1 1AA';
export const MANY_COUNT = 7;
/** A postcode with a few. */
export const FEW_POSTCODE = 'EX1 1AB';
export const FEW_COUNT = 2;
/** A real-looking postcode with no address in the gazetteer. */
export const EMPTY_POSTCODE = 'EX9 9ZZ';
/** One address at MANY_POSTCODE: its UPRN, what the confirm page shows, and the answer stored. */
export const ADDRESS = {
  uprn: '100000003',
  shown: ['3 Example Street', 'Exampleton', 'EX1 1AA'],
  answer: {
    uprn: '100000003',
    line1: '3 Example Street',
    town: 'Exampleton',
    postcode: 'EX1 1AA',
    easting: 530003,
    northing: 180000,
    latitude: 51.5,
    longitude: -0.12,
  },
};
/** An address found by postcode and building. */
export const BUILDING_ADDRESS = { uprn: '200000002', postcode: 'EX1 1AB', building: 'Flat 2' };

/** Runs `fn` while the council's address provider cannot answer. */
export async function providerDown(_t: TestHub, fn: () => Promise<void>): Promise<void> {
  process.env.STUB_ADDRESS_DOWN = '1';
  try {
    await fn();
  } finally {
    delete process.env.STUB_ADDRESS_DOWN;
  }
}
