// Issue 6 acceptance 1 and 2: a citizen completes the noise complaint in Chromium — a corrected validation error, a
// conditional question, a file upload (after a refused one: issue 14) — with and without JavaScript; axe finds nothing
// on any page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { pngBytes } from '../helpers/files.ts';

describe('citizen form journey', () => {
  let t: TestHub;
  let browser: Browser;
  let dir: string;
  let photo: string;
  let program: string;
  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    dir = await mkdtemp(join(tmpdir(), 'closeloop-upload-'));
    photo = join(dir, 'night-photo.png');
    await writeFile(photo, pngBytes(20_000, 'journey'));
    program = join(dir, 'recording.exe');
    await writeFile(program, Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(2000, 1)]));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function journey(js: boolean) {
    const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: js });
    const page = guarded.page;
    const violations: { url: string; ids: string[] }[] = [];
    const check = async (p: Page) => {
      if (!js) return;
      const v = await axeOnPage(p);
      if (v.length) violations.push({ url: p.url(), ids: v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`) });
    };
    // Every form post or link navigates: wait for the new page before looking at it.
    const navigate = (action: () => Promise<void>) => Promise.all([page.waitForNavigation(), action()]);
    const next = () => navigate(() => page.getByRole('button', { name: 'Continue' }).click());
    try {
      await page.goto(`${t.url}/`);
      await check(page);
      await navigate(() => page.getByRole('link', { name: 'Report a noise problem' }).click());
      await check(page);
      await navigate(() => page.getByRole('button', { name: 'Start now' }).click());

      // A validation error, corrected.
      await check(page);
      await next();
      assert.equal(await page.locator('.govuk-error-summary').isVisible(), true, 'error summary shown');
      assert.match(await page.locator('.govuk-error-summary').innerText(), /Select what kind of noise it is/);
      await check(page);
      await page.locator('.govuk-error-summary a').first().click();
      await page.getByLabel('Something else').check();
      // The conditional question (revealed under its option).
      await page.getByLabel('Describe the noise').fill('A generator running all night');
      await next();

      // The address question's finder (test/forms/find-address*.test.ts): this journey types the address.
      await check(page);
      await navigate(() => page.getByRole('link', { name: 'Enter the address manually' }).click());
      await page.getByLabel('Address line 1').fill('14 Mill Lane');
      await page.getByLabel('Town or city').fill('Exampleton');
      await page.getByLabel('Postcode').fill('ex4 4qj');
      await check(page);
      await next();

      await page.getByLabel('Night (11pm to 7am)').check();
      await page.getByLabel('How often does it happen?').selectOption('daily');
      await page.getByLabel('Day', { exact: true }).fill('12');
      await page.getByLabel('Month', { exact: true }).fill('10');
      await page.getByLabel('Year', { exact: true }).fill('2026');
      await check(page);
      await next();

      await page.getByLabel('How is the noise affecting you?').fill('I cannot sleep.');
      await page.getByLabel('Yes').check();
      await page.getByLabel('What happened when you spoke to them?').fill('They said it is needed for work.');
      await check(page);
      await next();

      // A file of the wrong type: the question again with the error, and a way on.
      await page.locator('input[type=file]').setInputFiles(program);
      await next();
      assert.equal(await page.locator('.govuk-error-summary a').innerText(), 'The selected file must be a MP3, MP4, JPG, PNG or PDF');
      assert.match(await page.locator('.govuk-error-message').innerText(), /The selected file must be a MP3, MP4, JPG, PNG or PDF/);
      await check(page);
      await page.locator('input[type=file]').setInputFiles(photo);
      await check(page);
      await next();

      await page.getByLabel('Full name').fill('Sam Resident');
      await page.getByLabel('Email address').fill('sam@example.com');
      await page.getByLabel('Address line 1').fill('16 Mill Lane');
      await page.getByLabel('Town or city').fill('Exampleton');
      await page.getByLabel('Postcode').fill('EX4 4QJ');
      await check(page);
      await next();

      assert.match(await page.locator('h1').innerText(), /Check your answers/);
      const summary = await page.locator('.govuk-summary-list').innerText();
      for (const text of ['Something else', 'A generator running all night', 'EX4 4QJ', 'night-photo.png', 'They said it is needed for work.'])
        assert.ok(summary.includes(text), text);
      await check(page);
      await navigate(() => page.getByRole('button', { name: 'Accept and send' }).click());

      const panel = await page.locator('.govuk-panel').innerText();
      const reference = /NOI-[A-HJ-NP-Z2-9]{8}/.exec(panel)?.[0];
      assert.ok(reference, 'the confirmation shows the reference');
      // No worker runs here: the confirmation e-mail has not gone yet, and the page does not say it has.
      assert.equal(await page.locator('#confirmation-notice').innerText(), 'We will send a confirmation to sam@example.com.');
      const trackingUrl = await page.locator('#tracking-link').getAttribute('href');
      assert.match(trackingUrl ?? '', /\/track\/[A-Za-z0-9_-]{43}$/);
      await check(page);
      assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
      assert.deepEqual(violations, [], 'axe found no violations');

      // The process exists with the file.
      const key = await t.key(['noise-complaint']);
      const list = (await (await fetch(`${t.url}/api/v1/processes?service=noise-complaint`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        processes: { id: string; reference: string }[];
      };
      const proc = list.processes.find((p) => p.reference === reference)!;
      const detail = (await (await fetch(`${t.url}/api/v1/processes/${proc.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        answers: Record<string, any>;
        documents: { kind: string; name: string; url: string }[];
      };
      assert.equal(detail.answers.otherNoise, 'A generator running all night');
      assert.equal(detail.answers.startedOn, '2026-10-12');
      const file = detail.documents.find((d) => d.kind === 'evidence')!;
      assert.equal(file.name, 'night-photo.png');
      const bytes = Buffer.from(await (await fetch(file.url, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer());
      assert.deepEqual(bytes, pngBytes(20_000, 'journey'));

      // Starting the service again begins with empty answers.
      await page.goto(`${t.url}/services/noise-complaint`);
      await page.goto(`${t.url}/services/noise-complaint/about-the-noise`);
      assert.equal(await page.locator('input[name=noiseType]:checked').count(), 0);
    } finally {
      await guarded.close();
    }
  }

  test('with JavaScript', async () => {
    await journey(true);
  });

  test('without JavaScript', async () => {
    await journey(false);
  });

  test('usable by keyboard alone: skip link first, options and buttons reachable with Tab, Space and Enter', async () => {
    const guarded = await newPage(browser);
    const page = guarded.page;
    try {
      await page.goto(`${t.url}/services/pest-control/the-pest`);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to main content');
      await page.keyboard.press('Enter');
      // Tab to the first radio, choose it with Space; Tab to the first checkbox, tick it with Space.
      for (let i = 0; i < 20 && (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)) !== 'pest'; i++)
        await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      for (let i = 0; i < 20 && (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)) !== 'whereSeen'; i++)
        await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      for (let i = 0; i < 20 && (await page.evaluate(() => document.activeElement?.textContent?.trim())) !== 'Continue'; i++) await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL(/\/services\/pest-control\/the-property$/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('h1').innerText(), /The property/);
    } finally {
      await guarded.close();
    }
  });
});
