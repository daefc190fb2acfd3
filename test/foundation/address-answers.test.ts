// Issue 19, address answers through the API: a UPRN is checked against the council's gazetteer (a forged one is a 422
// naming it; a real one brings the gazetteer's lines and coordinates, and may be sent alone); coordinates must be in
// Great Britain; an address given only a grid point gets its latitude/longitude, and the other way round; the provider
// down is a 503, never a 500. Nothing is stored for a refused submission.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';
import { sampleAnswers } from '../../core/services/sample-answers.ts';
import { gridToWgs84, wgs84ToGrid } from '../../core/address/index.ts';
import { ADDRESS, withProviderDown } from '../forms/find-address-support.ts';

interface Problem {
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

describe('address answers through the API', () => {
  let t: TestHub;
  before(async () => {
    // Without the example council's boundary, which would refuse a point far outside Exampleton before these checks
    // (the boundary's own tests: test/address/boundary-*.test.ts).
    t = await startTestHub({ configure: (c) => void delete (c.council as { boundary?: unknown }).boundary });
  });
  after(async () => {
    await t?.close();
  });

  async function post(service: string, answers: Record<string, unknown>): Promise<{ status: number; body: Problem & { processId?: string } }> {
    const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    return { status: res.status, body: (await res.json()) as Problem & { processId?: string } };
  }

  async function storedAnswer(processId: string, field: string): Promise<Record<string, unknown>> {
    const row = await t.hub.db.row<{ answers: Record<string, Record<string, unknown>> }>('select answers from processes where id = $1', [processId]);
    return row!.answers[field]!;
  }

  const processCount = async () => (await t.hub.db.row<{ n: number }>('select count(*)::int as n from processes'))!.n;

  /** Fly-tipping answers (its location may be a point alone) with the location given. */
  function flyTipping(location: Record<string, unknown>): Record<string, unknown> {
    return { ...sampleAnswers(t.hub.catalogue.get('fly-tipping').definition), location };
  }

  test('a forged or malformed UPRN is a 422 naming it, and nothing is stored', async () => {
    const before = await processCount();
    const forged = await post('noise-complaint', noiseAnswers({ noiseSource: { uprn: '999999999999', line1: '1 Nowhere', postcode: 'EX1 1AA' } }));
    assert.equal(forged.status, 422, JSON.stringify(forged.body));
    assert.deepEqual(forged.body.errors, [{ field: 'noiseSource.uprn', message: 'No address has UPRN 999999999999' }]);
    const malformed = await post('noise-complaint', noiseAnswers({ noiseSource: { uprn: '12ab' } }));
    assert.equal(malformed.status, 422);
    assert.deepEqual(malformed.body.errors, [{ field: 'noiseSource.uprn', message: 'UPRN must be 1 to 12 digits' }]);
    assert.equal(await processCount(), before);
  });

  test("a real UPRN brings the gazetteer's address and coordinates, replacing what was sent; it may come alone", async () => {
    const alone = await post('noise-complaint', noiseAnswers({ noiseSource: { uprn: ADDRESS.uprn } }));
    assert.equal(alone.status, 201, JSON.stringify(alone.body));
    assert.deepEqual(await storedAnswer(alone.body.processId!, 'noiseSource'), ADDRESS.answer);
    // The form copy the back office and staff read names the UPRN with the address.
    const copy = await t.hub.db.row<{ content: Buffer }>(`select content from documents where process_id = $1 and kind = 'form-html'`, [alone.body.processId]);
    assert.match(
      copy!.content.toString('utf8'),
      new RegExp(`Flat 1<br>Old Mill House, 2 Old Wharf Street<br>Exampleton<br>AA1 2BE<br>UPRN ${ADDRESS.uprn}<br>Easting`),
    );
    const mismatched = await post(
      'noise-complaint',
      noiseAnswers({ noiseSource: { uprn: ADDRESS.uprn, line1: 'Somewhere else', postcode: 'EX9 9ZZ', easting: 1, northing: 1 } }),
    );
    assert.equal(mismatched.status, 201, JSON.stringify(mismatched.body));
    assert.deepEqual(await storedAnswer(mismatched.body.processId!, 'noiseSource'), ADDRESS.answer);
  });

  test('a grid point alone gets its latitude and longitude; latitude and longitude alone get the grid point', async () => {
    const grid = { easting: 452110.95, northing: 304189.75 };
    const fromGrid = await post('fly-tipping', flyTipping(grid));
    assert.equal(fromGrid.status, 201, JSON.stringify(fromGrid.body));
    const filled = await storedAnswer(fromGrid.body.processId!, 'location');
    const expected = gridToWgs84(grid);
    assert.ok(
      Math.abs((filled.latitude as number) - expected.latitude) < 1e-5 && Math.abs((filled.longitude as number) - expected.longitude) < 1e-5,
      JSON.stringify(filled),
    );

    const point = { latitude: 52.6359, longitude: -1.2286 };
    const fromWgs84 = await post('fly-tipping', flyTipping(point));
    assert.equal(fromWgs84.status, 201, JSON.stringify(fromWgs84.body));
    const gridded = await storedAnswer(fromWgs84.body.processId!, 'location');
    const expectedGrid = wgs84ToGrid(point);
    assert.ok(
      Math.hypot((gridded.easting as number) - expectedGrid.easting, (gridded.northing as number) - expectedGrid.northing) < 0.2,
      JSON.stringify(gridded),
    );
  });

  test('coordinates out of range, outside Great Britain or disagreeing with each other are each a clear 422', async () => {
    const before = await processCount();
    const cases: [Record<string, unknown>, { field: string; message: string }][] = [
      [
        { latitude: 95, longitude: 0 },
        { field: 'location.latitude', message: 'Latitude must be a number between 49 and 61' },
      ],
      [
        { easting: -5, northing: 100 },
        { field: 'location.easting', message: 'Easting must be a number between 0 and 700000' },
      ],
      [
        { easting: 'far', northing: 100 },
        { field: 'location.easting', message: 'Easting must be a number between 0 and 700000' },
      ],
      [
        { latitude: 50, longitude: -8.9 },
        { field: 'location.latitude', message: 'The latitude and longitude are not a place in Great Britain' },
      ],
      [
        { easting: 452110.95, northing: 304189.75, latitude: 52.64, longitude: -1.21 },
        { field: 'location.latitude', message: 'The latitude and longitude are not the same place as the easting and northing' },
      ],
    ];
    for (const [location, error] of cases) {
      const res = await post('fly-tipping', flyTipping(location));
      assert.equal(res.status, 422, JSON.stringify(location));
      assert.deepEqual(res.body.errors, [error], JSON.stringify(location));
    }
    assert.equal(await processCount(), before);
  });

  test('the address provider down: a UPRN cannot be checked, 503 with Retry-After; an address without one is accepted', async () => {
    await withProviderDown(async (down) => {
      const submit = (answers: Record<string, unknown>) =>
        fetch(`${down.url}/api/v1/services/noise-complaint/submissions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers }),
        });
      const res = await submit(noiseAnswers({ noiseSource: { uprn: ADDRESS.uprn } }));
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.ok(res.headers.get('retry-after'));
      assert.match(((await res.json()) as Problem).detail ?? '', /Addresses cannot be checked at the moment/);
      assert.equal((await down.hub.db.row<{ n: number }>('select count(*)::int as n from processes'))!.n, 0, 'nothing stored');
      assert.equal((await submit(noiseAnswers())).status, 201, 'an address without a UPRN needs no lookup');
    });
  });
});
