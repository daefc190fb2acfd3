// Issue 19 acceptance, the location question in Chromium: a local tile server started here (a generated PNG for any
// z/x/y, its requests counted) is the only outside host the page may load from; a pin dropped by clicking the screen
// point of a known latitude/longitude (Leaflet's own Web Mercator projection) → "Nearest address" → sent → the
// sandbox's XML has coordinates within a metre of the expected. Without JavaScript: a description and the nearest street
// chosen from the example gazetteer → sent. Axe clean at each step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { gridToWgs84, wgs84ToGrid } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage, type GuardedPage } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { startTileServer, type TileServer } from '../helpers/tile-server.ts';
import { locationConfig, MILLBECK_1, PAGES, type LocationConfig } from './location-support.ts';

/** Where the map opens: about 30 m north-east of 1 Millbeck Road. */
const CENTRE = gridToWgs84({ easting: MILLBECK_1.easting + 20, northing: MILLBECK_1.northing + 20 });
/** Where the pin goes: 5 m west and 8 m south of 1 Millbeck Road (its nearest address). */
const TARGET_GRID = { easting: MILLBECK_1.easting - 5, northing: MILLBECK_1.northing - 8 };
const ZOOM = 18;

describe('the location question in Chromium', () => {
  let tiles: TileServer;
  let setup: LocationConfig;
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    tiles = await startTileServer();
    setup = locationConfig({
      tiles: { url: `${tiles.origin}/{z}/{x}/{y}.png`, attribution: '© Test tiles', maxZoom: 19 },
      centre: CENTRE,
      zoom: ZOOM,
    });
    t = await startTestHub({ configFile: setup.configFile, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await tiles?.close();
    setup?.remove();
  });

  /** axe on what the page shows now (a page answered to a POST cannot be opened again), in a context that may inject axe. */
  async function assertAxeClean(guarded: GuardedPage, js: boolean, step: string): Promise<void> {
    const html = await guarded.page.content();
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: js });
    try {
      const page = await context.newPage();
      await page.goto(`${t.url}/`);
      await page.setContent(html, { waitUntil: 'load' });
      if (js) await page.waitForSelector('.leaflet-container', { timeout: 10_000 }).catch(() => undefined);
      const violations = js ? await axeOnPage(page) : await axeWithoutScripts(page);
      assert.deepEqual(
        violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        `axe at "${step}" (${js ? 'JavaScript' : 'no JavaScript'})`,
      );
    } finally {
      await context.close();
    }
  }

  /** axe needs script: run it in a JavaScript page showing the no-JavaScript HTML (its scripts taken out first). */
  async function axeWithoutScripts(page: import('playwright-core').Page) {
    const html = (await page.content()).replace(/<script[\s\S]*?<\/script>/g, '');
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
    try {
      const js = await context.newPage();
      await js.goto(`${t.url}/`);
      await js.setContent(html, { waitUntil: 'load' });
      return await axeOnPage(js);
    } finally {
      await context.close();
    }
  }

  async function finish(guarded: GuardedPage): Promise<string> {
    const { page } = guarded;
    assert.equal(await page.locator('h1').innerText(), 'What kind of animal is it?');
    await page.getByLabel('What kind of animal is it?').fill('A fox');
    await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
    assert.match(await page.locator('h1').innerText(), /^Check your answers/);
    await navigate(guarded, () => page.getByRole('button', { name: /Accept and send/ }).click());
    const reference = /DAN-[A-Z0-9]{8}/.exec(await page.locator('main').innerText())?.[0];
    assert.ok(reference, 'a reference on the confirmation page');
    return reference;
  }

  async function deliveredXml(reference: string): Promise<string> {
    const inbox = await waitFor(
      () => t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]),
      'the sandbox got it',
      30_000,
    );
    return inbox.body;
  }

  const number = (xml: string, name: string) => Number(new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]);

  test('drop a pin on the map (tiles from the local server only) → nearest address → sent within a metre', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: true });
    const { page } = guarded;
    const origins = new Set<string>();
    page.on('request', (r) => void origins.add(new URL(r.url()).origin));
    try {
      const res = await page.goto(`${t.url}${PAGES}/where`);
      const csp = res!.headers()['content-security-policy']!;
      assert.match(csp, new RegExp(`img-src 'self' data: ${tiles.origin};`), 'the CSP allows the tile server');
      assert.equal(csp.match(/https?:\/\//g)?.length, 1, 'and no other host');
      await page.waitForSelector('.leaflet-tile-loaded');
      assert.ok(tiles.requests.length > 0, 'tiles came from the local server');
      assert.ok(
        tiles.requests.every((r) => r.startsWith(`/${ZOOM}/`)),
        `tiles at the configured zoom: ${tiles.requests.join(' ')}`,
      );
      assert.equal(await page.getByRole('button', { name: 'Use my location' }).isVisible(), true);
      await assertAxeClean(guarded, true, 'the map');

      // With a keyboard: the focused map takes Enter as "drop the pin in the middle".
      await page.locator('#where-map').focus();
      await page.keyboard.press('Enter');
      const centred = wgs84ToGrid({
        latitude: Number(await page.locator('#where\\.latitude').inputValue()),
        longitude: Number(await page.locator('#where\\.longitude').inputValue()),
      });
      const centreGrid = wgs84ToGrid(CENTRE);
      assert.ok(Math.hypot(centred.easting - centreGrid.easting, centred.northing - centreGrid.northing) < 1, 'Enter drops the pin in the middle');

      // The screen point of the target: Leaflet's projection of it, relative to the map's centre in the middle of the map.
      const target = gridToWgs84(TARGET_GRID);
      const canvas = page.locator('#where-map');
      const box = (await canvas.boundingBox())!;
      const offset = await page.evaluate(
        ({ target, centre, zoom }) => {
          const L = (
            window as unknown as {
              L: { CRS: { EPSG3857: { latLngToPoint(ll: unknown, z: number): { x: number; y: number } } }; latLng(a: number, b: number): unknown };
            }
          ).L;
          const p = L.CRS.EPSG3857.latLngToPoint(L.latLng(target.latitude, target.longitude), zoom);
          const c = L.CRS.EPSG3857.latLngToPoint(L.latLng(centre.latitude, centre.longitude), zoom);
          return { x: p.x - c.x, y: p.y - c.y };
        },
        { target, centre: CENTRE, zoom: ZOOM },
      );
      await page.mouse.click(box.x + box.width / 2 + offset.x, box.y + box.height / 2 + offset.y);
      await page.waitForSelector('.leaflet-marker-icon');
      assert.match(await page.locator('#where-pin-status').innerText(), /^Pin dropped at latitude/);
      const pinned = {
        latitude: Number(await page.locator('#where\\.latitude').inputValue()),
        longitude: Number(await page.locator('#where\\.longitude').inputValue()),
      };
      const pinnedGrid = wgs84ToGrid(pinned);
      assert.ok(
        Math.hypot(pinnedGrid.easting - TARGET_GRID.easting, pinnedGrid.northing - TARGET_GRID.northing) < 1,
        `the pin is where it was dropped: ${JSON.stringify(pinned)}`,
      );

      await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
      assert.match(await page.locator('#where-nearest').innerText(), new RegExp(`^Nearest address: ${MILLBECK_1.label}`));
      await page.waitForSelector('.leaflet-marker-icon');
      await assertAxeClean(guarded, true, 'nearest address');
      await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());

      const xml = await deliveredXml(await finish(guarded));
      const sent = { easting: number(xml, 'Easting'), northing: number(xml, 'Northing') };
      const metres = Math.hypot(sent.easting - TARGET_GRID.easting, sent.northing - TARGET_GRID.northing);
      assert.ok(metres < 1, `the XML's point is ${metres.toFixed(2)} m from the expected (${JSON.stringify(sent)})`);
      const wgs = wgs84ToGrid({ latitude: number(xml, 'Latitude'), longitude: number(xml, 'Longitude') });
      assert.ok(Math.hypot(wgs.easting - TARGET_GRID.easting, wgs.northing - TARGET_GRID.northing) < 1, 'so are its latitude and longitude');
      assert.equal(new RegExp('<NearestUPRN>([^<]*)</NearestUPRN>').exec(xml)?.[1], MILLBECK_1.uprn);

      assert.deepEqual(guarded.blocked, [], 'nothing from outside this machine');
      assert.deepEqual([...origins].sort(), [t.url, tiles.origin].sort(), 'requests only to the hub and the tile server');
      assert.deepEqual(guarded.consoleErrors, [], 'no CSP violation or script error');
    } finally {
      await guarded.close();
    }
  });

  test('"Use my location": the browser’s position (asked for only on the button press) becomes the pin', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: true });
    const { page, context } = guarded;
    const here = gridToWgs84({ easting: MILLBECK_1.easting + 7, northing: MILLBECK_1.northing + 3 });
    try {
      await context.grantPermissions(['geolocation'], { origin: t.url });
      await context.setGeolocation({ latitude: here.latitude, longitude: here.longitude, accuracy: 5 });
      await page.goto(`${t.url}${PAGES}/where`);
      await page.waitForSelector('.leaflet-tile-loaded');
      assert.equal(await page.locator('#where\\.latitude').inputValue(), '', 'no position until asked');
      await page.getByRole('button', { name: 'Use my location' }).click();
      await page.waitForSelector('.leaflet-marker-icon');
      const pinned = wgs84ToGrid({
        latitude: Number(await page.locator('#where\\.latitude').inputValue()),
        longitude: Number(await page.locator('#where\\.longitude').inputValue()),
      });
      assert.ok(Math.hypot(pinned.easting - (MILLBECK_1.easting + 7), pinned.northing - (MILLBECK_1.northing + 3)) < 1, JSON.stringify(pinned));
      assert.deepEqual(guarded.consoleErrors, []);
    } finally {
      await guarded.close();
    }
  });

  test('without JavaScript: a description and the nearest street chosen from the gazetteer → sent', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: false });
    const { page } = guarded;
    const before = tiles.requests.length;
    try {
      await page.goto(`${t.url}${PAGES}/where`);
      assert.equal(await page.locator('#where-map-block').isVisible(), false, 'no map without JavaScript');
      await assertAxeClean(guarded, false, 'the question');
      await page.getByLabel('Describe where it is').fill('On the pavement by the post box');
      await page.getByLabel('Nearest street or postcode').fill('millbeck road');
      await navigate(guarded, () => page.getByRole('button', { name: 'Find addresses' }).click());
      await assertAxeClean(guarded, false, 'select the nearest address');
      await page.getByLabel(MILLBECK_1.label, { exact: true }).check();
      await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
      assert.match(await page.locator('#where-nearest').innerText(), new RegExp(`^Nearest address: ${MILLBECK_1.label}`));
      await assertAxeClean(guarded, false, 'nearest address');
      await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
      const xml = await deliveredXml(await finish(guarded));
      assert.equal(number(xml, 'Easting'), MILLBECK_1.easting);
      assert.equal(number(xml, 'Northing'), MILLBECK_1.northing);
      assert.match(xml, /<Description>On the pavement by the post box<\/Description>/);
      assert.match(xml, /<NearestStreet>Millbeck Road<\/NearestStreet>/);
      assert.equal(tiles.requests.length, before, 'no tile loaded without JavaScript');
      assert.deepEqual(guarded.blocked, []);
    } finally {
      await guarded.close();
    }
  });
});

/** Every form post navigates: wait for the new page before looking at it. */
async function navigate(guarded: GuardedPage, action: () => Promise<void>): Promise<void> {
  await Promise.all([guarded.page.waitForNavigation(), action()]);
}
