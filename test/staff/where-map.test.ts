// Issue 19: "Where" on the staff case page and the citizen's tracking page. With the council's tiles: the place in words
// beside an inline SVG of the right tiles, and each page's CSP adds exactly the tile host to img-src. Without tiles:
// the words only and the CSP unchanged. An erased case shows nothing of the place; the tracking API's JSON is unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gridToWgs84 } from '../../core/address/index.ts';
import { staticMap } from '../../core/forms/location/static-map.ts';
import { PAGE_CSP } from '../../core/http/security-headers.ts';
import type { TestHub } from '../helpers/hub.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';
import { apiAs } from '../governance/support.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';

const TILES = 'https://tiles.example:8443/osm/{z}/{x}/{y}.png';
const ATTRIBUTION = '© Example Tiles contributors';
/** 1 Millbeck Road in the example gazetteer: inside the example council's boundary. */
const POINT = gridToWgs84({ easting: 452110.95, northing: 304189.75 });
const NOISE_SOURCE = { line1: '1 Millbeck Road', town: 'Exampleton', postcode: 'AA1 1AB', latitude: POINT.latitude, longitude: POINT.longitude };

function imgSrc(csp: string | null): string {
  return /img-src ([^;]*)/.exec(csp ?? '')?.[1] ?? '';
}

async function trackingPage(url: string): Promise<{ status: number; html: string; csp: string | null }> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy') };
}

describe('where it happened, with the council’s map tiles', () => {
  let t: TestHub;
  let caseworker: StaffAccount;
  before(async () => {
    t = await staffTestHub({
      configure: (c) => {
        c.council.maps = { tiles: { url: TILES, attribution: ATTRIBUTION, maxZoom: 19 }, centre: POINT, zoom: 15 };
      },
    });
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
  });
  after(async () => {
    await t?.close();
  });

  const expectedTiles = () =>
    staticMap({ tilesUrl: TILES, attribution: ATTRIBUTION, maxZoom: 19, latitude: 0, longitude: 0, zoom: 15 }, POINT).tiles.map((tile) => tile.url);

  test('the case page and the tracking page show the address and a map of the right tiles; the CSP allows only the tile host', async () => {
    const { processId, trackingUrl } = await submitNoise(t, { noiseSource: NOISE_SOURCE });
    const expected = expectedTiles();
    assert.equal(expected.length, 4);
    assert.ok(expected.every((u) => u.startsWith('https://tiles.example:8443/osm/17/')));

    const staff = await caseworker.browser.get(`/staff/cases/${processId}`);
    const tracking = await trackingPage(trackingUrl);
    for (const [name, page] of [
      ['case page', { status: staff.status, html: staff.html, csp: staff.headers.get('content-security-policy') }],
      ['tracking page', tracking],
    ] as const) {
      assert.equal(page.status, 200, name);
      assert.match(page.html, /<h2 class="govuk-heading-m" id="where">Where<\/h2>/, name);
      assert.match(page.html, /id="where-words">1 Millbeck Road<br>Exampleton<br>AA1 1AB<\/p>/, name);
      assert.match(page.html, /<svg [^>]*role="img" aria-label="Map showing where: 1 Millbeck Road, Exampleton, AA1 1AB"/, name);
      const hrefs = [...page.html.matchAll(/<image href="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(hrefs, expected, name);
      assert.match(page.html, /<figcaption[^>]*>© Example Tiles contributors<\/figcaption>/, name);
      assert.doesNotMatch(page.html, /style="/, `${name}: no inline style (the CSP refuses it)`);
      assert.equal(imgSrc(page.csp), "'self' data: https://tiles.example:8443", name);
      assert.equal(page.csp, PAGE_CSP.replace("img-src 'self' data:", "img-src 'self' data: https://tiles.example:8443"), `${name}: nothing else changed`);
    }
    // The citizen's other answers (their own address, the dog…) are not on the tracking page.
    assert.doesNotMatch(tracking.html, /5 Kennel Row|The dog barks all day|Alex Citizen/);

    // The tracking API's JSON stays as documented: no place in it.
    const json = (await (await fetch(trackingUrl.replace('/track/', '/api/v1/track/'))).json()) as Record<string, unknown>;
    assert.equal(json.place, undefined);
  });

  test('an address without coordinates: the words only, and the CSP unchanged', async () => {
    const { processId, trackingUrl } = await submitNoise(t);
    const staff = await caseworker.browser.get(`/staff/cases/${processId}`);
    const tracking = await trackingPage(trackingUrl);
    for (const [name, html, csp] of [
      ['case page', staff.html, staff.headers.get('content-security-policy')],
      ['tracking page', tracking.html, tracking.csp],
    ] as const) {
      assert.match(html, /id="where-words">3 Kennel Row<br>Exampleton<br>EX2 5TT<\/p>/, name);
      assert.doesNotMatch(html, /<svg [^>]*aria-label="Map showing where|<image /, name);
      assert.equal(csp, PAGE_CSP, name);
    }
  });

  test('an erased case shows nothing of the place, and its page loads nothing from the tile host', async () => {
    const { processId, trackingUrl } = await submitNoise(t, { noiseSource: NOISE_SOURCE });
    const admin = apiAs(t, await t.key([], { admin: true, name: 'DPO admin' }));
    const erased = await admin(`/api/v1/admin/processes/${processId}/erase`, { method: 'POST', body: JSON.stringify({ reason: 'Erasure request' }) });
    assert.equal(erased.status, 200, await erased.clone().text());

    const staff = await caseworker.browser.get(`/staff/cases/${processId}`);
    assert.equal(staff.status, 200);
    assert.match(staff.html, /The answers were erased/);
    assert.doesNotMatch(staff.html, /id="where"|Millbeck|<image /);
    assert.equal(staff.headers.get('content-security-policy'), PAGE_CSP);
    // Erasure ends the tracking link.
    assert.equal((await trackingPage(trackingUrl)).status, 404);
  });
});

describe('where it happened, without map tiles', () => {
  let t: TestHub;
  let caseworker: StaffAccount;
  before(async () => {
    t = await staffTestHub();
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
  });
  after(async () => {
    await t?.close();
  });

  test('a place with coordinates: the words only on both pages, and the CSP unchanged', async () => {
    const { processId, trackingUrl } = await submitNoise(t, { noiseSource: NOISE_SOURCE });
    const staff = await caseworker.browser.get(`/staff/cases/${processId}`);
    const tracking = await trackingPage(trackingUrl);
    for (const [name, html, csp] of [
      ['case page', staff.html, staff.headers.get('content-security-policy')],
      ['tracking page', tracking.html, tracking.csp],
    ] as const) {
      assert.match(html, /id="where-words">1 Millbeck Road<br>Exampleton<br>AA1 1AB<\/p>/, name);
      assert.doesNotMatch(html, /<svg [^>]*aria-label="Map showing where|<image |tiles\.example/, name);
      assert.equal(csp, PAGE_CSP, name);
    }
  });
});
