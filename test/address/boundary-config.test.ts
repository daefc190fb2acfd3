// Issue 19, the council's boundary: a boundary file is hostile input. check-config (and the hub at start) names the
// config file, line and field, the GeoJSON file and the feature and coordinate at fault for a file that is not JSON,
// not an area, too big, has an open ring or coordinates out of range (or in British National Grid metres). The areas it
// loads place points inside, outside and on the edge as expected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkConfig } from '../../core/check-config.ts';
import { loadConfig } from '../../core/config/index.ts';
import { Boundaries, councilForPoint, loadBoundaries, MAX_BOUNDARY_BYTES, parseBoundary } from '../../core/boundary/index.ts';

const square = (west: number, south: number, east: number, north: number) => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];
const collection = (...features: { name: string; coordinates: unknown; type?: string }[]) =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', properties: { name: f.name }, geometry: { type: f.type ?? 'Polygon', coordinates: f.coordinates } })),
  });

describe('boundary files in config', () => {
  let dir: string;
  let original: string;
  const file = () => join(dir, 'closeloop.yaml');
  const line = () => original.split('\n').indexOf('    file: boundaries/example.geojson') + 1;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-boundary-config-'));
    await cp('config', dir, { recursive: true });
    original = await readFile(file(), 'utf8');
    assert.ok(line() > 0, 'the example council names its boundary');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function checkWithBoundary(contents: string | Buffer | null, size?: number): Promise<{ code: number; text: string }> {
    const boundary = join(dir, 'boundaries', 'example.geojson');
    const kept = await readFile(boundary);
    if (contents !== null) await writeFile(boundary, contents);
    if (size !== undefined) await truncate(boundary, size);
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const code = await checkConfig(file(), out);
    await writeFile(boundary, kept);
    return { code, text };
  }

  const at = () => `closeloop\\.yaml:${line()}: council\\.boundary\\.file: boundaries/example\\.geojson`;

  test('the example council and its neighbour pass', async () => {
    const { code, text } = await checkWithBoundary(null);
    assert.equal(code, 0, text);
  });

  test('a file that is not JSON, or not an area', async () => {
    let { code, text } = await checkWithBoundary('{"type": "FeatureCollection", ');
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}: is not JSON`));
    ({ code, text } = await checkWithBoundary(JSON.stringify({ type: 'Point', coordinates: [-1.2, 52.6] })));
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}, type: must be a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon`));
    ({ code, text } = await checkWithBoundary(
      collection({ name: 'Exampleton', coordinates: [square(-1.245, 52.625, -1.2, 52.65)] }, { name: 'The pond', type: 'Point', coordinates: [-1.2, 52.6] }),
    ));
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}, feature 1 \\("The pond"\\): geometry\\.type: must be a Polygon or MultiPolygon geometry`));
    ({ code, text } = await checkWithBoundary(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}: is not UTF-8 text`));
  });

  test('a file over the size cap is refused unread', async () => {
    const { code, text } = await checkWithBoundary('', MAX_BOUNDARY_BYTES + 1);
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}: is ${MAX_BOUNDARY_BYTES + 1} bytes, more than the ${MAX_BOUNDARY_BYTES} bytes a boundary may be`));
  });

  test('an open ring names the feature and the ring', async () => {
    const open = square(-1.245, 52.625, -1.2, 52.65)
      .slice(0, 4)
      .concat([[-1.245, 52.63]]);
    const { code, text } = await checkWithBoundary(
      collection({ name: 'Exampleton', coordinates: [square(-1.3, 52.6, -1.29, 52.61)] }, { name: 'North ward', coordinates: [open] }),
    );
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}, feature 1 \\("North ward"\\): geometry\\.coordinates\\.0: the ring is not closed`));
  });

  test('coordinates out of range, and grid metres given for degrees', async () => {
    let { code, text } = await checkWithBoundary(collection({ name: 'Exampleton', coordinates: [square(-1.245, 52.625, -1.2, 95)] }));
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`${at()}, feature 0 \\("Exampleton"\\): geometry\\.coordinates\\.0\\.2\\.1: latitude 95 is not between -90 and 90`));
    ({ code, text } = await checkWithBoundary(collection({ name: 'Exampleton', coordinates: [square(452000, 304000, 453500, 305200)] })));
    assert.equal(code, 1, text);
    assert.match(text, /longitude 452000 is not between -180 and 180 \(this looks like British National Grid metres/);
    ({ code, text } = await checkWithBoundary(
      collection({
        name: 'Exampleton',
        coordinates: [
          [
            [-1.2, 52.6],
            [-1.1, 52.6],
            [-1.2, 52.6],
          ],
        ],
      }),
    ));
    assert.equal(code, 1, text);
    assert.match(text, /geometry\.coordinates\.0: a linear ring needs at least 4 positions/);
  });

  test("a neighbour's boundary file that is not there, and a routed service's unknown sibling", async () => {
    await writeFile(file(), original.replace('boundary: boundaries/neighbour-borough.geojson', 'boundary: boundaries/missing.geojson'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    assert.equal(await checkConfig(file(), out), 1);
    assert.match(text, /council\.boundary\.neighbours\.0\.boundary: boundaries\/missing\.geojson: cannot be read/);
    await writeFile(file(), original);
    const service = join(dir, 'services', 'noise-complaint.yaml');
    const kept = await readFile(service, 'utf8');
    await writeFile(service, `${kept}\nrouteByBoundary: [north-noise]\n`);
    text = '';
    assert.equal(await checkConfig(file(), out), 1);
    await writeFile(service, kept);
    assert.match(text, /noise-complaint\.yaml:\d+: routeByBoundary\.0: "north-noise" is not a service of this hub/);
  });

  test('loaded once: the example area holds Exampleton, not its neighbour; the neighbour is named', () => {
    const { boundaries, problems } = loadBoundaries(loadConfig(file(), {}));
    assert.deepEqual(problems, []);
    const exampleton = { latitude: 52.636, longitude: -1.22 };
    const neighbourTown = { latitude: 52.636, longitude: -1.17 };
    const faraway = { latitude: 51.5, longitude: -0.12 };
    assert.deepEqual(boundaries.whereIs(exampleton, 'default'), { inside: 'default' });
    assert.deepEqual(boundaries.whereIs(neighbourTown, 'default'), {
      inside: undefined,
      neighbour: { name: 'Neighbour Borough Council', url: 'https://www.neighbour-borough.example.gov.uk/report' },
    });
    assert.deepEqual(boundaries.whereIs(faraway, 'default'), { inside: undefined });
    assert.equal(councilForPoint({ boundaries }, exampleton), 'default');
    assert.equal(councilForPoint({ boundaries }, faraway), undefined);
  });
});

