// The question builder in Chromium, with and without JavaScript: a service editor adds questions of several types
// (options added with the "Add another option" button, a named format), makes one conditional ("is not"), gives a page
// a title, writes the start page and what happens next, and reorders with the move buttons — and, with JavaScript, by
// dragging. axe finds nothing on any page (checked in the run with JavaScript, as axe is script), and under the real
// Content-Security-Policy nothing is blocked or refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { assertCleanUnderCsp, launchBrowser } from '../helpers/browser.ts';
import { getDraft, startDraft } from '../../core/designer/drafts.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';

describe('question builder in a browser', () => {
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
    test(`a service editor builds the questions ${js ? 'with' : 'without'} JavaScript`, async () => {
      const id = `dead-animal-${js ? 'js' : 'plain'}-${Date.now()}`;
      await startDraft(
        t.hub,
        { actor: 'staff:test', name: 'Test' },
        {
          definition: { id, title: 'Report a dead animal', referencePrefix: 'DAN', fields: [], tasks: [] },
          baseVersion: null,
          council: t.hub.councils.defaultId,
        },
      );
      const account = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: `Editor ${js ? 'Js' : 'Plain'}` });
      const { page, guarded, violations, ...designer } = await openDesignerPage(browser, { js, t, signedIn: account.browser });
      const visited = new Set<string>();
      const check = async (p: Page) => {
        visited.add(new URL(p.url()).pathname);
        await designer.check(p);
      };
      const base = `${t.url}/staff/services/${id}/questions`;
      // A move button posts and comes back to the same address: wait for the list the redirect shows, not the address.
      const nextDocument = async (act: () => Promise<void>) => {
        const shown = page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname.endsWith('/questions'));
        if (js) await page.evaluate(() => Object.assign(window, { closeloopOldDocument: true }));
        await act();
        await shown;
        if (js) await page.waitForFunction(() => !('closeloopOldDocument' in window) && document.readyState === 'complete');
        else await page.waitForLoadState('load');
      };
      const move = (name: string) => nextDocument(() => page.getByRole('button', { name }).click());
      const addQuestion = async (typeName: string, fill: () => Promise<void>) => {
        await page.goto(base);
        await page.getByRole('button', { name: 'Add a question' }).click();
        await page.waitForURL(/\/questions\/new$/);
        await check(page);
        await page.getByLabel(typeName, { exact: true }).check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/questions\/new\/[a-z]+$/);
        await check(page);
        await fill();
        await page.getByRole('button', { name: 'Save question' }).click();
        await page.waitForURL(/\/questions(#.*)?$/);
      };
      try {
        await page.goto(base);
        await check(page);
        assert.match(await page.locator('#no-questions').innerText(), /no questions yet/);

        // Radios, with an error first and options added by the button.
        await page.goto(base);
        await page.getByRole('button', { name: 'Add a question' }).click();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForLoadState();
        assert.match(await page.locator('.govuk-error-summary').innerText(), /Select the type of question/);
        await check(page);
        await addQuestion('One option from a list', async () => {
          await page.getByLabel('Question', { exact: true }).fill('What kind of animal is it?');
          await page.getByRole('button', { name: 'Save question' }).click();
          await page.waitForLoadState();
          assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter at least one option/);
          await check(page);
          await page.locator('#option-0-label').fill('Cat');
          await page.locator('#option-1-label').fill('Fox');
          await page.getByRole('button', { name: 'Add another option' }).click();
          await page.waitForLoadState();
          await page.locator('#option-2-label').fill('Something else');
          await page.locator('#option-2-value').fill('other');
          await check(page);
        });
        await check(page);
        await addQuestion('Short answer', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Vehicle registration (optional)');
          await page.getByLabel('No, it is optional').check();
          await page.getByLabel('Vehicle registration', { exact: true }).check();
          await page.getByLabel('Page 1: What kind of animal is it?').check();
        });
        await addQuestion('Long answer', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Where is the animal?');
          await page.getByLabel('Most characters').fill('500');
        });
        await addQuestion('File upload', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Upload a photo (optional)');
          await page.getByLabel('No, it is optional').check();
          await page.getByLabel('PDF document').uncheck();
          await page.getByLabel('Several files').check();
        });
        await addQuestion('Address', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Address of the animal');
          await page.getByLabel('Allow a location only').check();
        });
        // The details page of every other type, as the builder first shows it.
        for (const type of ['email', 'phone', 'number', 'date', 'datetime', 'checkboxes', 'select']) {
          await page.goto(`${base}/new/${type}`);
          await check(page);
        }
        let def = (await getDraft(t.hub, id))!.definition;
        assert.deepEqual(
          def.fields.map((f) => `${f.id}:${f.type}`),
          [
            'whatKindOfAnimalIsIt:radios',
            'vehicleRegistrationOptional:text',
            'whereIsTheAnimal:textarea',
            'uploadAPhotoOptional:file',
            'addressOfTheAnimal:address',
          ],
        );

        // Conditional: "Where is the animal?" is asked unless it is a cat.
        await page.goto(`${base}/whereIsTheAnimal`);
        await check(page);
        await page.getByRole('link', { name: 'Show this question only when…' }).click();
        await page.waitForURL(/\/condition$/);
        await check(page);
        await page.getByLabel('Only when the answer to ‘What kind of animal is it?’ is (or is not) …').check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/condition\/whatKindOfAnimalIsIt$/);
        await check(page);
        await page.getByLabel('is not any of').check();
        await page.getByLabel('Cat').check();
        await page.getByRole('button', { name: 'Save condition' }).click();
        await page.waitForURL(/\/questions\/whereIsTheAnimal$/);
        assert.match(await page.locator('#condition').innerText(), /Shown only if ‘What kind of animal is it\?’ is not ‘Cat’/);

        // Page title, start page, confirmation text.
        await page.goto(base);
        await page.getByRole('link', { name: 'Add a page title of page 1' }).click();
        await check(page);
        await page.getByLabel('Page title').fill('The animal');
        await page.getByRole('button', { name: 'Save page title' }).click();
        await page.waitForURL(/\/questions$/);
        await page.getByRole('link', { name: 'Change the start page' }).click();
        await check(page);
        await page
          .getByLabel('What people should know before they start (optional)')
          .fill('Do not touch the animal.\n\nWe collect animals from public places only.');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/\/questions$/);
        await page.getByRole('link', { name: 'Change what the confirmation page says happens next' }).click();
        await check(page);
        await page.getByLabel('What happens next (optional)').fill('We collect most animals within 2 working days.');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/\/questions$/);
        await page.getByRole('link', { name: 'Change which questions give the contact details' }).click();
        await check(page);
        await page.goto(`${base}/uploadAPhotoOptional/remove`);
        await check(page);

        // Reorder with the buttons: the registration question above the animal question, then back.
        await page.goto(base);
        await check(page);
        await move('Move up ‘Vehicle registration (optional)’');
        def = (await getDraft(t.hub, id))!.definition;
        assert.deepEqual(
          def.fields.slice(0, 2).map((f) => f.id),
          ['vehicleRegistrationOptional', 'whatKindOfAnimalIsIt'],
        );
        await move('Move down ‘Vehicle registration (optional)’');
        // The address page above the file page.
        await move('Move page up 4');
        def = (await getDraft(t.hub, id))!.definition;
        assert.deepEqual(def.fields.map((f) => f.id).slice(3), ['addressOfTheAnimal', 'uploadAPhotoOptional']);

        if (js) {
          // Drag: the photo question onto the "Where" question puts it in that place.
          assert.equal(await page.locator('#drag-hint').isVisible(), true);
          // Both questions on screen: a drag that has to scroll the page is not what a person does either.
          await page.setViewportSize({ width: 1280, height: 3000 });
          await nextDocument(() => page.locator('#question-uploadAPhotoOptional').dragTo(page.locator('#question-whereIsTheAnimal')));
          await check(page);
          def = (await getDraft(t.hub, id))!.definition;
          assert.deepEqual(
            def.fields.map((f) => f.id),
            ['whatKindOfAnimalIsIt', 'vehicleRegistrationOptional', 'uploadAPhotoOptional', 'whereIsTheAnimal', 'addressOfTheAnimal'],
          );
          assert.equal(def.fields[2]!.page, 'whereIsTheAnimal', 'dropped among the questions of a page, it joins that page');
        } else {
          assert.equal(await page.locator('#drag-hint').isVisible(), false, 'no drag hint without JavaScript');
        }
        def = (await getDraft(t.hub, id))!.definition;
        assert.equal(def.startPage, 'Do not touch the animal.\n\nWe collect animals from public places only.');
        assert.deepEqual(def.pages, { whatKindOfAnimalIsIt: { title: 'The animal' } });

        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
        await assertCleanUnderCsp(
          browser,
          guarded.context,
          [...visited].filter((p) => !p.endsWith('/new')).map((p) => `${t.url}${p}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await guarded.close();
      }
    });
  }
});
