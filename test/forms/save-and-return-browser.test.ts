// Issue 18's "Done when" for save and return, in Chromium without JavaScript: save on page 3 with a file, open the
// e-mailed link in a fresh browser, finish and send → one process with the file; the link again → "already used".
// The pages are axe clean and load nothing from outside.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pngBytes } from '../helpers/files.ts';
import { axeOnPage, launchBrowser, newPage, runAxe, type GuardedPage } from '../helpers/browser.ts';

const FOOD = '/services/food-hygiene-complaint';

describe('save and come back later in Chromium, without JavaScript', () => {
  let t: TestHub;
  let smtp: SmtpPeer;
  let browser: Browser;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const heading = (page: Page) => page.locator('h1').first().innerText();
  const pathOf = (page: Page) => new URL(page.url()).pathname;

  /** axe on the page `guarded` shows now, in a context that may inject it (same cookies; a GET changes nothing). */
  async function axeWithCookiesOf(guarded: GuardedPage): Promise<void> {
    const context = await browser.newContext({ bypassCSP: true });
    try {
      await context.addCookies(await guarded.context.cookies());
      const page = await context.newPage();
      await page.goto(guarded.page.url());
      assert.deepEqual(await axeOnPage(page), [], `axe: ${guarded.page.url()}`);
    } finally {
      await context.close();
    }
  }

  test('save on page 3 with a file, continue in a fresh browser, send: one process with the file; the link again says "already used"', async () => {
    const first = await newPage(browser, { javaScriptEnabled: false });
    let link: string;
    try {
      const { page } = first;
      await page.goto(`${t.url}${FOOD}/the-business`);
      await page.getByLabel('Name of the food business').fill('Browser Bistro');
      await page.locator('[name="businessAddress[line1]"]').fill('2 Market Square');
      await page.locator('[name="businessAddress[postcode]"]').fill('EX2 2BB');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('The premises look dirty or unhygienic').check();
      await page.locator('[name="purchaseDate-day"]').fill('3');
      await page.locator('[name="purchaseDate-month"]').fill('11');
      await page.locator('[name="purchaseDate-year"]').fill('2026');
      await page.getByRole('button', { name: 'Continue' }).click();

      // Page 3: answers and a file, then "Save and come back later".
      assert.equal(pathOf(page), `${FOOD}/details`);
      await axeWithCookiesOf(first);
      await page.getByLabel('Tell us what happened').fill('Mouse droppings behind the counter.');
      await page.getByLabel('No', { exact: true }).check();
      await page.locator('input[name="evidence"]').setInputFiles({ name: 'droppings.png', mimeType: 'image/png', buffer: pngBytes(5000, 'browser-save') });
      await page.getByRole('button', { name: 'Save and come back later' }).click();

      assert.equal(pathOf(page), `${FOOD}/save-and-return`);
      assert.equal(await heading(page), 'Save your answers and come back later');
      await axeWithCookiesOf(first);
      await page.getByRole('button', { name: 'Save and send link' }).click();
      assert.equal(
        await page
          .locator('.govuk-error-summary')
          .innerText()
          .then((s) => s.includes('Enter an email address in the correct format, like name@example.com')),
        true,
      );
      await page.getByLabel('Email address').fill('browser.saver@example.com');
      await page.getByRole('button', { name: 'Save and send link' }).click();

      assert.equal(pathOf(page), `${FOOD}/save-and-return/sent`);
      assert.match(await page.locator('main').innerText(), /We (are sending|have sent) a link to browser\.saver@example\.com\./);
      await axeWithCookiesOf(first);
      assert.deepEqual(first.blocked, [], 'nothing loaded from outside');
      // The refused address's page answers 422, which Chromium reports; nothing else may reach the console.
      assert.deepEqual(
        first.consoleErrors.filter((e) => !e.includes('status of 422')),
        [],
      );

      await smtp.waitFor((ms) => ms.some((m) => m.to.includes('browser.saver@example.com')), 30_000);
      const mail = smtp.messages.find((m) => m.to.includes('browser.saver@example.com'))!;
      link = /http:\/\/\S+\/return\/[A-Za-z0-9_-]{43}/.exec(mail.text)![0];
      assert.ok(mail.html.includes(`href="${link}"`), 'the HTML part links it');
    } finally {
      await first.close();
    }

    assert.deepEqual(await runAxe(browser, link, { javaScriptEnabled: false }), [], 'the link page is axe clean (and opening it uses nothing up)');

    // A fresh browser: no cookie of the first.
    const second = await newPage(browser, { javaScriptEnabled: false });
    try {
      const { page } = second;
      const opened = await page.goto(link);
      assert.equal(opened!.status(), 200);
      assert.equal(await heading(page), 'Continue your form');
      assert.equal(opened!.headers()['referrer-policy'], 'no-referrer');
      await page.getByRole('button', { name: 'Continue' }).click();

      assert.equal(pathOf(page), `${FOOD}/your-details`, 'the first unanswered page');
      await page.getByLabel('Full name').fill('Bea Browser');
      await page.getByLabel('Email address').fill('browser.saver@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();

      assert.equal(pathOf(page), `${FOOD}/check-answers`);
      const check = await page.locator('main').innerText();
      for (const answer of ['Browser Bistro', '2 Market Square', 'Mouse droppings behind the counter.', 'droppings.png'])
        assert.ok(check.includes(answer), `restored: ${answer}`);
      await page.getByRole('button', { name: 'Accept and send' }).click();
      assert.equal(pathOf(page), `${FOOD}/confirmation`);
      assert.equal(await heading(page), 'We have received your complaint');

      const processes = (await t.hub.db.rows(`select id from processes where answers->>'businessName' = 'Browser Bistro'`)) as { id: string }[];
      assert.equal(processes.length, 1, 'exactly one process');
      const docs = await t.hub.db.rows(`select name, size::int as size from documents where process_id = $1 and kind = 'evidence'`, [processes[0]!.id]);
      assert.deepEqual(docs, [{ name: 'droppings.png', size: 5000 }], 'with the file');

      const again = await page.goto(link);
      assert.equal(again!.status(), 410);
      assert.equal(await heading(page), 'This link has already been used');
      assert.deepEqual(second.blocked, []);
      // The used link's page answers 410, which Chromium reports; nothing else may reach the console.
      assert.deepEqual(
        second.consoleErrors.filter((e) => !e.includes('status of 410')),
        [],
      );
    } finally {
      await second.close();
    }
    assert.deepEqual(await runAxe(browser, link, { javaScriptEnabled: false }), [], 'the "already used" page is axe clean');
  });
});
