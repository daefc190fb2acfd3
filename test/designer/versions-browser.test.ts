// The services list, creating a service, its page, settings, publishing, versions, compare and roll back in Chromium,
// with and without JavaScript: a service editor creates a blank service, sees the publish page list its problems with
// links to where to fix them, publishes it, changes it and publishes again, compares the two versions and rolls back.
// axe finds nothing on any page (checked in the run with JavaScript, as axe is script), and under the real
// Content-Security-Policy nothing is blocked or refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { launchBrowser, assertCleanUnderCsp } from '../helpers/browser.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';
import { editDraft, getDraft } from '../../core/designer/drafts.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

describe('designer: services, versions and publishing in a browser', () => {
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
    test(`a service editor creates, publishes, compares and rolls back a service ${js ? 'with' : 'without'} JavaScript`, async () => {
      const suffix = js ? 'js' : 'plain';
      const title = `Report a dead animal ${suffix}`;
      const id = `report-a-dead-animal-${suffix}`;
      const account = await signUpStaff(t, { role: 'service-editor', council: 'south', name: `Eddie ${suffix}` });
      const { page, guarded, violations, check } = await openDesignerPage(browser, { js, t, signedIn: account.browser });
      const click = async (role: 'button' | 'link', name: string | RegExp) => {
        await page.getByRole(role, { name }).click();
        await page.waitForLoadState();
      };
      try {
        await page.goto(`${t.url}/staff/services`);
        await check(page);
        await click('button', 'Create a service');
        assert.match(page.url(), /\/staff\/services\/new$/);
        await check(page);
        // Errors first: GOV.UK's summary linking to each field.
        await click('button', 'Create service');
        assert.match(
          await page.locator('.govuk-error-summary').innerText(),
          /Select how to start the service[^]*Enter the name of the service[^]*Enter a reference prefix/,
        );
        await check(page);
        await page.getByLabel('Start from a blank service').check();
        await page.getByLabel('Name of the service').fill(title);
        await page.getByLabel('Reference prefix').fill(js ? 'DAJ' : 'DAP');
        await click('button', 'Create service');
        assert.match(page.url(), new RegExp(`/staff/services/${id}\\?created=1$`));
        assert.match(
          await page.locator('#draft-state').innerText(),
          new RegExp(`Draft, last edited by Eddie ${suffix} on \\d+ \\w+ 20\\d\\d at \\d+:\\d\\d[ap]m`),
        );
        await check(page);

        // Publishing a blank service: each problem links to where it is fixed.
        await click('link', 'Publish');
        const summary = page.locator('.govuk-error-summary');
        assert.match(await summary.innerText(), /Add at least one question[^]*Add at least one task/);
        assert.equal(await summary.getByRole('link', { name: 'Add at least one question' }).getAttribute('href'), `/staff/services/${id}/questions`);
        assert.equal(await summary.getByRole('link', { name: 'Add at least one task' }).getAttribute('href'), `/staff/services/${id}/tasks`);
        await check(page);

        // The question builder and the tasks page are other parts of the designer: their result, written directly.
        const draft = (await getDraft(t.hub, id))!;
        await editDraft(t.hub, { actor: 'staff:test', name: 'Test' }, id, draft.revision, 'added a question and a task', (d) => {
          d.fields.push({ id: 'where', type: 'textarea', label: 'Where is the animal?' });
          d.tasks.push({ key: 'collect', title: 'Collect the animal' });
        });
        await page.reload();
        await check(page);
        await click('button', 'Publish version 1');
        assert.match(await page.locator('.govuk-panel').innerText(), /Version 1 is live/);
        await check(page);

        // Version 2: the name changed on the settings page.
        await click('link', 'Go to the service');
        await click('button', 'Edit this service');
        await click('link', 'Settings');
        await check(page);
        await page.getByLabel('Name of the service').fill('');
        await page.getByLabel('Days to keep personal data after a case is finished (optional)').fill('ten');
        await click('button', 'Save settings');
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the name of the service[^]*Enter the number of days/);
        await check(page);
        await page.getByLabel('Name of the service').fill(`${title} or bird`);
        await page.getByLabel('Days to keep personal data after a case is finished (optional)').fill('90');
        await click('button', 'Save settings');
        assert.match(page.url(), new RegExp(`/staff/services/${id}$`));
        await click('link', 'Publish');
        await click('button', 'Publish version 2');
        assert.match(await page.locator('.govuk-panel').innerText(), /Version 2 is live/);

        // Versions, compare, roll back.
        await click('link', 'See its versions');
        await check(page);
        await page.getByLabel('Compare').selectOption('1');
        await page.getByLabel('with').selectOption('2');
        await click('button', 'Compare versions');
        assert.match(page.url(), /\/versions\/compare\?from=1&to=2$/);
        const changes = await page.locator('main').innerText();
        assert.match(changes, new RegExp(`Name of the service[^]*“${title}”[^]*“${title} or bird”`));
        assert.match(changes, /Personal data kept for[^]*90 days after the case is finished/);
        await check(page);
        await click('link', 'Back to versions');
        await click('link', 'Make this the live version again (version 1)');
        assert.match(await page.locator('h1').innerText(), /Make version 1 the live version again\?/);
        await check(page);
        await click('button', 'Make version 1 live');
        assert.match(await page.locator('.govuk-notification-banner').innerText(), /Version 1 is the live version again/);
        await check(page);
        assert.equal(t.hub.catalogue.get(id).version, 1);

        // Discard: a draft started again, then thrown away after a confirmation.
        await page.goto(`${t.url}/staff/services/${id}`);
        await click('button', 'Edit this service');
        await click('link', 'Discard the draft');
        await check(page);
        await click('button', 'Discard the draft');
        assert.match(await page.locator('.govuk-notification-banner').innerText(), /The draft has been discarded/);
        await page.goto(`${t.url}/staff/services`);
        assert.match(await page.locator(`tr[data-service="${id}"]`).innerText(), /Version 1/);
        await check(page);

        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          [
            '/staff/services',
            '/staff/services/new',
            `/staff/services/${id}`,
            `/staff/services/${id}/versions`,
            `/staff/services/${id}/versions/compare?from=1&to=2`,
            `/staff/services/${id}/rollback?version=2`,
            `/staff/services/${id}/settings`,
            `/staff/services/${id}/publish`,
          ].map((path) => `${t.url}${path}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
