// Issue 19, the location question over HTTP without JavaScript: the description and the nearest street chosen from the
// example gazetteer → "Nearest address: …" to confirm → sent, with the chosen address's coordinates in the sandbox's
// XML; a pin's coordinates (the hidden inputs the map fills) the same way; bad coordinates and forged UPRNs refused
// with clear errors; the API's JSON answers; no tiles configured → no map and the hub's own CSP, tiles → exactly their host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadConfig, ConfigError } from '../../core/config/index.ts';
import { gridToWgs84 } from '../../core/address/index.ts';
import { PAGE_CSP } from '../../core/http/security-headers.ts';
import { decode, errorsOf, FormClient } from './form-client.ts';
import { locationConfig, MILLBECK_1, PAGES, SERVICE, type LocationConfig } from './location-support.ts';

const TILES = 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png';

async function sent(t: TestHub, c: FormClient): Promise<{ reference: string; xml: string; answers: Record<string, unknown> }> {
  const done = await c.send(SERVICE);
  assert.equal(done.status, 302, done.html.slice(0, 300));
  const confirmation = await c.get(done.location!);
  const reference = /DAN-[A-Z0-9]{8}/.exec(confirmation.html)?.[0];
  assert.ok(reference, 'a reference on the confirmation page');
  const row = await t.hub.db.row<{ answers: Record<string, unknown> }>('select answers from processes where reference = $1', [reference]);
  const inbox = await waitFor(
    () => t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]),
    'the sandbox got it',
    30_000,
  );
  return { reference, xml: inbox.body, answers: row!.answers };
}

const element = (xml: string, name: string) => decode(new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '');

