// Issue 19: the os-places address provider against the OS Places fake. Each method sends a request OS would accept
// (key in the `key` header, dataset, output_srs=EPSG:27700, the postcode/query/UPRN/point) and maps DPA and LPI records
// to one address per UPRN; every kind of outage is AddressProviderUnavailable with an operator's message, and the key
// is in no message and no log line.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AddressProviderUnavailable, type FoundAddress } from '@closeloop/sdk';
import { addressProvider } from '../../plugins/address/os-places/index.ts';
import { gridToLatLong } from '../../plugins/address/os-places/grid.ts';
import { startFakeOsPlaces, type FakeOsPlaces, type Failure } from '../fakes/os-places-api.ts';
import { capturingLogger, openProvider, type OsPlacesContext } from './os-places-context.ts';

const provider = addressProvider;

describe('os-places address provider', () => {
  let fake: FakeOsPlaces;
  let ctx: OsPlacesContext;
  const opened: OsPlacesContext[] = [];
  const open = async (raw: Record<string, unknown> = {}, log = capturingLogger()) => {
    const c = await openProvider({ key: fake.key, baseUrl: fake.url, allowPrivateNetwork: true, ...raw }, log);
    opened.push(c);
    return c;
  };

  before(async () => {
    fake = await startFakeOsPlaces();
    ctx = await open();
  });
  afterEach(() => {
    fake.failNext(0, 500);
  });
  after(async () => {
    for (const c of opened) await provider.close!(c.state);
    await fake.close();
  });

  const last = () => fake.requests.at(-1)!;
  const uprns = (list: FoundAddress[]) => list.map((a) => a.uprn);

  test('byPostcode: the request OS expects, one address per UPRN with DPA lines, coordinates in both systems', async () => {
    const found = await provider.byPostcode('EX3 1PL', { limit: 10 }, ctx);
    const seen = last();
    assert.equal(seen.resource, 'postcode');
    assert.equal(seen.method, 'GET');
    assert.equal(seen.keyVia, 'header', 'the key travels in the key header, never in the URL');
    assert.ok(seen.keyValid);
    assert.deepEqual(seen.params, { postcode: 'EX31PL', maxresults: '40', dataset: 'DPA,LPI', output_srs: 'EPSG:27700' });
    assert.equal(seen.status, 200);

    // Six properties; the historical LPI "1 ORCHARD LANE" and every LPI twin of a DPA are folded into one address.
    assert.deepEqual(uprns(found), ['100040000001', '100040000002', '100040000003', '100040000004', '100040000010', '100040000110']);
    const flat = found.find((a) => a.uprn === '100040000003')!;
    assert.deepEqual(
      { ...flat, latitude: undefined, longitude: undefined },
      {
        uprn: '100040000003',
        lines: ['FLAT 1', 'ROSE COURT', '3 ORCHARD WAY'],
        town: 'EXAMPLETON',
        postcode: 'EX3 1PL',
        easting: 292540.5,
        northing: 92485.25,
        latitude: undefined,
        longitude: undefined,
        label: 'FLAT 1, ROSE COURT, 3 ORCHARD WAY, EXAMPLETON, EX3 1PL',
      },
    );
    assert.deepEqual({ latitude: flat.latitude, longitude: flat.longitude }, gridToLatLong(292540.5, 92485.25));
    assert.ok(flat.latitude > 50.7 && flat.latitude < 50.75 && flat.longitude > -3.53 && flat.longitude < -3.48, `${flat.latitude},${flat.longitude}`);
    // PAF puts a building "name" that is a number with a letter on the street's line.
    assert.deepEqual(found.find((a) => a.uprn === '100040000010')!.lines, ['EXAMPLETON DENTAL PRACTICE', '10A ORCHARD WAY']);
    assert.deepEqual(found.find((a) => a.uprn === '100040000001')!.lines, ['1 ORCHARD WAY']);
  });

  test('byPostcode honours the limit, and asks for DPA only when the council chose it', async () => {
    assert.deepEqual(uprns(await provider.byPostcode('EX3 1PL', { limit: 2 }, ctx)), ['100040000001', '100040000002']);
    assert.equal(last().params.maxresults, '20');
    const dpaOnly = await open({ datasets: ['DPA'] });
    assert.equal((await provider.byPostcode('EX3 1PL', { limit: 10 }, dpaOnly)).length, 6);
    assert.equal(last().params.dataset, 'DPA');
    // A place without post is in the LPI only.
    assert.deepEqual(await provider.byPostcode('EX3 1PN', { limit: 10 }, dpaOnly), []);
  });

  test('an LPI-only place reads as BS 7666 gives it: building, number and street, locality', async () => {
    const [loo] = await provider.byPostcode('EX3 1PN', { limit: 10 }, ctx);
    assert.deepEqual(loo, {
      uprn: '10023400001',
      lines: ['PUBLIC CONVENIENCES', 'ORCHARD WAY', 'UPTON'],
      town: 'EXAMPLETON',
      postcode: 'EX3 1PN',
      easting: 292800,
      northing: 92600,
      ...gridToLatLong(292800, 92600),
      label: 'PUBLIC CONVENIENCES, ORCHARD WAY, UPTON, EXAMPLETON, EX3 1PN',
    });
    const lpiOnly = await open({ datasets: ['LPI'] });
    // Of a UPRN's LPIs the approved one wins over the historical one OS listed first.
    const [one] = await provider.byPostcode('EX3 1PL', { limit: 1 }, lpiOnly);
    assert.deepEqual(one!.lines, ['1 ORCHARD WAY']);
    const [dentist] = await provider.byPostcode('EX3 1PL', { limit: 10, building: '10a' }, lpiOnly);
    assert.deepEqual(dentist!.lines, ['EXAMPLETON DENTAL PRACTICE', '10A ORCHARD WAY']);
    assert.equal(last().params.dataset, 'LPI');
  });

  test('byPostcode with a building: a whole word of a line, over more than one OS page', async () => {
    assert.deepEqual(uprns(await provider.byPostcode('EX3 1PL', { limit: 10, building: '110' }, ctx)), ['100040000110']);
    assert.deepEqual(uprns(await provider.byPostcode('EX3 1PL', { limit: 10, building: 'rose court' }, ctx)), ['100040000003', '100040000004']);
    assert.deepEqual(uprns(await provider.byPostcode('EX3 1PL', { limit: 10, building: 'No such house' }, ctx)), []);
    const before = fake.requests.length;
    const [house] = await provider.byPostcode('EX3 9ZZ', { limit: 10, building: '140' }, ctx);
    assert.deepEqual(house!.lines, ['140 LONG ROW']);
    const pages = fake.requests.slice(before);
    assert.deepEqual(
      pages.map((r) => [r.params.offset, r.params.maxresults]),
      [
        [undefined, '40'],
        ['40', '100'],
        ['140', '100'],
        ['240', '100'],
      ],
      'the first page sized for 10 addresses, then OS pages of 100 to the end of the 300 records (150 DPA, 150 LPI)',
    );
  });

  test('byPostcode reads further pages until it has the addresses asked for, one per UPRN', async () => {
    const before = fake.requests.length;
    const found = await provider.byPostcode('EX3 9ZZ', { limit: 100 }, ctx);
    assert.equal(found.length, 100);
    assert.equal(new Set(uprns(found)).size, 100);
    assert.deepEqual(found[99]!.lines, ['100 LONG ROW']);
    assert.deepEqual(
      fake.requests.slice(before).map((r) => [r.params.offset, r.params.maxresults]),
      [
        [undefined, '100'],
        ['100', '100'],
      ],
    );
  });

  test('a postcode OS refuses (400) is no addresses, not an outage', async () => {
    assert.deepEqual(await provider.byPostcode('Q', { limit: 10 }, ctx), []);
    assert.equal(last().status, 400);
    assert.deepEqual(await provider.byPostcode('ZZ9 9ZZ', { limit: 10 }, ctx), []);
    assert.equal(last().status, 200);
  });

  test('search: free text through find, best match first', async () => {
    const found = await provider.search('dental practice orchard way', { limit: 3 }, ctx);
    const seen = last();
    assert.equal(seen.resource, 'find');
    assert.deepEqual(seen.params, { query: 'dental practice orchard way', maxresults: '20', dataset: 'DPA,LPI', output_srs: 'EPSG:27700' });
    assert.equal(found[0]!.uprn, '100040000010');
    assert.ok(found.length <= 3);
    const asked = fake.requests.length;
    assert.deepEqual(await provider.search('   ', { limit: 3 }, ctx), []);
    assert.equal(fake.requests.length, asked, 'nothing to search for: OS is not asked');
  });

  test('byUprn: the address, undefined for a UPRN OS does not hold, and no request for one that cannot be a UPRN', async () => {
    const found = await provider.byUprn('100040000020', ctx);
    assert.deepEqual(last().params, { uprn: '100040000020', dataset: 'DPA,LPI', output_srs: 'EPSG:27700' });
    assert.deepEqual(found?.lines, ['20 MILL ROAD', 'UPTON']);
    assert.equal(found?.postcode, 'EX3 2AB');
    assert.equal(await provider.byUprn('999999999999', ctx), undefined);
    assert.equal(last().status, 200);
    const asked = fake.requests.length;
    assert.equal(await provider.byUprn('12 OR 1=1', ctx), undefined);
    assert.equal(await provider.byUprn('1234567890123', ctx), undefined);
    assert.equal(fake.requests.length, asked);
  });

  test('nearest: the point to two decimals and the radius (at most 1,000 m); nothing close is undefined', async () => {
    const found = await provider.nearest!({ easting: 292541.004, northing: 92486.996 }, { maxMetres: 50 }, ctx);
    assert.deepEqual(last().params, { point: '292541,92487', radius: '50', dataset: 'DPA,LPI', output_srs: 'EPSG:27700' });
    assert.equal(found?.uprn, '100040000003');
    assert.equal(await provider.nearest!({ easting: 100000, northing: 100000 }, { maxMetres: 5000 }, ctx), undefined);
    assert.equal(last().params.radius, '1000');
    assert.equal(last().status, 200);
    assert.equal((await provider.nearest!({ easting: 292790, northing: 92600 }, { maxMetres: 20 }, ctx))?.uprn, '10023400001');
  });

  for (const [failure, message] of [
    [500, /^OS Places \(postcode\) is unavailable: it failed \(500\) \("The provided request resulted in an internal server error\."\)$/],
    [503, /it failed \(503\)/],
    [429, /limiting our requests \(429\), retry after 60 s .*rate limit/],
    ['timeout', /no answer within 300 ms/],
    ['reset', /could not reach 127\.0\.0\.1:\d+ \(ECONNRESET\)/],
  ] as [Failure, RegExp][]) {
    test(`an outage (${failure}) is AddressProviderUnavailable, and the key is in no message and no log line`, async () => {
      const log = capturingLogger();
      const quick = await open({ timeoutMs: 300 }, log);
      fake.failNext(1, failure);
      const err = await provider.byPostcode('EX3 1PL', { limit: 5 }, quick).then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof AddressProviderUnavailable, String(err));
      assert.match(err.message, message);
      assertNoKey(err, log.lines);
      assert.ok(log.lines.some((l) => l.includes('"level":"warn"') && l.includes('is unavailable')));
    });
  }

  test('a wrong key: 401, the message says what to check, and neither key is repeated', async () => {
    const log = capturingLogger();
    const wrong = await open({ key: 'wrongKey9876543210zyxwvut' }, log);
    const err = await provider.search('orchard', { limit: 5 }, wrong).catch((e: unknown) => e);
    assert.ok(err instanceof AddressProviderUnavailable);
    assert.match(err.message, /refused the API key \(401\) \("Missing or unsupported API key provided\."\); check the key/);
    assert.equal(last().status, 401);
    assert.equal(last().keyVia, 'header');
    for (const text of [err.message, ...log.lines]) assert.ok(!text.includes('wrongKey9876543210zyxwvut'), text);
  });

  test('OS unreachable, or a base URL the SSRF guard refuses: AddressProviderUnavailable naming what to fix', async () => {
    const port = await closedPort();
    const down = await open({ baseUrl: `http://127.0.0.1:${port}/search/places/v1` });
    await assert.rejects(provider.byUprn('100040000001', down), (e: Error) => e instanceof AddressProviderUnavailable && /ECONNREFUSED/.test(e.message));
    const guarded = await open({ allowPrivateNetwork: false });
    await assert.rejects(
      provider.byUprn('100040000001', guarded),
      (e: Error) => e instanceof AddressProviderUnavailable && /loopback, private or link-local.*allowPrivateNetwork/.test(e.message),
    );
  });

  test('an answer that is not OS Places JSON is an outage, not a crash', async () => {
    const { createServer: createHttp } = await import('node:http');
    for (const body of ['<html>gateway</html>', '{"results":[]}']) {
      const server = createHttp((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(body));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const odd = await open({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/search/places/v1` });
      await assert.rejects(
        provider.byPostcode('EX3 1PL', { limit: 5 }, odd),
        (e: Error) => e instanceof AddressProviderUnavailable && /not JSON|not an OS Places answer/.test(e.message),
      );
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('config: the key is required, datasets are DPA and/or LPI once each, the base URL is http(s)', () => {
    const problems = (raw: Record<string, unknown>) => addressProvider.configSchema.safeParse(raw).error?.issues.map((i) => i.path.join('.')) ?? [];
    assert.deepEqual(problems({}), ['key']);
    assert.deepEqual(problems({ key: 'has a space in it' }), ['key']);
    assert.deepEqual(problems({ key: fake.key, datasets: ['DPA', 'DPA'] }), ['datasets']);
    assert.deepEqual(problems({ key: fake.key, datasets: ['PAF'] }), ['datasets.0']);
    assert.deepEqual(problems({ key: fake.key, baseUrl: 'ftp://example.org/' }), ['baseUrl']);
    assert.deepEqual(problems({ key: fake.key, extra: 1 }), ['']);
    const defaults = addressProvider.configSchema.parse({ key: fake.key });
    assert.deepEqual(
      { baseUrl: defaults.baseUrl, datasets: defaults.datasets, timeoutMs: defaults.timeoutMs },
      { baseUrl: 'https://api.os.uk/search/places/v1', datasets: ['DPA', 'LPI'], timeoutMs: 4000 },
    );
  });

  function assertNoKey(err: Error, lines: string[]) {
    const texts = [err.message, String(err.stack), String((err.cause as Error | undefined)?.message ?? ''), ...lines];
    for (const text of texts) assert.ok(!text.includes(fake.key), `the key appears in: ${text}`);
  }
});

describe('British National Grid to WGS84', () => {
  test('within a few metres of the latitude and longitude OS gives for the same point', () => {
    // OS Places' own answer for a London DPA record: X 533813, Y 181262 ↔ 51.5144547, -0.0729933.
    const { latitude, longitude } = gridToLatLong(533813, 181262);
    const metres = Math.hypot((latitude - 51.5144547) * 111_200, (longitude + 0.0729933) * 111_200 * Math.cos((51.51 * Math.PI) / 180));
    assert.ok(metres < 6, `${metres.toFixed(1)} m apart`);
  });
});

describe('the OS Places fake', () => {
  let fake: FakeOsPlaces;
  before(async () => {
    fake = await startFakeOsPlaces();
  });
  after(() => fake.close());

  const get = async (query: string, key: string | null = fake.key, via: 'header' | 'query' = 'header') => {
    const url = `${fake.url}/${query}${key && via === 'query' ? `&key=${key}` : ''}`;
    const res = await fetch(url, { headers: key && via === 'header' ? { key } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  test('enforces the key, in the header or the query, with 401 in OS shape', async () => {
    assert.deepEqual(await get('postcode?postcode=EX31PL', null), {
      status: 401,
      body: { error: { statuscode: 401, message: 'Missing or unsupported API key provided.' } },
    });
    assert.equal((await get('postcode?postcode=EX31PL', 'nope')).status, 401);
    const viaQuery = await get('postcode?postcode=EX31PL', fake.key, 'query');
    assert.equal(viaQuery.status, 200);
    assert.equal(fake.requests.at(-1)!.keyVia, 'query');
    assert.ok(!('key' in fake.requests.at(-1)!.params));
    // Like OS, it echoes the URI asked for: a key sent in the query string comes back in the answer.
    assert.ok(String(viaQuery.body.header.uri).includes(fake.key));
  });

  test('checks parameters as OS documents them, with 400 in OS shape', async () => {
    for (const query of [
      'postcode?postcode=Q',
      'postcode?postcode=EX31PL&dataset=PAF',
      'postcode?postcode=EX31PL&output_srs=EPSG:9999',
      'postcode?postcode=EX31PL&lr=FR',
      'postcode?postcode=EX31PL&maxresults=101',
      'postcode?postcode=EX31PL&maxresults=0',
      'postcode?postcode=EX31PL&offset=-1',
      'postcode?postcode=EX31PL&colour=red',
      'find?maxresults=5',
      'uprn?uprn=12a',
      'nearest?point=292541,92486,1',
      'nearest?point=292541.123,92486',
      'nearest?point=292541,92486&radius=1000.5',
    ]) {
      const { status, body } = await get(query);
      assert.equal(status, 400, query);
      assert.equal(body.error?.statuscode, 400, query);
      assert.equal(typeof body.error?.message, 'string', query);
    }
    assert.equal((await get('nearest?point=292541,92486&radius=1000')).status, 200);
    assert.equal((await get('places?postcode=EX31PL')).status, 404);
  });

  test('answers with OS header fields, and leaves results out when nothing matched', async () => {
    const { body } = await get('postcode?postcode=EX3%201PL&dataset=DPA&maxresults=2&offset=1');
    assert.deepEqual(
      { ...body.header, uri: undefined },
      {
        uri: undefined,
        query: 'postcode=EX3 1PL',
        offset: 1,
        totalresults: 6,
        format: 'JSON',
        dataset: 'DPA',
        lr: 'EN,CY',
        maxresults: 2,
        epoch: '117',
        lastupdate: '2025-11-20',
        output_srs: 'EPSG:27700',
      },
    );
    assert.deepEqual(
      body.results.map((r: { DPA: { UPRN: string } }) => r.DPA.UPRN),
      ['100040000002', '100040000003'],
    );
    assert.equal(body.results[1].DPA.ADDRESS, 'FLAT 1, ROSE COURT, 3, ORCHARD WAY, EXAMPLETON, EX3 1PL');
    const none = await get('uprn?uprn=999999999999');
    assert.equal(none.body.header.totalresults, 0);
    assert.ok(!('results' in none.body));
  });
});

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
