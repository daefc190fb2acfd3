// Issue 19 in Chromium: "Where" with a static map on the staff case page and the citizen's tracking page, tiles from a
// local tile server started here (another origin: the one outside host the pages may load from). Under the real CSP
// the browser loads the map's tiles and nothing is blocked or refused; axe is clean on both pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { gridToWgs84 } from '../../core/address/index.ts';
import type { TestHub } from '../helpers/hub.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';
import { assertCleanUnderCsp, axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { startTileServer, type TileServer } from '../helpers/tile-server.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';

/** 1 Millbeck Road in the example gazetteer: inside the example council's boundary. */
const POINT = gridToWgs84({ easting: 452110.95, northing: 304189.75 });

describe('where it happened, in Chromium', () => {
  let tiles: TileServer;
  let t: TestHub;
  let caseworker: StaffAccount;
  let browser: Browser;
  before(async () => {
    tiles = await startTileServer();
    t = await staffTestHub({
      configure: (c) => {
        c.council.maps = { tiles: { url: `${tiles.origin}/{z}/{x}/{y}.png`, attribution: '© Test tiles', maxZoom: 19 }, centre: POINT, zoom: 15 };
      },
    });
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await tiles?.close();
  });

  test('both pages load the tiles under their CSP, block nothing and are axe clean', async () => {
    const { processId, trackingUrl } = await submitNoise(t, {
      noiseSource: { line1: '1 Millbeck Road', town: 'Exampleton', postcode: 'AA1 1AB', latitude: POINT.latitude, longitude: POINT.longitude },
    });
    const casePage = `${t.url}/staff/cases/${processId}`;
    const signedIn = await newPage(browser, { bypassCSP: true });
    try {
      await signedIn.context.addCookies([{ name: 'closeloop_staff', value: caseworker.browser.sessionCookie()!, url: `${t.url}/staff` }]);

      // Under the real CSP: every tile of each page's map is fetched from the tile server, nothing blocked or refused.
      tiles.requests.length = 0;
      await assertCleanUnderCsp(browser, signedIn.context, [casePage, trackingUrl], { javaScriptEnabled: true });
      const fetched = new Set(tiles.requests);
      assert.equal(fetched.size, 4, `the map's four tiles: ${[...fetched].join(' ')}`);
      assert.ok([...fetched].every((u) => /^\/17\/\d+\/\d+\.png$/.test(u)));
      assert.equal(tiles.requests.length, 8, 'each page loaded the four tiles');

      for (const url of [casePage, trackingUrl]) {
        await signedIn.page.goto(url);
        await signedIn.page.waitForLoadState('networkidle');
        assert.equal(await drawnTiles(signedIn.page), 4, `${url}: the tiles are drawn`);
        assert.equal(await signedIn.page.getByRole('img', { name: 'Map showing where: 1 Millbeck Road, Exampleton, AA1 1AB' }).count(), 1, url);
        assert.deepEqual(await axeOnPage(signedIn.page), [], `${url}: axe clean`);
      }
      assert.deepEqual(signedIn.blocked, []);
    } finally {
      await signedIn.close();
    }
  });
});

/** How many of the map's <image> tiles the browser decoded (an SVG image that failed to load has no bounding box content). */
async function drawnTiles(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const images = Array.from(document.querySelectorAll('#where-map image')) as SVGImageElement[];
    // Each tile is fetched again as an <img> (from the cache) to learn whether it decodes.
    const loaded = await Promise.all(
      images.map(
        (i) =>
          new Promise<boolean>((resolve) => {
            const img = new Image();
            img.onload = () => resolve(img.naturalWidth === 256);
            img.onerror = () => resolve(false);
            img.src = i.href.baseVal;
          }),
      ),
    );
    return loaded.filter(Boolean).length;
  });
}
