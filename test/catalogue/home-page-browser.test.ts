// The citizen home page's catalogue in Chromium: headings a screen reader can jump between (a category per heading,
// a council per heading on a shared hub), a service's link leads to its start page without JavaScript, axe clean with
// and without JavaScript, and nothing loaded from outside.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { launchBrowser, newPage, runAxe } from '../helpers/browser.ts';
import { expectedSections, library, twoCouncilConfig } from './support.ts';

describe('the home page catalogue in Chromium', () => {
  let browser: Browser;
  let single: TestHub;
  let shared: TestHub;
  let sharedConfig: string;
  before(async () => {
    browser = await launchBrowser();
    single = await startTestHub();
    sharedConfig = twoCouncilConfig();
    shared = await startTestHub({ configFile: sharedConfig });
  });
  after(async () => {
    await browser?.close();
    await single?.close();
    await shared?.close();
    if (sharedConfig) rmSync(dirname(sharedConfig), { recursive: true, force: true });
  });

  test('without JavaScript: a heading per category, each listing its services; a link opens the start page', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: false });
    try {
      const { page } = guarded;
      await page.goto(`${single.url}/`);
      const headings = await page.getByRole('heading', { level: 2 }).allInnerTexts();
      assert.deepEqual(
        headings.map((h) => h.trim()),
        expectedSections(library).map(([heading]) => heading),
      );
      // The links under "Food safety" are the food services, A–Z.
      const food = page.locator('h2:has-text("Food safety") + ul').getByRole('link');
      const foodTitles = library
        .filter((d) => d.category === 'food-safety')
        .map((d) => d.title)
        .sort((a, b) => a.localeCompare(b, 'en-GB'));
      assert.deepEqual(await food.allInnerTexts(), foodTitles);
      await food.first().click();
      await page.waitForURL(/\/services\/food-/);
      assert.equal((await page.locator('h1').first().innerText()).trim(), foodTitles[0]);
      assert.deepEqual(guarded.blocked, []);
      assert.deepEqual(guarded.consoleErrors, []);
    } finally {
      await guarded.close();
    }
  });

  test('a shared hub: a heading per council, its categories a level below', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: false });
    try {
      await guarded.page.goto(`${shared.url}/`);
      assert.deepEqual(await guarded.page.getByRole('heading', { level: 2 }).allInnerTexts(), ['South Borough Council', 'North District Council']);
      assert.deepEqual(await guarded.page.getByRole('heading', { level: 3 }).allInnerTexts(), ['Noise and nuisance', 'Other services', 'Other services']);
    } finally {
      await guarded.close();
    }
  });

  test('axe finds nothing, with and without JavaScript, on one council’s page and a shared hub’s', async () => {
    for (const url of [`${single.url}/`, `${shared.url}/`]) {
      assert.deepEqual(await runAxe(browser, url), [], `${url} with JavaScript`);
      assert.deepEqual(await runAxe(browser, url, { javaScriptEnabled: false }), [], `${url} without JavaScript`);
    }
  });
});
