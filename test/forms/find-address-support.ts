// What the find-address tests expect of the example council's synthetic gazetteer (config/gazetteer/example.csv), and a
// hub whose address provider is down.
import { resolve } from 'node:path';
import { gridToWgs84 } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/** A postcode with more addresses than radios show (a select), and how many. */
export const MANY_POSTCODE = 'AA1 2BE';
export const MANY_COUNT = 44;
/** A real-looking postcode with no address in the gazetteer. */
export const EMPTY_POSTCODE = 'AA9 9ZZ';

const flat = { easting: 452302, northing: 304522 };
/** A flat at MANY_POSTCODE: its UPRN, its label in the list, what the confirm page shows, check your answers and the answer stored. */
export const ADDRESS = {
  uprn: '990000100175',
  label: 'Flat 1, Old Mill House, 2 Old Wharf Street, Exampleton, AA1 2BE',
  shown: ['Flat 1', 'Old Mill House', '2 Old Wharf Street', 'Exampleton', 'AA1 2BE'],
  checked: 'Flat 1<br>Old Mill House, 2 Old Wharf Street<br>Exampleton<br>AA1 2BE',
  answer: {
    uprn: '990000100175',
    line1: 'Flat 1',
    line2: 'Old Mill House, 2 Old Wharf Street',
    town: 'Exampleton',
    postcode: 'AA1 2BE',
    ...flat,
    ...gridToWgs84(flat),
  },
};
/** Found by postcode and building number: the only one, so offered as radios. */
export const BUILDING_ADDRESS = { uprn: '990000100007', postcode: 'AA1 1AB', building: '7' };

const UNAVAILABLE_PROVIDER = resolve('test/fixtures/address/unavailable-provider.ts');

/** Runs `fn` against a hub of the example council whose address provider cannot answer (its service is down). */
export async function withProviderDown(fn: (down: TestHub) => Promise<void>): Promise<void> {
  const down = await startTestHub({
    configure(config) {
      config.plugins.push(UNAVAILABLE_PROVIDER);
      config.council.address = { provider: 'unavailable-places', config: {}, maxResults: 100, timeoutMs: 5000, nearestMetres: 250 };
    },
  });
  try {
    await fn(down);
  } finally {
    await down.close();
  }
}
