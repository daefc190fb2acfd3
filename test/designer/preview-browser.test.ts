// The designer's tasks, messages, back-office, preview and try-it pages in Chromium, with and without JavaScript: a
// service editor adds and reorders tasks (an error first), words a message and previews it, checks the sandbox's
// connection, then tries the draft from its preview (a conditional question revealed, a file chosen) to the
// confirmation. axe finds nothing on any page (run with JavaScript, as axe is script), nothing loads from outside, and
// under the real Content-Security-Policy nothing is blocked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { launchBrowser, assertCleanUnderCsp } from '../helpers/browser.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';
import { getDraft, startDraft } from '../../core/designer/drafts.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };

describe('designer pages in a browser', () => {
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
    test(`a service editor sets tasks, messages and a back office, then tries the draft ${js ? 'with' : 'without'} JavaScript`, async () => {
      const account = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: `Editor ${js ? 'Js' : 'Plain'}` });
      const id = `dead-animal-${js ? 'js' : 'plain'}-${Date.now()}`;
      await startDraft(t.hub, editor, {
        definition: {
          id,
          title: 'Report a dead animal',
          referencePrefix: 'DAN',
          fields: [
            {
              id: 'animal',
              type: 'radios',
              label: 'What kind of animal is it?',
              page: 'animal',
              options: [
                { value: 'fox', label: 'Fox' },
                { value: 'other', label: 'Something else' },
              ],
            },
            { id: 'otherAnimal', type: 'text', label: 'What animal is it?', page: 'animal', showIf: { field: 'animal', equals: 'other' } },
            { id: 'photo', type: 'file', label: 'Upload a photo', accept: ['image/jpeg'] },
          ],
          tasks: [],
          bindings: [],
        },
        baseVersion: null,
        council: t.hub.councils.defaultId,
      });
      const base = `${t.url}/staff/services/${id}`;
      const { page, guarded, violations, check } = await openDesignerPage(browser, { js, t, signedIn: account.browser });
      try {
        // Tasks: an error first, then two tasks, the second moved up.
        await page.goto(`${base}/tasks`);
        await check(page);
        await page.getByRole('button', { name: 'Add a task' }).click();
        await page.waitForURL(/\/tasks\/add$/);
        await check(page);
        await page.getByRole('button', { name: 'Save task' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the task’s title/);
        await check(page);
        await page.getByLabel('Title').fill('Collect the animal');
        await page.getByRole('button', { name: 'Save task' }).click();
        await page.waitForURL(/\/tasks$/);
        await page.getByRole('button', { name: 'Add a task' }).click();
        await page.waitForURL(/\/tasks\/add$/);
        await page.getByLabel('Title').fill('Tell the person who reported it');
        await page.getByLabel('Description (optional)').fill('We tell you when it has gone.');
        await page.getByRole('button', { name: 'Save task' }).click();
        await page.waitForURL(/\/tasks$/);
        await page.getByRole('button', { name: 'Move up the task “Tell the person who reported it”' }).click();
        await page.waitForLoadState();
        await check(page);
        assert.deepEqual(
          (await getDraft(t.hub, id))!.definition.tasks.map((x) => x.key),
          ['tell-the-person-who-reported-it', 'collect-the-animal'],
        );

        // Messages: an unknown placeholder, then a preview, then saved.
        await page.goto(`${base}/messages`);
        await check(page);
        await page.getByLabel('E-mail subject (optional)').first().fill('We have ((refernce))');
        await page.getByRole('button', { name: 'Save messages' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /\(\(refernce\)\) is not a placeholder/);
        await check(page);
        await page.getByLabel('E-mail subject (optional)').first().fill('Dead animal report ((reference))');
        // With JavaScript the preview follows the typing; without, the button shows it.
        if (js) assert.match(await page.locator('#preview-submitted-subject').innerText(), /^Dead animal report DAN-[A-Z0-9]{8}$/);
        await page.getByRole('button', { name: 'Preview without saving' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('#preview-submitted-subject').innerText(), /^Dead animal report DAN-[A-Z0-9]{8}$/);
        await page.getByRole('button', { name: 'Save messages' }).click();
        await page.waitForURL(/saved=1/);
        await check(page);
        assert.equal((await getDraft(t.hub, id))!.definition.messages?.submitted?.subject, 'Dead animal report ((reference))');

        // Back offices: the sandbox chosen and its connection checked.
        await page.goto(`${base}/binding`);
        await check(page);
        await page.getByLabel('sandbox').check();
        await page.getByRole('button', { name: 'Save back offices' }).click();
        await page.waitForURL(/saved=1/);
        await page.getByRole('button', { name: 'Check connection to sandbox' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-panel').innerText(), /The connection to sandbox works/);
        await check(page);

        // Preview, then try it from the start page to the confirmation.
        await page.goto(`${base}/preview`);
        await check(page);
        await page.getByRole('link', { name: 'Start page' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-phase-banner').innerText(), /Preview – this is not the live service/);
        await check(page);
        await page.getByRole('button', { name: 'Start now' }).click();
        await page.waitForURL(/\/try\/animal$/);
        await check(page);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Select/);
        await check(page);
        await page.getByLabel('Something else').check();
        if (js) assert.ok(await page.getByLabel('What animal is it?').isVisible(), 'revealed under its option');
        await page.getByLabel('What animal is it?').fill('Badger');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/try\/photo$/);
        await check(page);
        await page.getByLabel('Upload a photo').setInputFiles({ name: 'badger.jpg', mimeType: 'image/jpeg', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) });
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/try\/check-answers$/);
        assert.match(await page.locator('.govuk-summary-list').innerText(), /Badger[^]*badger\.jpg/);
        await check(page);
        await page.getByRole('button', { name: 'Accept and send' }).click();
        await page.waitForURL(/\/try\/confirmation$/);
        assert.match(await page.locator('.govuk-panel').innerText(), /DAN-[A-Z0-9]{8}/);
        await check(page);
        const processes = await t.hub.db.row<{ n: string }>(`select count(*) as n from processes`);
        assert.equal(Number(processes!.n), 0, 'nothing was sent');

        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          [
            '/tasks',
            '/tasks/add',
            '/messages',
            '/binding',
            '/preview',
            '/preview/start-page',
            '/preview/pages/animal',
            '/preview/check-answers',
            '/preview/confirmation',
            '/try/animal',
          ].map((path) => `${base}${path}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
