// The deliveries pages in Chromium, with and without JavaScript: an operator sees a dead delivery on the overview,
// follows the alert to the deliveries, opens it, reads the back office's answer, replays it and sees it delivered; the
// filter works as a plain GET form; the replay-all confirmation states the count. Axe finds nothing on any of these
// pages, and under the real CSP nothing is blocked and no script fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage, assertCleanUnderCsp } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { signUpStaff, staffTestHub } from './support.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('staff deliveries in a browser', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let browser: Browser;

  const deadPestRequest = async (answer: string): Promise<string> => {
    receiver.script([{ status: 400, body: answer }]);
    const res = await fetch(`${t.url}/api/v1/services/pests/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { pest: 'rats', email: 'north@example.com' } }),
    });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    return waitFor(async () => {
      const [row] = await t.hub.db.rows<{ id: string; status: string }>('select id, status from deliveries where process_id = $1', [processId]);
      return row?.status === 'dead' ? row.id : null;
    }, 'a dead delivery');
  };

  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await staffTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: true,
      configure: (c) => {
        c.bindings['north-casework']!.description = 'Pest control back office';
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  for (const js of [true, false]) {
    test(`an operator replays a dead delivery ${js ? 'with' : 'without'} JavaScript`, async () => {
      const answer = `Pest code not known (${js ? 'with' : 'without'} JavaScript)`;
      const id = await deadPestRequest(answer);
      const operator = await signUpStaff(t, { role: 'operator' });
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
      const page = guarded.page;
      const violations: string[] = [];
      const check = async (p: Page) => {
        if (!js) return; // axe runs as script: the run with JavaScript checks the same pages
        for (const v of await axeOnPage(p)) violations.push(`${p.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      };
      try {
        await guarded.context.addCookies([{ name: 'closeloop_staff', value: operator.browser.sessionCookie()!, url: `${t.url}/staff` }]);
        await page.goto(`${t.url}/staff/overview`);
        await page.getByRole('region', { name: 'Dead deliveries: north-casework' }).getByRole('link', { name: 'See them' }).click();
        await page.waitForURL(/\/staff\/deliveries\?binding=north-casework&status=dead$/);
        assert.equal(await page.locator('h1').innerText(), 'Deliveries');
        await check(page);

        // A date that does not exist: the error summary, its link and the field's error.
        await page.goto(`${t.url}/staff/deliveries?from=31/2/2026`);
        assert.equal(await page.locator('.govuk-error-summary a').innerText(), 'Submitted from must be a real date, for example 1/10/2026');
        await check(page);

        // The filter is a GET form: pick a status and apply.
        await page.getByLabel('Status').selectOption('dead');
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await page.waitForURL(/status=dead/);
        const row = page.locator(`tr[data-delivery="${id}"]`);
        assert.equal(await row.count(), 1);
        assert.match(await row.locator('.govuk-tag').innerText(), /^Dead$/i);
        await row.getByRole('link').click();
        await page.waitForURL(new RegExp(`/staff/deliveries/${id}$`));
        assert.ok((await page.locator('[data-excerpt]').first().innerText()).includes(answer), "the back office's answer");
        assert.match(await page.locator('#xml-sent').innerText(), /<PestRequest>/);
        await check(page);

        await page.getByRole('button', { name: 'Replay this delivery' }).click();
        await page.waitForURL(/replayed=1$/);
        assert.equal(await page.locator('#notice').innerText(), 'The delivery will be sent again');
        await check(page);
        await waitFor(async () => {
          await page.goto(`${t.url}/staff/deliveries/${id}`);
          return (await page.locator('#delivery-status').getAttribute('data-status')) === 'delivered';
        }, 'the delivery shown delivered');

        // The replay-all confirmation, for two more dead ones.
        await deadPestRequest('refused again');
        await deadPestRequest('refused again');
        await page.goto(`${t.url}/staff/deliveries?binding=north-casework`);
        await page.getByRole('link', { name: 'Replay dead deliveries to Pest control back office' }).click();
        assert.equal(await page.locator('h1').innerText(), 'Replay 2 dead deliveries to Pest control back office?');
        await check(page);
        await page.getByRole('button', { name: 'Replay 2 dead deliveries' }).click();
        await page.waitForURL(/replayed=2/);
        assert.match(await page.locator('#notice').innerText(), /^2 dead deliveries to Pest control back office will be sent again$/);
        await check(page);

        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');

        // Under the real CSP: nothing blocked, no console error.
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          ['/staff/deliveries?from=31/2/2026', `/staff/deliveries/${id}`, '/staff/deliveries/replay-dead?binding=north-casework'].map(
            (path) => `${t.url}${path}`,
          ),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
