// Issue 20's new page kinds in Chromium, with JavaScript and without: a content page, money, an "add another" list
// worked by keyboard (Tab to the buttons, Enter and Space), a declaration ticked with Space, check your answers and
// sending; and an exit page that ends the form. axe finds nothing on any of them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { GuardedPage } from '../helpers/browser.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { growthConfig, PAGES, type GrowthConfig } from './growth-support.ts';

describe('the definition language in Chromium', () => {
  let t: TestHub;
  let setup: GrowthConfig;
  let browser: Browser;
  before(async () => {
    setup = growthConfig();
    t = await startTestHub({ configFile: setup.configFile });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    setup?.remove();
  });

  /** axe on what `guarded` shows now. Without JavaScript axe cannot be injected into the page itself: the same address
   * is opened in a context that may run it (same cookies; a GET changes nothing), as the page is without JavaScript. */
  async function axe(guarded: GuardedPage, js: boolean): Promise<void> {
    if (js) return assert.deepEqual(await axeOnPage(guarded.page), [], `axe: ${guarded.page.url()}`);
    const context = await browser.newContext({ bypassCSP: true });
    try {
      await context.addCookies(await guarded.context.cookies());
      const page = await context.newPage();
      await page.goto(guarded.page.url());
      await page.evaluate(() => document.body.classList.remove('js-enabled', 'govuk-frontend-supported'));
      assert.deepEqual(await axeOnPage(page), [], `axe: ${guarded.page.url()}`);
    } finally {
      await context.close();
    }
  }

  const heading = (page: Page) => page.locator('h1').first().innerText();
  const pathOf = (page: Page) => new URL(page.url()).pathname;

  for (const js of [false, true]) {
    test(`content, money, "add another" by keyboard, declaration and sending (JavaScript ${js ? 'on' : 'off'})`, async () => {
      // bypassCSP lets axe be injected; the pages' own scripts run as they would.
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const { page } = guarded;
      const check = () => axe(guarded, js);
      const navigate = (action: () => Promise<unknown>) => Promise.all([page.waitForNavigation(), action()]);
      const next = () => navigate(() => page.getByRole('button', { name: 'Continue' }).click());
      try {
        await page.goto(`${t.url}${PAGES}/where`);
        await page.getByLabel('In my garden').check();
        await next();

        assert.equal(pathOf(page), `${PAGES}/safety`);
        assert.equal(await heading(page), 'Before you go on');
        assert.match(await page.locator('.govuk-warning-text').innerText(), /If sewage is coming into your home/);
        await check();
        await next();

        assert.equal(await heading(page), 'How much did you pay a contractor?');
        await check();
        await page.getByLabel('How much did you pay a contractor?').fill('12.345');
        await next();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /How much you paid must be an amount of money, like 12.50/);
        await check();
        await page.getByLabel('How much did you pay a contractor?').fill('1250');
        await next();

        // The list: Tab from the last input reaches "Add another person"; Enter adds an item.
        assert.equal(await heading(page), 'Who else is affected?');
        await check();
        await page.locator('[name="people[0][name]"]').fill('Ann');
        await page.locator('[name="people[0][age]"]').fill('7');
        await page.locator('[name="people[0][since]-year"]').focus();
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Add another person');
        await navigate(() => page.keyboard.press('Enter'));
        assert.equal(new URL(page.url()).hash, '#people.1', 'the new item is shown');
        assert.equal(await page.locator('[name="people[0][name]"]').inputValue(), 'Ann', 'what was typed is kept');
        await check();
        await page.locator('[name="people[1][name]"]').fill('Bob');
        // Add a third, then remove it with Space on its Remove button.
        await navigate(() => page.getByRole('button', { name: 'Add another person' }).click());
        await page.locator('[name="people[2][name]"]').fill('Cy');
        assert.equal(await page.getByRole('button', { name: 'Add another person' }).count(), 0, 'none at the most');
        await page.getByRole('button', { name: 'Remove person 3' }).focus();
        await navigate(() => page.keyboard.press('Space'));
        assert.equal(await page.locator('[name="people[2][name]"]').count(), 0);
        assert.equal(await page.locator('[name="people[1][name]"]').inputValue(), 'Bob');
        // Enter in a text input is Continue, not an item's Remove.
        await page.locator('[name="people[1][name]"]').focus();
        await navigate(() => page.keyboard.press('Enter'));

        assert.equal(pathOf(page), `${PAGES}/agree`);
        assert.equal(await heading(page), 'Declaration');
        await next();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Select the box to confirm the declaration/);
        await check();
        await page.getByLabel('I confirm the information I have given is correct').focus();
        await page.keyboard.press('Space');
        assert.equal(await page.getByLabel('I confirm the information I have given is correct').isChecked(), true);
        await next();

        assert.equal(pathOf(page), `${PAGES}/check-answers`);
        await check();
        const rows = await page.locator('.govuk-summary-list').innerText();
        assert.match(rows, /£1,250\.00/);
        assert.match(rows, /Ann, 7\s*\n\s*Bob/);
        await navigate(() => page.getByRole('button', { name: 'Accept and send' }).click());
        assert.match(await heading(page), /We have received your blocked drain report/);
        const reference = /DRN-[A-HJ-NP-Z2-9]{8}/.exec(await page.locator('main').innerText())![0];
        const row = await t.hub.db.row<{ answers: Record<string, unknown> }>('select answers from processes where reference = $1', [reference]);
        assert.deepEqual(row!.answers, { where: 'garden', cost: '1250.00', people: [{ name: 'Ann', age: 7 }, { name: 'Bob' }], agree: true });
        assert.deepEqual(guarded.blocked, []);
      } finally {
        await guarded.close();
      }
    });

    test(`an exit page ends the form: no Continue, a back link (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const { page } = guarded;
      try {
        await page.goto(`${t.url}${PAGES}/where`);
        await page.getByLabel('In the road').check();
        await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
        assert.equal(pathOf(page), `${PAGES}/publicSewer`);
        assert.equal(await heading(page), 'Contact your water company');
        assert.equal(await page.locator('main').getByRole('button').count(), 0, 'no button at all');
        await axe(guarded, js);
        await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Back' }).click()]);
        assert.equal(pathOf(page), `${PAGES}/where`);
        assert.equal(await page.getByLabel('In the road').isChecked(), true);
      } finally {
        await guarded.close();
      }
    });
  }
});
