// Issue 19: a council configured for os-places in closeloop.yaml — the key as `{ env: OS_PLACES_API_KEY }` — answers
// through the hub's address finder from the OS Places fake: the fake sees the key in its header and well-formed
// requests, an OS outage reaches the caller as AddressProviderUnavailable (pages offer manual entry), and check-config
// names the file, line and field of a key that is not set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { addressFinder, AddressProviderUnavailable, type AddressFinder } from '../../core/address/index.ts';
import { checkConfig } from '../../core/check-config.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeOsPlaces, type FakeOsPlaces } from '../fakes/os-places-api.ts';

const SEED_BLOCK = '  address:\n    provider: gazetteer\n    config:\n      seed: gazetteer/example.csv\n';
const osPlacesBlock = (baseUrl: string) =>
  `  address:\n    provider: os-places\n    maxResults: 5\n    config:\n      key: { env: OS_PLACES_API_KEY }\n      baseUrl: ${baseUrl}\n      allowPrivateNetwork: true\n`;

describe('a council whose addresses come from OS Places', () => {
  let fake: FakeOsPlaces;
  let dir: string;
  let t: TestHub;
  let finder: AddressFinder;

  before(async () => {
    fake = await startFakeOsPlaces();
    dir = await mkdtemp(join(tmpdir(), 'closeloop-os-places-'));
    await cp('config', dir, { recursive: true });
    const original = await readFile(join(dir, 'closeloop.yaml'), 'utf8');
    assert.ok(original.includes(SEED_BLOCK), 'the example council names its address provider');
    await writeFile(join(dir, 'closeloop.yaml'), original.replace(SEED_BLOCK, osPlacesBlock(fake.url)));
    t = await startTestHub({ configFile: join(dir, 'closeloop.yaml'), env: { OS_PLACES_API_KEY: fake.key } });
    finder = await addressFinder(t.hub, t.config.council.id);
  });
  after(async () => {
    await t?.close();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("a postcode's addresses, with the council's limit, from requests OS would accept", async () => {
    const found = await finder.byPostcode('EX3 1PL');
    assert.deepEqual(
      found.map((a) => a.label),
      [
        '1 ORCHARD WAY, EXAMPLETON, EX3 1PL',
        '2 ORCHARD WAY, EXAMPLETON, EX3 1PL',
        'FLAT 1, ROSE COURT, 3 ORCHARD WAY, EXAMPLETON, EX3 1PL',
        'FLAT 2, ROSE COURT, 3 ORCHARD WAY, EXAMPLETON, EX3 1PL',
        'EXAMPLETON DENTAL PRACTICE, 10A ORCHARD WAY, EXAMPLETON, EX3 1PL',
      ],
    );
    const seen = fake.requests.at(-1)!;
    assert.equal(seen.keyVia, 'header');
    assert.ok(seen.keyValid, 'the key from the environment reached OS');
    assert.deepEqual(seen.params, { postcode: 'EX31PL', maxresults: '20', dataset: 'DPA,LPI', output_srs: 'EPSG:27700' });
    const [flat] = await finder.byPostcode('EX3 1PL', 'Rose Court');
    assert.deepEqual({ uprn: flat!.uprn, easting: flat!.easting, northing: flat!.northing }, { uprn: '100040000003', easting: 292540.5, northing: 92485.25 });
    assert.ok(Math.abs(flat!.latitude - 50.72) < 0.05 && Math.abs(flat!.longitude + 3.5) < 0.05, `${flat!.latitude},${flat!.longitude}`);
  });

  test('text, UPRN and the nearest address to a pin', async () => {
    assert.equal((await finder.search('dental practice'))[0]?.uprn, '100040000010');
    assert.deepEqual((await finder.byUprn('10023400001'))?.lines, ['PUBLIC CONVENIENCES', 'ORCHARD WAY', 'UPTON']);
    assert.equal(await finder.byUprn('999999999999'), undefined);
    const near = await finder.nearest({ easting: 294010, northing: 93010 });
    assert.equal(near?.label, '20 MILL ROAD, UPTON, EXAMPLETON, EX3 2AB');
    assert.equal(fake.requests.at(-1)!.params.radius, '250', "the council's nearestMetres");
  });

  test('an OS outage reaches the caller as AddressProviderUnavailable, and the next lookup works again', async () => {
    fake.failNext(1, 503);
    await assert.rejects(
      finder.byPostcode('EX3 1PL'),
      (e: Error) => e instanceof AddressProviderUnavailable && /OS Places \(postcode\) is unavailable: it failed \(503\)/.test(e.message),
    );
    fake.failNext(1, 429);
    await assert.rejects(finder.search('orchard'), (e: Error) => e instanceof AddressProviderUnavailable && !e.message.includes(fake.key));
    assert.equal((await finder.byPostcode('EX3 1PL')).length, 5);
  });

  test('check-config names the file, line and field when the key is not in the environment', async () => {
    const saved = process.env.OS_PLACES_API_KEY;
    delete process.env.OS_PLACES_API_KEY;
    try {
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const code = await checkConfig(join(dir, 'closeloop.yaml'), out);
      assert.notEqual(code, 0);
      assert.match(text, /closeloop\.yaml:\d+: council\.address\.config\.key: environment variable OS_PLACES_API_KEY is not set/);
    } finally {
      if (saved !== undefined) process.env.OS_PLACES_API_KEY = saved;
    }
  });
});
