// The staff console in Chromium, with and without JavaScript: the account link, password, authenticator app and the
// overview load nothing from outside hosts, break no Content-Security-Policy rule, and axe finds nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { cliStaff, linkIn, signUpStaff, staffTestHub, totpCode } from './support.ts';

describe('staff console in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    t = await staffTestHub();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const js of [true, false]) {
    test(`set up an account and reach the overview ${js ? 'with' : 'without'} JavaScript`, async () => {
      const created = await cliStaff(t, 'create', { email: `browser-${js}@example.org`, role: 'operator' });
      // axe needs CSP bypassed to inject itself; the CSP itself is checked in a second, strict page below.
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const page = guarded.page;
      const violations: { url: string; ids: string[] }[] = [];
      const check = async (p: Page) => {
        // axe runs as script: without JavaScript the same pages are checked by the run with it.
        if (!js) return;
        const found = await axeOnPage(p);
        if (found.length) violations.push({ url: p.url(), ids: found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) });
      };
      try {
        await page.goto(linkIn(created.out));
        await check(page);
        await page.getByLabel('Full name').fill('Jane Smith');
        await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
        await page.getByLabel('Confirm password').fill('correct horse battery staple');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('h1').innerText(), /Set up your authenticator app/);
        assert.ok(await page.getByRole('img', { name: 'QR code for your authenticator app' }).isVisible());
        await check(page);
        const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
        await page.getByLabel('Code from your authenticator app').fill(totpCode(secret));
        await page.getByRole('button', { name: 'Finish setting up' }).click();
        await page.waitForURL(/\/staff\/overview$/);
        assert.equal(await page.locator('h1').innerText(), 'Overview');
        await check(page);
        await page.goto(`${t.url}/staff/account`);
        await check(page);
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');

        // The same pages under the real CSP: no violation, nothing from outside.
        const strict = await newPage(browser, { javaScriptEnabled: js });
        try {
          await strict.context.addCookies(await guarded.context.cookies());
          await strict.page.goto(`${t.url}/staff/overview`);
          await strict.page.waitForLoadState('networkidle');
          await strict.page.goto(`${t.url}/staff/sign-in`);
          await strict.page.waitForLoadState('networkidle');
          assert.deepEqual(strict.blocked, []);
          assert.deepEqual(strict.consoleErrors, [], 'no CSP violation or script error');
          if (js) assert.equal(await strict.page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), true);
        } finally {
          await strict.close();
        }
      } finally {
        await guarded.close();
      }
    });
  }

  for (const js of [true, false]) {
    test(`a caseworker finds a case by postcode, adds a public note and completes a task ${js ? 'with' : 'without'} JavaScript`, async () => {
      const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          answers: {
            noiseType: 'dog',
            noiseSource: { line1: '3 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
            whenHappens: ['day'],
            frequency: 'daily',
            startedOn: '2026-09-01',
            impact: 'Barking.',
            spokenToNeighbour: 'no',
            fullName: 'Browser Citizen',
            email: `browser-${js}@example.com`,
            homeAddress: { line1: '5 Kennel Row', town: 'Exampleton', postcode: js ? 'EX7 1JS' : 'EX7 0NJ' },
          },
        }),
      });
      assert.equal(res.status, 201);
      const { reference } = (await res.json()) as { reference: string };
      const account = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const page = guarded.page;
      const violations: string[] = [];
      const check = async () => {
        if (!js) return;
        for (const v of await axeOnPage(page)) violations.push(`${page.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      };
      try {
        await guarded.context.addCookies([{ name: 'closeloop_staff', value: account.browser.sessionCookie()!, domain: '127.0.0.1', path: '/staff' }]);
        await page.goto(`${t.url}/staff/cases`);
        await check();
        await page.getByLabel('Postcode').fill(js ? 'ex71js' : 'EX7 0NJ');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL(/postcode=/);
        assert.match(await page.locator('#result-count').innerText(), /^1 case$/);
        await check();
        await page.getByRole('link', { name: reference }).click();
        await page.waitForURL(/\/staff\/cases\/[0-9a-f-]{36}$/);
        await check();
        await page.getByLabel('Note', { exact: true }).fill('An officer will visit on Tuesday.');
        await page.getByLabel('Public: the citizen will see this').check();
        await page.getByRole('button', { name: 'Add note' }).click();
        await page.waitForURL(/done=public-note/);
        await check();
        await page.locator('#task-triage-status').selectOption('completed');
        await page.locator('#task-form-triage').getByRole('button', { name: 'Update task' }).click();
        await page.waitForURL(/done=task/);
        assert.match(await page.locator('.moj-timeline').innerText(), /by Jane Smith \(staff\)/);
        await page
          .getByRole('button', { name: 'Close case' })
          .or(page.getByRole('link', { name: 'Close case' }))
          .first()
          .click();
        await page.waitForURL(/\/close$/);
        await check();
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
      } finally {
        await guarded.close();
      }
      const strict = await newPage(browser, { javaScriptEnabled: js });
      try {
        await strict.context.addCookies([{ name: 'closeloop_staff', value: account.browser.sessionCookie()!, domain: '127.0.0.1', path: '/staff' }]);
        await strict.page.goto(`${t.url}/staff/cases?postcode=EX2+5TT&status=submitted&status=received`);
        await strict.page.waitForLoadState('networkidle');
        assert.deepEqual(strict.blocked, []);
        assert.deepEqual(strict.consoleErrors, [], 'no CSP violation or script error');
      } finally {
        await strict.close();
      }
    });
  }
});
