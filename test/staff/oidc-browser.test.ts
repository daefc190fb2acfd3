// Signing in through the council's OpenID provider in Chromium, with and without JavaScript: the sign-in page's
// "Sign in with your … account" link, the provider's own sign-in and consent forms (a real oidc-provider on a loopback
// port), back to the hub and the overview with the person's name. Nothing loads from outside hosts, the hub's pages
// break no Content-Security-Policy rule, and axe finds nothing on them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Config } from '../../core/config/index.ts';
import { staffOidcSchema } from '../../core/config/staff-schema.ts';
import { freePort, type TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage, type GuardedPage } from '../helpers/browser.ts';
import { startOidcProvider, type TestOidcProvider } from '../peers/oidc-provider.ts';
import { staffTestHub } from './support.ts';

const ACCOUNTS = {
  'jane.smith': { claims: { email: 'jane.smith@example.gov.uk', name: 'Jane Smith', groups: ['closeloop-operators'] } },
  'olu.adeyemi': { claims: { email: 'olu.adeyemi@example.gov.uk', name: 'Olu Adeyemi', groups: ['closeloop-operators'] } },
  'no.role': { claims: { email: 'no.role@example.gov.uk', name: 'No Role', groups: ['someone-else'] } },
};

describe('staff sign-in through the council provider in a browser', () => {
  let hubUrl: string;
  let idp: TestOidcProvider;
  let t: TestHub;
  let browser: Browser;

  before(async () => {
    const port = await freePort();
    hubUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      accounts: ACCOUNTS,
      clients: [{ clientId: 'closeloop-default', clientSecret: 'default-secret', redirectUris: [`${hubUrl}/staff/sign-in/default/oidc/callback`] }],
      form: true,
    });
    process.env.TEST_OIDC_BROWSER_SECRET = 'default-secret';
    t = await staffTestHub({
      env: { PORT: String(port), PUBLIC_BASE_URL: hubUrl },
      configure: (config: Config) => {
        config.council.staff = {
          oidc: staffOidcSchema.parse({
            issuer: idp.issuer,
            clientId: 'closeloop-default',
            clientSecret: { env: 'TEST_OIDC_BROWSER_SECRET' },
            roleMapping: [{ value: 'closeloop-operators', role: 'operator' }],
          }),
        };
      },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  /** Sign-in page → the provider link → the provider's forms → back at the hub. */
  async function journey(page: Page, username: string, onHubPage: (p: Page) => Promise<void>): Promise<void> {
    await page.goto(`${hubUrl}/staff/sign-in`);
    await onHubPage(page);
    await page.getByRole('link', { name: /^Sign in with your .+ account$/ }).click();
    await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`));
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/interaction/`) && !u.pathname.endsWith('/login'));
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(hubUrl));
    await page.waitForLoadState();
  }

  for (const js of [true, false]) {
    const username = js ? 'jane.smith' : 'olu.adeyemi';
    const name = ACCOUNTS[username].claims.name;

    test(`sign in with the council's account and reach the overview ${js ? 'with' : 'without'} JavaScript`, async () => {
      // axe needs CSP bypassed to inject itself; the CSP itself is checked in the strict run below.
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const violations: string[] = [];
      // axe runs as script: without JavaScript the same pages are checked by the run with it.
      const check = async (p: Page) => {
        if (!js) return;
        for (const v of await axeOnPage(p)) violations.push(`${p.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      };
      try {
        await journey(guarded.page, username, check);
        assert.match(guarded.page.url(), /\/staff\/overview$/);
        assert.equal(await guarded.page.locator('h1').innerText(), 'Overview');
        assert.match(await guarded.page.locator('header').innerText(), new RegExp(name));
        await check(guarded.page);
        await guarded.page.goto(`${hubUrl}/staff/account`);
        assert.match(await guarded.page.locator('main').innerText(), new RegExp(name));
        await check(guarded.page);
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
      } finally {
        await guarded.close();
      }

      // The same journey under the hub's real Content-Security-Policy: no violation, no script error, nothing from outside.
      const strict: GuardedPage = await newPage(browser, { javaScriptEnabled: js });
      try {
        await journey(strict.page, username, async () => {});
        assert.match(strict.page.url(), /\/staff\/overview$/);
        assert.match(await strict.page.locator('header').innerText(), new RegExp(name));
        await strict.page.waitForLoadState('networkidle');
        assert.deepEqual(strict.blocked, []);
        assert.deepEqual(strict.consoleErrors, [], 'no CSP violation or script error');
        if (js) assert.equal(await strict.page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), true);
      } finally {
        await strict.close();
      }
    });
  }

  test('a person the role mapping does not know is refused with a page saying so, axe clean', async () => {
    const guarded = await newPage(browser, { bypassCSP: true });
    try {
      await journey(guarded.page, 'no.role', async () => {});
      assert.match(await guarded.page.locator('main').innerText(), /You do not have a role in this council/);
      const found = await axeOnPage(guarded.page);
      assert.deepEqual(
        found.map((v) => v.id),
        [],
      );
      await guarded.page.goto(`${hubUrl}/staff/overview`);
      assert.match(guarded.page.url(), /\/staff\/sign-in/, 'not signed in');
    } finally {
      await guarded.close();
    }
  });
});
