// The XML mapping editor in Chromium, with and without JavaScript: a service editor uploads the back office's XSD,
// maps every required element (one through a lookup table to the XSD's codes) while the preview's XSD errors go, and
// the preview passes. axe finds nothing on any page (in the run with JavaScript, as axe is script); under the real
// Content-Security-Policy nothing is blocked (the live preview's script included).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { assertCleanUnderCsp, launchBrowser } from '../helpers/browser.ts';
import { startDraft, getDraft, draftProblems } from '../../core/designer/drafts.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';
import { deadAnimalDefinition } from './xml-support.ts';

describe('XML mapping editor in a browser', () => {
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
    test(`a service editor uploads an XSD and maps it ${js ? 'with' : 'without'} JavaScript`, async () => {
      const id = `dead-animal-${js ? 'js' : 'plain'}-${Date.now()}`;
      await startDraft(
        t.hub,
        { actor: 'staff:test', name: 'Test' },
        { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
      );
      const account = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId });
      const { page, guarded, violations, check } = await openDesignerPage(browser, { js, t, signedIn: account.browser });
      const problems = async () => {
        const tag = await page.locator('#xml-preview .govuk-tag').first().innerText();
        return /Valid/i.test(tag) ? 0 : Number(/(\d+)/.exec(tag)?.[1] ?? NaN);
      };
      const missing = async () => page.locator('#missing-required li').count();
      const changeRow = async (path: string) => {
        await page.getByRole('link', { name: `Change ${path}`, exact: true }).click();
        await page.waitForURL(/\/xml\/row\?path=/);
        await check(page);
      };
      const save = async () => {
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForLoadState();
      };
      try {
        await page.goto(`${t.url}/staff/services/${id}/xml`);
        await check(page);
        await page.getByRole('button', { name: 'Choose the XSD' }).click();
        await page.waitForURL(/\/xml\/xsd$/);
        await check(page);
        // A hostile file first: the page says why, with GOV.UK's error summary.
        await page.getByLabel('Upload an XSD').setInputFiles({
          name: 'evil.xsd',
          mimeType: 'application/xml',
          buffer: Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
        });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /must not contain a DOCTYPE/);
        await check(page);
        await page.getByLabel('Upload an XSD').setInputFiles('test/fixtures/xsd/dead-animal.xsd');
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.waitForURL(/\/xml\/settings$/);
        await check(page);
        await save();
        await page.waitForURL(/\/xml$/);
        await check(page);
        assert.equal(await missing(), 6);

        const steps: [string, (p: Page) => Promise<void>][] = [
          [
            'Reference',
            async (p) => {
              await p.getByLabel('A detail of the case').check();
              await p.getByLabel('Case detail').selectOption('reference');
            },
          ],
          [
            '@channel',
            async (p) => {
              await p.getByLabel('A fixed value').check();
              await p.getByLabel('Fixed value', { exact: true }).fill('Online');
            },
          ],
          [
            'ReceivedAt',
            async (p) => {
              await p.getByLabel('A detail of the case').check();
              await p.getByLabel('Case detail').selectOption('submittedAt');
            },
          ],
          [
            'Location/Postcode',
            async (p) => {
              await p.getByLabel('An answer, or part of one').check();
              await p.getByLabel('Answer', { exact: true }).selectOption('location.postcode');
            },
          ],
          [
            'Reporter/Name',
            async (p) => {
              await p.getByLabel('An answer, or part of one').check();
              await p.getByLabel('Answer', { exact: true }).selectOption('fullName');
            },
          ],
        ];
        let left = await missing();
        for (const [path, fill] of steps) {
          await changeRow(path);
          await fill(page);
          await save();
          await page.waitForURL(/\/xml(#|$)/);
          await check(page);
          const now = await missing();
          assert.equal(now, left - 1, `${path}: one fewer required element not mapped`);
          left = now;
          assert.ok((await problems()) > 0, 'Species is still missing');
        }

        // Species through a lookup table: the answer's options, each with the XSD's codes to choose from.
        await changeRow('Species');
        await page.getByLabel('An answer, or part of one').check();
        await page.getByLabel('Answer', { exact: true }).selectOption('species');
        await page.getByLabel('Use a lookup table').check();
        await save();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Select the code for “Dog”, or give a default/);
        await check(page);
        for (const [label, code] of [
          ['Dog', 'DOG'],
          ['Cat', 'CAT'],
          ['Fox', 'FOX'],
          ['Something else', 'OTHER'],
        ] as const)
          await page.getByLabel(label, { exact: true }).selectOption(code);
        if (js) {
          // The live preview follows the form before it is saved.
          await page.locator('#xml-preview').getByText('Valid').waitFor({ timeout: 5000 });
          assert.match(await page.locator('#xml-preview pre').innerText(), /<Species>DOG<\/Species>/);
        }
        await save();
        await page.waitForURL(/\/xml(#|$)/);
        await check(page);
        assert.equal(await missing(), 0);
        assert.match(await page.locator('#missing-required').innerText(), /Every element the XSD requires is mapped/);
        assert.equal(await problems(), 0, 'the preview passes the XSD');

        assert.deepEqual(draftProblems(t.hub, (await getDraft(t.hub, id))!.definition), []);
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          ['/xml', '/xml/xsd', '/xml/settings', `/xml/row?path=Species`].map((p) => `${t.url}/staff/services/${id}${p}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
