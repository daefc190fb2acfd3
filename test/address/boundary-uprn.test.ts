// Issue 19, a place given to the API only as a UPRN: a location answer's chosen nearest address (no pin), or an address
// answer carrying just its UPRN, is placed by the gazetteer's coordinates BEFORE the boundary check, so a UPRN whose
// address is in the neighbour's area is refused with the 422 that coordinates there get, and nothing is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { addressFinder, importGazetteer, wgs84ToGrid } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';
import { locationConfig, MILLBECK_1, SERVICE, type LocationConfig } from '../forms/location-support.ts';

// A row added to the example gazetteer for the test: an address across the border, in Neighbour Borough's area.
const BORDER_UPRN = '990000999001';
const IN_NEIGHBOUR_BOROUGH = wgs84ToGrid({ latitude: 52.636, longitude: -1.17 });

describe('a place given only as a UPRN is checked against the boundary', () => {
  let lc: LocationConfig;
  let t: TestHub;
  before(async () => {
    lc = locationConfig();
    t = await startTestHub({ configFile: lc.configFile });
    const council = t.config.council.id;
    await addressFinder(t.hub, council); // seeds the example list first, so the import below replaces it for good
    const example = await readFile('config/gazetteer/example.csv', 'utf8');
    const row = `${BORDER_UPRN},9 Border Lane,,,Neighbourton,AA9 9AA,${IN_NEIGHBOUR_BOROUGH.easting.toFixed(2)},${IN_NEIGHBOUR_BOROUGH.northing.toFixed(2)}\n`;
    const report = await importGazetteer(t.hub.db.url, Readable.from([example.endsWith('\n') ? example : `${example}\n`, row]), {
      council,
      source: 'boundary-uprn test',
    });
    assert.equal(report.outcome, 'imported');
  });
  after(async () => {
    await t?.close();
    lc?.remove();
  });

  const post = (service: string, answers: Record<string, unknown>) =>
    fetch(`${t.url}/api/v1/services/${service}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
  const processCount = async () => Number((await t.hub.db.row<{ n: string }>('select count(*) as n from processes'))!.n);
  const message = 'Contact Neighbour Borough Council instead.';

  test("a location answer given only as the UPRN of an address in the neighbour's area: 422, nothing stored", async () => {
    const before = await processCount();
    const res = await post(SERVICE, { where: { uprn: BORDER_UPRN, description: 'On the verge' }, animal: 'Fox' });
    assert.equal(res.status, 422, 'refused like coordinates there are');
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { detail: string; errors: { field: string }[]; outsideArea: { contact: { name: string } } };
    // A location answer is a place, not an address: the message says so.
    assert.equal(problem.detail, `This place is not in Example District Council's area. ${message}`);
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ['where'],
    );
    assert.equal(problem.outsideArea.contact.name, 'Neighbour Borough Council');
    assert.equal(await processCount(), before);
  });

  test('a location answer given only as a UPRN in the area is taken, placed at that address', async () => {
    const res = await post(SERVICE, { where: { uprn: MILLBECK_1.uprn }, animal: 'Badger' });
    assert.equal(res.status, 201, await res.clone().text());
    const { processId } = (await res.json()) as { processId: string };
    const stored = await t.hub.db.row<{ answers: { where: Record<string, unknown> } }>('select answers from processes where id = $1', [processId]);
    const where = stored!.answers.where;
    assert.equal(where.easting, MILLBECK_1.easting);
    assert.equal(where.northing, MILLBECK_1.northing);
    assert.deepEqual((where.nearest as { uprn: string }).uprn, MILLBECK_1.uprn);
  });

  test('a pin in the area with a nearest UPRN across the border: the pin is the place, taken', async () => {
    const res = await post(SERVICE, { where: { easting: MILLBECK_1.easting, northing: MILLBECK_1.northing, uprn: BORDER_UPRN }, animal: 'Deer' });
    assert.equal(res.status, 201, await res.text());
  });

  test("an address answer given only as the UPRN of an address in the neighbour's area: 422, nothing stored", async () => {
    const before = await processCount();
    const res = await post('noise-complaint', noiseAnswers({ noiseSource: { uprn: BORDER_UPRN } }));
    assert.equal(res.status, 422);
    const problem = (await res.json()) as { detail: string; errors: { field: string }[] };
    assert.equal(problem.detail, `This address is not in Example District Council's area. ${message}`);
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ['noiseSource'],
    );
    assert.equal(await processCount(), before);
  });

  test('a UPRN nobody has is still the clear 422 it was', async () => {
    const res = await post(SERVICE, { where: { uprn: '990000999999' }, animal: 'Fox' });
    assert.equal(res.status, 422);
    const problem = (await res.json()) as { errors: { field: string; message: string }[] };
    assert.deepEqual(problem.errors, [{ field: 'where.uprn', message: 'No address has UPRN 990000999999' }]);
  });
});
