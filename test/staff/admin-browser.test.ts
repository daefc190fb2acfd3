// The admin pages in Chromium, with and without JavaScript: a council admin creates an API key (which then works on the
// API), reads the audit log, revokes the key and erases a case; axe finds nothing on any page (checked in the run with
// JavaScript, as axe is script), and under the real Content-Security-Policy nothing is blocked or refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage, assertCleanUnderCsp } from '../helpers/browser.ts';
import { signUpStaff, staffTestHub } from './support.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

describe('staff admin pages in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    t = await staffTestHub({ configFile: CONFIG });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const js of [true, false]) {
    test(`a council admin makes a key, reads the audit log and erases a case ${js ? 'with' : 'without'} JavaScript`, async () => {
      const account = await signUpStaff(t, { role: 'council-admin', council: 'south', name: `Admin ${js ? 'Js' : 'Plain'}` });
      const submitted = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          answers: {
            noiseType: 'music',
            description: 'Loud',
            source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
            started: '2026-10-01',
            times: ['night'],
            email: 'south@example.com',
          },
        }),
      });
      const { processId, reference } = (await submitted.json()) as { processId: string; reference: string };
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const page = guarded.page;
      await guarded.context.addCookies([{ name: 'closeloop_staff', value: account.browser.sessionCookie()!, url: `${t.url}/staff` }]);
      const violations: { url: string; ids: string[] }[] = [];
      const check = async (p: Page) => {
        if (!js) return;
        const found = await axeOnPage(p);
        if (found.length) violations.push({ url: p.url(), ids: found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) });
      };
      try {
        await page.goto(`${t.url}/staff/api-keys`);
        await check(page);
        await page.getByRole('button', { name: 'Create an API key' }).click();
        await page.waitForURL(/\/staff\/api-keys\/new$/);
        await check(page);
        // An error first: GOV.UK's summary and field messages.
        await page.getByRole('button', { name: 'Create key' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter a name for the key[^]*Select at least one service/);
        await check(page);
        await page.getByLabel('Name of the key').fill(`Browser key ${js}`);
        await page.getByLabel('Report a noise problem').check();
        await page.getByLabel('Year').fill(String(new Date().getUTCFullYear() + 1));
        await page.getByLabel('Month').fill('3');
        await page.getByLabel('Day').fill('27');
        await page.getByRole('button', { name: 'Create key' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('h1').innerText(), /API key created/);
        await check(page);
        const key = (await page.locator('#api-key').innerText()).trim();
        const api = await fetch(`${t.url}/api/v1/processes`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(api.status, 200, 'the key works on the API');

        await page.goto(`${t.url}/staff/audit`);
        await check(page);
        assert.match(await page.locator('#audit').innerText(), new RegExp(`Admin ${js ? 'Js' : 'Plain'} \\(staff\\)`));
        await page.getByLabel('Case reference').fill(reference);
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await page.waitForLoadState();
        assert.match(page.url(), /case=/);
        await check(page);

        await page.goto(`${t.url}/staff/api-keys`);
        await page.getByRole('link', { name: `Revoke Browser key ${js}` }).click();
        await page.waitForLoadState();
        await check(page);
        await page.getByRole('button', { name: 'Revoke key' }).click();
        await page.waitForURL(/revoked=/);
        await check(page);
        assert.equal((await fetch(`${t.url}/api/v1/processes`, { headers: { authorization: `Bearer ${key}` } })).status, 401);

        await page.goto(`${t.url}/staff/erasure`);
        await check(page);
        await page.getByLabel('Case reference').fill(reference);
        await page.getByRole('button', { name: 'Find the case' }).click();
        await page.waitForURL(new RegExp(`/staff/cases/${processId}/erase$`));
        await check(page);
        await page.getByLabel('Why are you erasing it?').fill('Request DPO-1');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('h1').innerText(), new RegExp(`Erase the personal data of case ${reference}\\?`));
        await check(page);
        await page.getByRole('button', { name: 'Erase personal data' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-panel').innerText(), /Personal data erased/);
        await check(page);

        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');

        // Under the real CSP: no violation, no script error.
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          ['/staff/api-keys', '/staff/api-keys/new', '/staff/audit', '/staff/erasure'].map((path) => `${t.url}${path}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
