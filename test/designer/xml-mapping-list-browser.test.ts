// The XML mapping editor in Chromium with an "add another" list: a service editor sends a repeating element once per
// person and fills its child from the person's name, with the live preview following the form; axe finds nothing on
// any page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Browser } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { draftProblems, getDraft, startDraft, type DraftDefinition } from '../../core/designer/drafts.ts';
import { uploadXsd } from '../../core/designer/xsd-choices.ts';
import { signUpStaff, staffTestHub } from '../staff/support.ts';
import { openDesignerPage } from './designer-browser.ts';

describe('XML mapping editor in a browser: an "add another" list', () => {
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

  test('a repeating element once per person, its child from each person’s name', async () => {
    const council = t.hub.councils.defaultId;
    const uploaded = await uploadXsd(
      t.hub.db,
      { actor: 'staff:test', name: 'Test' },
      council,
      'drain-fixture.xsd',
      readFileSync('test/fixtures/xsd/drain-fixture.xsd'),
    );
    assert.ok(uploaded.ok);
    const id = `drain-browser-${Date.now()}`;
    const definition = parse(readFileSync('test/fixtures/definition/blocked-drain.yaml', 'utf8')) as DraftDefinition;
    // Everything but the list's element is mapped already.
    const mapping = (definition.xml as { mapping: { children: { element: string }[] } }).mapping;
    mapping.children = mapping.children.filter((c) => c.element !== 'Affected');
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: { ...definition, id, xml: { xsd: uploaded.file, mapping } }, baseVersion: null, council },
    );
    const account = await signUpStaff(t, { role: 'service-editor', council });
    const { page, guarded, violations, check } = await openDesignerPage(browser, { js: true, t, signedIn: account.browser });
    const changeRow = async (path: string) => {
      await page.getByRole('link', { name: `Change ${path}`, exact: true }).click();
      await page.waitForURL(/\/xml\/row\?path=/);
      await check(page);
    };
    const save = async () => {
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/xml(#|$)/);
      await check(page);
    };
    try {
      await page.goto(`${t.url}/staff/services/${id}/xml`);
      await check(page);
      assert.match(await page.locator('#missing-required').innerText(), /Affected/);

      await changeRow('Affected');
      await page.getByLabel('How many times the element is sent').selectOption({ label: 'Once for each person in “Who else is affected?”' });
      await save();
      assert.match(await page.locator('#row-Affected').innerText(), /Repeats for each person in “Who else is affected\?”/);

      await changeRow('Affected/Name');
      await page.getByLabel('An answer given for each person').check();
      await page.getByLabel('Part of the item').selectOption({ label: 'Person: Full name' });
      // The live preview follows the form before it is saved: the sample person's name in one Affected element.
      await page.locator('#xml-preview').getByText('Valid').waitFor({ timeout: 5000 });
      assert.match(await page.locator('#xml-preview pre').innerText(), /<Affected>\s*<Name>Sample text<\/Name>\s*<\/Affected>/);
      await save();
      assert.match(await page.locator('#missing-required').innerText(), /Every element the XSD requires is mapped/);
      assert.match(await page.locator('#row-Affected-Name').innerText(), /Each person: Full name/);

      assert.deepEqual(draftProblems(t.hub, (await getDraft(t.hub, id))!.definition), []);
      assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
      assert.deepEqual(violations, [], 'axe found no violations');
    } finally {
      await guarded.close();
    }
  });
});
