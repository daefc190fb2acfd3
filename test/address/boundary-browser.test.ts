// Issue 19 acceptance, the council's boundary in Chromium, with and without JavaScript, axe clean on every page visited,
// on one shared hub (a copy of config/ with a second council, Neighbour Borough, council B): Example District's
// fly-tipping report is shared with council B's (`routeByBoundary: [north-fly]`).
// (a) Council B's own report, given a place in Exampleton (its neighbour's area): the "contact this council" page naming
//     Example District Council, with its link.
// (b) Example District's report, answered in the browser with a place in council B's area and sent: the confirmation
//     shows council B's reference, council B's key sees the case and Example District's gets 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { wgs84ToGrid } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { sharedHubConfig, type SharedHubConfig } from './shared-hub-config.ts';
import { assertCleanUnderCsp, axeOnPage, launchBrowser, newPage, type GuardedPage } from '../helpers/browser.ts';

const EXAMPLE_DISTRICT = { name: 'Example District Council', url: 'https://www.example-district.example.gov.uk/report' };
const IN_EXAMPLETON = { easting: '452111', northing: '304190' }; // 1 Millbeck Road
const IN_NEIGHBOUR_BOROUGH = wgs84ToGrid({ latitude: 52.636, longitude: -1.17 });
const EASTING = 'Easting (optional, if there is no address)';
const NORTHING = 'Northing (optional)';

describe('the boundary in Chromium, on a shared hub', () => {
  let shared: SharedHubConfig | undefined;
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    shared = await sharedHubConfig({
      service: 'fly-tipping',
      referencePrefix: 'FLY',
      northService: 'north-fly',
      northPrefix: 'NBF',
      northBoundaryExtra: `      neighbours:
        - name: ${EXAMPLE_DISTRICT.name}
          url: ${EXAMPLE_DISTRICT.url}
          boundary: boundaries/example.geojson
`,
    });
    t = await startTestHub({ configFile: shared.configFile });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await shared?.remove();
  });

  /** axe on what the page shows now (a page answered to a POST cannot be opened again): its HTML in a context that may inject axe. */
  async function assertAxeClean(guarded: GuardedPage, js: boolean, step: string): Promise<void> {
    let violations;
    if (js) violations = await axeOnPage(guarded.page);
    else {
      const html = await guarded.page.content();
      const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
      try {
        const page = await context.newPage();
        await page.goto(`${t.url}/`);
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate(() => document.body.classList.remove('js-enabled', 'govuk-frontend-supported'));
        violations = await axeOnPage(page);
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `axe at "${step}" (${js ? 'JavaScript' : 'no JavaScript'})`,
    );
  }

  const navigate = async (guarded: GuardedPage, action: () => Promise<void>) => {
    await Promise.all([guarded.page.waitForNavigation(), action()]);
  };
  const path = (guarded: GuardedPage) => new URL(guarded.page.url()).pathname;

  /** The place question: a grid point typed in (the no-address path, the same with or without JavaScript), Continue. */
  async function answerPlace(guarded: GuardedPage, js: boolean, service: string, at: { easting: string; northing: string }) {
    const { page } = guarded;
    await page.goto(`${t.url}/services/${service}/location`);
    await assertAxeClean(guarded, js, 'where the fly-tipping is');
    await page.getByLabel(EASTING).fill(at.easting);
    await page.getByLabel(NORTHING).fill(at.northing);
    await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
  }

  for (const js of [true, false]) {
    const how = js ? 'JavaScript' : 'no JavaScript';

    test(`a place in the neighbour's area → the "contact this council" page, axe clean (${how})`, async () => {
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: js });
      const { page } = guarded;
      try {
        await answerPlace(guarded, js, 'north-fly', IN_EXAMPLETON);
        assert.equal(path(guarded), '/services/north-fly/location/outside-area');
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), "This address is not in Neighbour Borough Council's area");
        assert.equal((await page.locator('#contact-instead').textContent())?.replace(/\s+/g, ' ').trim(), `Contact ${EXAMPLE_DISTRICT.name} instead.`);
        assert.equal(await page.getByRole('link', { name: EXAMPLE_DISTRICT.name }).getAttribute('href'), EXAMPLE_DISTRICT.url);
        await assertAxeClean(guarded, js, 'contact this council');
        const contactUrl = page.url();
        // The way back: the question again, the answer kept.
        await navigate(guarded, () => page.getByRole('link', { name: 'change the address' }).click());
        assert.equal(path(guarded), '/services/north-fly/location');
        assert.equal(await page.getByLabel(EASTING).inputValue(), IN_EXAMPLETON.easting);
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        await assertCleanUnderCsp(browser, guarded.context, [contactUrl], { javaScriptEnabled: js });
      } finally {
        await guarded.close();
      }
    });

    test(`shared hub: a place in council B's area, answered and sent in the browser, is council B's case (${how})`, async () => {
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: js });
      const { page } = guarded;
      const next = async (step: string) => {
        await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
        await assertAxeClean(guarded, js, step);
      };
      try {
        await answerPlace(guarded, js, 'fly-tipping', { easting: IN_NEIGHBOUR_BOROUGH.easting.toFixed(0), northing: IN_NEIGHBOUR_BOROUGH.northing.toFixed(0) });
        assert.equal(path(guarded), '/services/fly-tipping/the-waste', 'council B holds the place: no contact page');
        await assertAxeClean(guarded, js, 'the waste');
        await page.getByLabel('Household rubbish').check();
        await page.getByLabel('How much is there?').selectOption('bags');
        await page.getByLabel('No', { exact: true }).check();
        await next('when');
        await page.getByLabel('Day', { exact: true }).fill('1');
        await page.getByLabel('Month', { exact: true }).fill('12');
        await page.getByLabel('Year', { exact: true }).fill('2026');
        await next('what you saw');
        await page.getByLabel('No', { exact: true }).check();
        await next('photos');
        await next('your details');
        await page.getByLabel('Full name').fill('Sam Border');
        await page.getByLabel('Email address').fill('sam@example.com');
        await next('check your answers');
        assert.match(await page.locator('h1').innerText(), /^Check your answers/);
        await navigate(guarded, () => page.getByRole('button', { name: /Accept and send/ }).click());
        await assertAxeClean(guarded, js, 'sent');
        const main = await page.locator('main').innerText();
        const reference = /[A-Z]{3}-[A-Z0-9]{8}/.exec(main)?.[0];
        assert.ok(reference, `a reference on the confirmation page: ${main}`);
        assert.match(reference, /^NBF-/, "council B's service's reference");
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');

        const row = await t.hub.db.row<{ id: string; service_id: string }>('select id, service_id from processes where reference = $1', [reference]);
        assert.equal(row?.service_id, 'north-fly');
        const get = (key: string) => fetch(`${t.url}/api/v1/processes/${row!.id}`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal((await get(await t.key(['*'], { council: 'north', name: 'Neighbour Borough back office' }))).status, 200);
        assert.equal((await get(await t.key(['*'], { council: 'default', name: 'Example District back office' }))).status, 404);
      } finally {
        await guarded.close();
      }
    });
  }
});