describe('points and areas', () => {
  const area = parseBoundary({
    type: 'Feature',
    properties: null,
    geometry: {
      type: 'MultiPolygon',
      coordinates: [
        // A square with a square hole, and a separate island.
        [square(0, 50, 1, 51), square(0.4, 50.4, 0.6, 50.6)],
        [square(2, 50, 2.5, 50.5)],
      ],
    },
  });
  const boundaries = new Boundaries(
    new Map([
      ['a', { area, neighbours: [] }],
      ['b', { area: parseBoundary({ type: 'Polygon', coordinates: [square(1, 50, 2, 51)] }), neighbours: [] }],
    ]),
  );
  const at = (longitude: number, latitude: number) => ({ latitude, longitude });

  test('inside, in a hole, on an island, outside', () => {
    assert.equal(boundaries.holds('a', at(0.2, 50.2)), true);
    assert.equal(boundaries.holds('a', at(0.5, 50.5)), false, 'in the hole');
    assert.equal(boundaries.holds('a', at(2.2, 50.2)), true, 'on the island');
    assert.equal(boundaries.holds('a', at(3, 50.2)), false);
    assert.equal(boundaries.holds('nobody', at(0.2, 50.2)), undefined, 'a council with no boundary');
  });

  test('a point on a shared edge or a corner counts as inside (the asking council keeps it)', () => {
    assert.equal(boundaries.holds('a', at(1, 50.7)), true);
    assert.equal(boundaries.holds('b', at(1, 50.7)), true);
    assert.equal(boundaries.holds('a', at(0, 50)), true, 'a corner');
    assert.deepEqual(boundaries.whereIs(at(1, 50.7), 'b'), { inside: 'b' });
    assert.deepEqual(boundaries.whereIs(at(1.5, 50.7), 'a'), { inside: 'b' });
    assert.equal(councilForPoint({ boundaries }, at(1.5, 50.7), ['a', 'b']), 'b');
  });
});
