// The designer's new features in Chromium, with and without JavaScript: a service editor builds a small service with a
// radios question whose "No" goes to an exit page, an amount of money, a declaration and a list ("add another") with
// a question of its own, and lists the service under a category. axe finds nothing on any page (checked in the run
// with JavaScript, as axe is script).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { getDraft, startDraft } from '../../core/designer/drafts.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';

describe('designer growth in a browser', () => {
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
    test(`a service with a list, a declaration, money and an answer that goes to an exit page, ${js ? 'with' : 'without'} JavaScript`, async () => {
      const id = `drain-${js ? 'js' : 'plain'}-${Date.now()}`;
      await startDraft(
        t.hub,
        { actor: 'staff:test', name: 'Test' },
        {
          definition: { id, title: 'Report a blocked drain', referencePrefix: 'BDR', fields: [], tasks: [{ key: 'inspect', title: 'Inspect' }] },
          baseVersion: null,
          council: t.hub.councils.defaultId,
        },
      );
      const account = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: `Grower ${js ? 'Js' : 'Plain'}` });
      const { page, guarded, violations, check } = await openDesignerPage(browser, { js, t, signedIn: account.browser });
      const base = `${t.url}/staff/services/${id}/questions`;
      const save = async (p: Page, button: string, url: RegExp) => {
        await p.getByRole('button', { name: button }).click();
        await p.waitForURL(url);
        await p.waitForLoadState('load');
      };
      const addQuestion = async (typeName: string, fill: () => Promise<void>, button = 'Save question', after: RegExp = /\/questions(#.*)?$/) => {
        await page.goto(`${base}/new`);
        await page.getByLabel(typeName, { exact: true }).check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/questions\/new\/[a-z]+$/);
        await check();
        await fill();
        await save(page, button, after);
      };
      try {
        await addQuestion('One option from a list', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Is the drain on a public road?');
          await page.locator('#option-0-label').fill('Yes');
          await page.locator('#option-1-label').fill('No');
        });
        await addQuestion(
          'Exit page — the form ends here',
          async () => {
            await page.getByLabel('Heading', { exact: true }).fill('We cannot help with this');
            await page.getByLabel('Text of the page').fill('Contact the owner of the land.');
          },
          'Save page',
        );
        await addQuestion('Amount of money', async () => {
          await page.getByLabel('Question', { exact: true }).fill('How much did it cost?');
          await page.getByLabel('Smallest amount').fill('5');
          await page.getByLabel('Whole pounds only (no pence)').check();
        });
        await addQuestion('Declaration', async () => {
          await page.getByLabel('Heading', { exact: true }).fill('Declaration');
          await page.getByLabel('Text the person agrees to').fill('What I have said is true.');
          await page.getByLabel('Words next to the box').fill('I confirm this is correct');
        });
        await addQuestion(
          'List of things — the citizen can add another',
          async () => {
            await page.getByLabel('Question', { exact: true }).fill('Who else is affected?');
            await page.getByLabel('What is one thing in the list called?').fill('person');
          },
          'Save question',
          /\/questions\/whoElseIsAffected\?added=1$/,
        );
        await check();
        await page.getByRole('button', { name: 'Add a question to the list' }).click();
        await page.waitForURL(/\/items\/new$/);
        await check();
        await page.getByLabel('Short answer', { exact: true }).check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/items\/new\/text$/);
        await check();
        await page.getByLabel('Question', { exact: true }).fill('Their name');
        await save(page, 'Save question', /\/questions\/whoElseIsAffected(#.*)?$/);
        assert.match(await page.locator('#item-theirName').innerText(), /Their name/);

        // "No" goes to the exit page.
        await page.goto(`${base}/isTheDrainOnAPublic`);
        await check();
        await page.locator('#option-1-goTo').selectOption({ label: 'Page 2: We cannot help with this' });
        await save(page, 'Save question', /\/questions(#.*)?$/);
        assert.match(await page.locator('#question-isTheDrainOnAPublic').innerText(), /After ‘No’ it goes to page 2 \(‘We cannot help with this’\)\./);
        await check();

        await page.goto(`${t.url}/staff/services/${id}/settings`);
        await page.getByLabel('Waste and streets').check();
        await save(page, 'Save settings', new RegExp(`/staff/services/${id}$`));
        await page.goto(`${t.url}/staff/services/${id}/publish`);
        await check();

        const def = (await getDraft(t.hub, id))!.definition;
        assert.deepEqual(
          def.fields.map((f) => `${f.id}:${f.type}`),
          ['isTheDrainOnAPublic:radios', 'weCannotHelpWithThis:exit', 'howMuchDidItCost:money', 'declaration:declaration', 'whoElseIsAffected:list'],
        );
        const radios = def.fields[0]!;
        assert.ok(radios.type === 'radios' && radios.options[1]!.goTo === 'weCannotHelpWithThis' && radios.options[0]!.goTo === undefined);
        const list = def.fields[4]!;
        assert.ok(list.type === 'list' && list.itemName === 'person' && list.fields[0]!.label === 'Their name');
        assert.equal(def.category, 'waste-and-streets');
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(violations, [], 'axe found no violations');
      } finally {
        await guarded.close();
      }
    });
  }
});
