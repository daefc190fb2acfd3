// The address finder through a real hub on a test database: the example council's gazetteer (seeded from
// config/gazetteer/example.csv when empty) by postcode, building, text, UPRN and distance; a third-party provider
// loaded through `plugins:` with the finder's result limit and time limit applied to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { addressFinder, AddressProviderUnavailable, type AddressFinder } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { calls } from '../fixtures/address/fixture-provider.ts';

const FIXTURE_PROVIDER = resolve('test/fixtures/address/fixture-provider.ts');
const address = (provider: string, config: Record<string, unknown>, limits: { maxResults?: number; timeoutMs?: number } = {}) => ({
  provider,
  config,
  maxResults: limits.maxResults ?? 100,
  timeoutMs: limits.timeoutMs ?? 5000,
  nearestMetres: 250,
});

let t: TestHub;
let gazetteer: AddressFinder;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('address/finder', () => {
  before(async () => {
    t = await startTestHub({
      configure(config) {
        config.plugins.push(FIXTURE_PROVIDER);
        config.councils.north = { name: 'North Borough Council', address: address('fixture-places', { results: 10 }, { maxResults: 3 }) };
        config.councils.slow = { name: 'Slow District Council', address: address('fixture-places', { delayMs: 2000 }, { timeoutMs: 200 }) };
      },
    });
    gazetteer = await addressFinder(t.hub, t.config.council.id);
  });
  after(async () => {
    await t?.close();
  });

  describe("the example council's gazetteer", () => {
    test('is seeded once from the synthetic CSV, and the finder is made once per hub and council', async () => {
      const [{ count }] = (await t.hub.db.rows<{ count: string }>(
        `select count(*)::text as count from gazetteer_addresses a join gazetteer_current c using (generation) where c.council = $1`,
        [t.config.council.id],
      )) as [{ count: string }];
      assert.equal(count, '190');
      assert.equal(await addressFinder(t.hub, t.config.council.id), gazetteer);
      const [{ imports }] = (await t.hub.db.rows<{ imports: string }>(`select count(*)::text as imports from gazetteer_imports`)) as [{ imports: string }];
      assert.equal(imports, '1');
    });

    test('finds the addresses at a postcode in street-number order, each with UPRN, lines and both kinds of coordinates', async () => {
      const found = await gazetteer.byPostcode('AA1 1AB');
      assert.equal(found.length, 22);
      assert.deepEqual(
        found.slice(0, 3).map((a) => a.label),
        ['1 Millbeck Road, Exampleton, AA1 1AB', '2 Millbeck Road, Exampleton, AA1 1AB', '3 Millbeck Road, Exampleton, AA1 1AB'],
      );
      const first = found[0]!;
      assert.deepEqual(
        { uprn: first.uprn, lines: first.lines, town: first.town, postcode: first.postcode, easting: first.easting, northing: first.northing },
        { uprn: '990000100001', lines: ['1 Millbeck Road'], town: 'Exampleton', postcode: 'AA1 1AB', easting: 452110.95, northing: 304189.75 },
      );
      // About 52.63° N, 1.23° W: the made-up town sits where the CSV's grid references are.
      assert.ok(Math.abs(first.latitude - 52.63) < 0.02 && Math.abs(first.longitude + 1.23) < 0.02, `${first.latitude}, ${first.longitude}`);
      assert.deepEqual(await gazetteer.byPostcode('AA9 9ZZ'), []);
    });

    test('a building number or name narrows the list', async () => {
      assert.deepEqual(
        (await gazetteer.byPostcode('AA1 1AB', ' 7 ')).map((a) => a.label),
        ['7 Millbeck Road, Exampleton, AA1 1AB'],
      );
      const flats = await gazetteer.byPostcode('AA1 2BE', 'old mill house');
      assert.equal(flats.length, 12);
      assert.deepEqual(flats[0]!.lines, ['Flat 1', 'Old Mill House', '2 Old Wharf Street']);
      assert.deepEqual(flats[1]!.lines[0], 'Flat 2', 'flats in number order, not 1, 10, 11');
      assert.equal((await gazetteer.byPostcode('AA1 1AB', '%_')).length, 22, 'punctuation narrows nothing (and is no LIKE wildcard)');
      assert.deepEqual(await gazetteer.byPostcode('AA1 1AB', '999'), []);
    });

    test('wants a normalised postcode (callers use normalisePostcode on what citizens type)', async () => {
      await assert.rejects(gazetteer.byPostcode('aa11ab'), TypeError);
    });

    test('searches text by trigram similarity, best first', async () => {
      const found = await gazetteer.search('5 tanners row');
      assert.equal(found[0]!.label, "5 Tanner's Row, Exampleton, AA1 2BE");
      assert.equal((await gazetteer.search('ferryman inn'))[0]!.lines[0], 'The Ferryman Inn');
      assert.deepEqual(await gazetteer.search('   '), []);
    });

    test('looks up a UPRN; a forged or malformed one finds nothing', async () => {
      assert.equal((await gazetteer.byUprn('990000100045'))?.label, "1 Tanner's Row, Exampleton, AA1 2BE");
      assert.equal(await gazetteer.byUprn('990000999999'), undefined);
      assert.equal(await gazetteer.byUprn("1' or '1'='1"), undefined);
      assert.equal(await gazetteer.byUprn('1234567890123'), undefined);
    });

    test('finds the nearest address to a point within the council’s distance, nothing farther or off the grid', async () => {
      assert.equal((await gazetteer.nearest({ easting: 452113, northing: 304187 }))?.uprn, '990000100001');
      assert.equal(await gazetteer.nearest({ easting: 452113, northing: 309000 }), undefined);
      assert.equal(await gazetteer.nearest({ easting: -5, northing: 304187 }), undefined);
      assert.equal(await gazetteer.nearest({ easting: Number.NaN, northing: 304187 }), undefined);
    });
  });

  describe('a third-party provider through the finder', () => {
    test('gets the council, its validated config and the limit; the finder keeps to maxResults', async () => {
      const north = await addressFinder(t.hub, 'north');
      assert.deepEqual(
        calls.filter((c) => c.method === 'open' && c.council === 'north'),
        [{ method: 'open', council: 'north', args: [{ results: 10, delayMs: 0 }] }],
        'opened once, with its config parsed by its schema',
      );
      const found = await north.byPostcode('AA9 9ZZ', '  Flat   2 ');
      assert.equal(found.length, 3);
      assert.deepEqual(calls.at(-1), { method: 'byPostcode', council: 'north', args: ['AA9 9ZZ', { building: 'Flat 2', limit: 3 }] });
      assert.equal((await north.search('fixture')).length, 3);
      assert.equal((await north.byUprn('101'))?.uprn, '101');
      assert.equal(await north.nearest({ easting: 452000, northing: 304000 }), undefined, 'the provider has no nearest()');
    });

    test('a provider that does not answer in time is unavailable', async () => {
      const slow = await addressFinder(t.hub, 'slow');
      const started = Date.now();
      await assert.rejects(slow.byPostcode('AA9 9ZZ'), (err: unknown) => {
        assert.ok(err instanceof AddressProviderUnavailable);
        assert.match(err.message, /fixture-places did not answer a postcode lookup within 200 ms/);
        return true;
      });
      assert.ok(Date.now() - started < 1500);
    });

    test('an unknown council is an error', async () => {
      await assert.rejects(addressFinder(t.hub, 'nowhere'), /there is no council "nowhere"/);
    });
  });
});