describe('the location question without a map', () => {
  let setup: LocationConfig;
  let t: TestHub;
  before(async () => {
    setup = locationConfig();
    t = await startTestHub({ configFile: setup.configFile, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
  });
  after(async () => {
    await t?.close();
    setup?.remove();
  });

  test('no tiles configured: no map, no Leaflet, the hub’s own CSP', async () => {
    const c = new FormClient(t.url);
    const res = await fetch(`${t.url}${PAGES}/where`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), PAGE_CSP);
    assert.match(res.headers.get('permissions-policy')!, /geolocation=\(\)/);
    assert.ok(!html.includes('data-location-map'), 'no map');
    assert.ok(!html.includes('leaflet'), 'no Leaflet');
    assert.match(html, /Describe where it is/);
    assert.match(html, /Nearest street or postcode/);
    const empty = await c.answer(`${PAGES}/where`, {});
    assert.equal(empty.status, 422);
    assert.deepEqual(errorsOf(empty.html).summary, ['Describe where it is and enter the nearest street or postcode']);
  });

  test('description and the nearest street chosen from the gazetteer → confirm → sent with its coordinates', async () => {
    const c = new FormClient(t.url);
    const action = await c.actionOf(`${PAGES}/where`);
    const nothing = await c.postTo(action, { 'where[description]': 'In the gutter', 'where[street]': 'Nowhere Lane', 'where[find]': '1' });
    assert.equal(nothing.status, 422);
    assert.deepEqual(errorsOf(nothing.html).summary, ['We could not find an address for ‘Nowhere Lane’. Check the spelling, or enter a postcode']);
    assert.match(nothing.html, /<a href="#where\.street">/);

    const found = await c.postTo(action, { 'where[description]': 'In the gutter outside', 'where[street]': 'AA1 1AB', 'where[find]': '1' });
    assert.equal(found.status, 200, found.html.slice(0, 500));
    assert.match(found.html, /Select the nearest address/);
    assert.ok(found.html.includes(`value="${MILLBECK_1.uprn}"`), 'the address is offered');
    assert.ok(decode(found.html).includes(MILLBECK_1.label));

    // Chosen without a description: asked for one.
    const noDescription = await c.postTo(action, { 'where[uprn]': MILLBECK_1.uprn });
    assert.equal(noDescription.status, 422);
    assert.match(errorsOf(noDescription.html).summary[0]!, /^Describe where it is/);

    const forged = await c.postTo(action, { 'where[description]': 'In the gutter', 'where[uprn]': '990000999999' });
    assert.equal(forged.status, 422);
    assert.deepEqual(errorsOf(forged.html).summary, ['No address has UPRN 990000999999']);

    const confirm = await c.postTo(action, { 'where[description]': 'In the gutter outside', 'where[uprn]': MILLBECK_1.uprn, 'where[street]': 'AA1 1AB' });
    assert.equal(confirm.status, 200);
    assert.ok(decode(confirm.html).includes(`Nearest address: ${MILLBECK_1.label}`), 'the confirmation names the nearest address');
    const token = /name="where\[confirmed\]" value="([^"]+)"/.exec(confirm.html)![1]!;
    const kept = await c.postTo(action, { 'where[description]': 'In the gutter outside', 'where[uprn]': MILLBECK_1.uprn, 'where[confirmed]': token });
    assert.equal(kept.status, 302, kept.html.slice(0, 400));
    assert.equal(kept.location, `${PAGES}/animal`);
    assert.equal((await c.answer(`${PAGES}/animal`, { animal: 'A fox' })).status, 302);

    const check = await c.get(`${PAGES}/check-answers`);
    assert.ok(decode(check.html).includes(`Nearest address: ${MILLBECK_1.label}`));
    const { xml, answers } = await sent(t, c);
    assert.equal(Number(element(xml, 'Easting')), MILLBECK_1.easting);
    assert.equal(Number(element(xml, 'Northing')), MILLBECK_1.northing);
    const wgs = gridToWgs84(MILLBECK_1);
    assert.equal(Number(element(xml, 'Latitude')), wgs.latitude);
    assert.equal(Number(element(xml, 'Longitude')), wgs.longitude);
    assert.equal(element(xml, 'Description'), 'In the gutter outside');
    assert.equal(element(xml, 'NearestUPRN'), MILLBECK_1.uprn);
    assert.equal(element(xml, 'NearestStreet'), 'Millbeck Road');
    assert.deepEqual((answers.where as { nearest: unknown }).nearest, { uprn: MILLBECK_1.uprn, label: MILLBECK_1.label, street: 'Millbeck Road' });
  });

  test('the API: a point gets the provider’s nearest address, whatever was sent; bad coordinates are refused', async () => {
    const submit = (where: unknown) =>
      fetch(`${t.url}/api/v1/services/${SERVICE}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { where, animal: 'A badger' } }),
      });
    const near = { easting: MILLBECK_1.easting + 3, northing: MILLBECK_1.northing - 2 };
    const ok = await submit({ ...gridToWgs84(near), description: 'On the verge', nearest: { label: 'Buckingham Palace' } });
    assert.equal(ok.status, 201, await ok.clone().text());
    const { processId } = (await ok.json()) as { processId: string };
    const row = await t.hub.db.row<{ answers: { where: Record<string, unknown> } }>('select answers from processes where id = $1', [processId]);
    const where = row!.answers.where;
    assert.ok(Math.hypot((where.easting as number) - near.easting, (where.northing as number) - near.northing) < 1, JSON.stringify(where));
    assert.deepEqual(where.nearest, { uprn: MILLBECK_1.uprn, label: MILLBECK_1.label, street: 'Millbeck Road' });
    assert.equal(where.description, 'On the verge');

    const byGrid = await submit(near);
    assert.equal(byGrid.status, 201);

    const problems = async (where: unknown) => {
      const res = await submit(where);
      assert.equal(res.status, 422, JSON.stringify(where));
      assert.match(res.headers.get('content-type')!, /application\/problem\+json/);
      return ((await res.json()) as { errors: { field: string; message: string }[] }).errors;
    };
    assert.deepEqual(await problems({ latitude: 95, longitude: 0 }), [{ field: 'where.latitude', message: 'Latitude must be a number between -90 and 90' }]);
    // Paris: outside the example council's boundary (config/boundaries/example.geojson), said before anything else.
    assert.deepEqual(await problems({ latitude: 48.85, longitude: 2.35 }), [
      { field: 'where', message: "This place is not in Example District Council's area. Contact the council for the area it is in." },
    ]);
    assert.deepEqual(await problems({ easting: 800000, northing: 100 }), [
      { field: 'where.easting', message: 'Easting must be a number between 0 and 700000' },
    ]);
    assert.deepEqual(await problems({ easting: 452000 }), [{ field: 'where.easting', message: 'Enter both an easting and a northing' }]);
    assert.deepEqual(await problems({ latitude: 'north', longitude: 1 }), [
      { field: 'where.latitude', message: 'Latitude must be a number between -90 and 90' },
    ]);
    assert.deepEqual(await problems({ description: 'Somewhere' }), [{ field: 'where', message: 'Drop a pin on the map or describe where it is' }]);
    assert.deepEqual(await problems({ uprn: '990000999999' }), [{ field: 'where.uprn', message: 'No address has UPRN 990000999999' }]);
    assert.deepEqual(await problems({ ...near, height: 3 }), [{ field: 'where.height', message: 'is not part of a location' }]);
    const far = gridToWgs84({ easting: near.easting + 300, northing: near.northing });
    assert.deepEqual(await problems({ ...near, ...far }), [
      { field: 'where.latitude', message: 'The latitude and longitude are not the same place as the easting and northing' },
    ]);

    // A chosen UPRN alone is the place.
    const chosen = await submit({ uprn: MILLBECK_1.uprn });
    assert.equal(chosen.status, 201);
  });
});

describe('the location question with map tiles', () => {
  let setup: LocationConfig;
  let t: TestHub;
  before(async () => {
    setup = locationConfig({ tiles: { url: TILES, attribution: 'Test tiles <b>©</b>', maxZoom: 18 }, centre: { latitude: 52.63, longitude: -1.23 }, zoom: 15 });
    t = await startTestHub({ configFile: setup.configFile });
  });
  after(async () => {
    await t?.close();
    setup?.remove();
  });

  test('the map page allows exactly the tile host, and geolocation; other pages do not', async () => {
    const res = await fetch(`${t.url}${PAGES}/where`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    assert.equal(csp, PAGE_CSP.replace("img-src 'self' data:", "img-src 'self' data: http://127.0.0.1:9"));
    assert.match(res.headers.get('permissions-policy')!, /geolocation=\(self\)/);
    assert.match(html, /data-location-map="where"/);
    assert.match(html, /data-tiles="http:\/\/127\.0\.0\.1:9\/tiles\/\{z\}\/\{x\}\/\{y\}\.png"/);
    assert.match(html, /data-attribution="Test tiles &lt;b&gt;©&lt;\/b&gt;"/);
    assert.match(html, /<script src="\/assets\/leaflet\/leaflet\.js"><\/script>/);
    for (const asset of [
      '/assets/leaflet/leaflet.js',
      '/assets/leaflet/leaflet.css',
      '/assets/leaflet/images/marker-icon.png',
      '/assets/closeloop/location-map.mjs',
    ])
      assert.equal((await fetch(`${t.url}${asset}`)).status, 200, asset);
    assert.equal((await fetch(`${t.url}/assets/leaflet/../package.json`)).status, 404);
    const start = await fetch(`${t.url}${PAGES}`);
    assert.equal(start.headers.get('content-security-policy'), PAGE_CSP);
    const other = await fetch(`${t.url}${PAGES}/animal`);
    assert.equal(other.headers.get('content-security-policy'), PAGE_CSP);
  });

  test('a pin (the hidden inputs the map fills) → the nearest address to confirm → kept; a pin outside Great Britain refused', async () => {
    const c = new FormClient(t.url);
    const action = await c.actionOf(`${PAGES}/where`);
    const empty = await c.postTo(action, {});
    assert.deepEqual(errorsOf(empty.html).summary, ['Drop a pin on the map or describe where it is']);
    const paris = await c.postTo(action, { 'where[latitude]': '48.8566', 'where[longitude]': '2.3522' });
    assert.equal(paris.status, 422);
    assert.deepEqual(errorsOf(paris.html).summary, ['The latitude and longitude are not a place in Great Britain']);
    assert.match(paris.html, /<a href="#where\.description">/, 'the summary links to an input the page has');
    const junk = await c.postTo(action, { 'where[latitude]': '52.6e1', 'where[longitude]': '-1' });
    assert.equal(junk.status, 422);

    const pin = gridToWgs84({ easting: MILLBECK_1.easting + 4, northing: MILLBECK_1.northing + 4 });
    const fields = { 'where[latitude]': String(pin.latitude), 'where[longitude]': String(pin.longitude) };
    const confirm = await c.postTo(action, fields);
    assert.equal(confirm.status, 200);
    assert.ok(decode(confirm.html).includes(`Nearest address: ${MILLBECK_1.label}`));
    const token = /name="where\[confirmed\]" value="([^"]+)"/.exec(confirm.html)![1]!;
    // Moved after the confirmation was shown: shown again for the new place.
    const moved = gridToWgs84({ easting: MILLBECK_1.easting + 40, northing: MILLBECK_1.northing + 4 });
    const again = await c.postTo(action, { 'where[latitude]': String(moved.latitude), 'where[longitude]': String(moved.longitude), 'where[confirmed]': token });
    assert.equal(again.status, 200);
    assert.match(again.html, /name="where\[confirmed\]"/);
    const kept = await c.postTo(action, { ...fields, 'where[confirmed]': token });
    assert.equal(kept.status, 302);
    const session = await t.hub.db.row<{ answers: { where: Record<string, unknown> } }>(`select answers from form_sessions where service_id = $1`, [SERVICE]);
    const where = session!.answers.where;
    assert.ok(Math.hypot((where.easting as number) - (MILLBECK_1.easting + 4), (where.northing as number) - (MILLBECK_1.northing + 4)) < 0.1);
    assert.equal((where.nearest as { uprn: string }).uprn, MILLBECK_1.uprn);
  });

  test('a pin in the neighbouring council’s area → the boundary’s “contact them instead” page', async () => {
    const c = new FormClient(t.url);
    const action = await c.actionOf(`${PAGES}/where`);
    const pin = gridToWgs84({ easting: MILLBECK_1.easting + 5000, northing: MILLBECK_1.northing });
    const fields = { 'where[latitude]': String(pin.latitude), 'where[longitude]': String(pin.longitude) };
    const confirm = await c.postTo(action, fields);
    assert.equal(confirm.status, 200);
    const token = /name="where\[confirmed\]" value="([^"]+)"/.exec(confirm.html)![1]!;
    const kept = await c.postTo(action, { ...fields, 'where[confirmed]': token });
    assert.equal(kept.status, 302);
    assert.match(kept.location!, new RegExp(`^${PAGES}/where/`));
    const outside = await c.get(kept.location!);
    // A pin is a place, not an address: the page says so.
    assert.match(decode(outside.html), /<h1[^>]*>This place is not in Example District Council's area<\/h1>/);
    assert.match(decode(outside.html), /Contact <a [^>]*>Neighbour Borough Council<\/a> instead\./);
    assert.match(decode(outside.html), /If the place is wrong, <a [^>]*>change the place<\/a>\./);
  });

  test('config: a tile URL must be one http(s) host with {z}, {x} and {y}', () => {
    for (const url of ['https://{s}.tile.example/{z}/{x}/{y}.png', 'https://tiles.example/tiles.png', 'ftp://tiles.example/{z}/{x}/{y}.png']) {
      const bad = locationConfig({ tiles: { url, attribution: 'x' }, centre: { latitude: 52, longitude: -1 } });
      try {
        assert.throws(
          () => loadConfig(bad.configFile, { ...process.env, DATABASE_URL: 'postgres://x@127.0.0.1/x' } as Record<string, string>),
          (err: unknown) => err instanceof ConfigError && /council\.maps\.tiles\.url/.test(err.message) && /\{z\}, \{x\} and \{y\}/.test(err.message),
          url,
        );
      } finally {
        bad.remove();
      }
    }
  });
});

describe('the location question while the address provider is down', () => {
  let setup: LocationConfig;
  let t: TestHub;
  before(async () => {
    setup = locationConfig();
    t = await startTestHub({
      configFile: setup.configFile,
      // OS Places at an address where nothing listens: every lookup fails.
      configure: (c) =>
        void (c.council.address = {
          provider: 'os-places',
          config: { key: 'test-key', baseUrl: 'http://127.0.0.1:9/', allowPrivateNetwork: true },
          maxResults: 100,
          timeoutMs: 1000,
          nearestMetres: 250,
        }),
    });
  });
  after(async () => {
    await t?.close();
    setup?.remove();
  });

  test('the page says so (never a 500); the API keeps a point without a nearest address, and a UPRN is a 503', async () => {
    const c = new FormClient(t.url);
    const action = await c.actionOf(`${PAGES}/where`);
    const search = await c.postTo(action, { 'where[description]': 'In the gutter', 'where[street]': 'Millbeck Road', 'where[find]': '1' });
    assert.equal(search.status, 422);
    assert.deepEqual(errorsOf(search.html).summary, ['Addresses cannot be searched at the moment. Try again later']);
    const chosen = await c.postTo(action, { 'where[description]': 'In the gutter', 'where[uprn]': MILLBECK_1.uprn });
    assert.equal(chosen.status, 422);
    assert.deepEqual(errorsOf(chosen.html).summary, ['Addresses cannot be checked at the moment. Try again later']);

    const submit = (where: unknown) =>
      fetch(`${t.url}/api/v1/services/${SERVICE}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { where, animal: 'A hedgehog' } }),
      });
    const point = await submit({ easting: MILLBECK_1.easting, northing: MILLBECK_1.northing });
    assert.equal(point.status, 201, await point.clone().text());
    const { processId } = (await point.json()) as { processId: string };
    const row = await t.hub.db.row<{ answers: { where: Record<string, unknown> } }>('select answers from processes where id = $1', [processId]);
    assert.equal(row!.answers.where.nearest, undefined);
    assert.equal(row!.answers.where.easting, MILLBECK_1.easting);
    const uprn = await submit({ uprn: MILLBECK_1.uprn });
    assert.equal(uprn.status, 503);
    assert.ok(uprn.headers.get('retry-after'));
  });
});
