// Issue 17's acceptance journey in Chromium, with and without JavaScript, axe clean at every step (checked in the run
// with JavaScript, as axe is script): a service editor signs in through the sign-in pages, creates "Report a dead
// animal" from blank with five questions of different types (one conditional, one file, one address) on two pages and
// two tasks; uploads the back office's XSD and maps every required element (one through a lookup table) while the
// preview's XSD errors fall; binds it to the sandbox and publishes. A citizen submits it through the citizen pages; the
// sandbox back office receives XML that libxmljs2 validates against the same XSD. Version 2 adds a question and the
// compare page shows it; rolling back makes version 1 live for new submissions while the submitted cases keep theirs.
// The final definition passes the real `closeloop check-config`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import libxmljs from 'libxmljs2';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { assertCleanUnderCsp, launchBrowser } from '../helpers/browser.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { freshTotpCode, signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';
import { getDraft } from '../../core/designer/drafts.ts';
import { checkConfigWith } from './check-config-support.ts';
import { openDesignerPage } from './designer-browser.ts';

const XSD_FILE = 'test/fixtures/xsd/dead-animal.xsd';
const NS = 'urn:example-council:streetcare:dead-animal:v1';
const XSD = libxmljs.parseXml(readFileSync(XSD_FILE, 'utf8'));

describe('issue 17 journey: build, map, publish, submit, change and roll back a service in a browser', () => {
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    [t, browser] = await Promise.all([staffTestHub({ worker: { sweepAfterMs: 300, sweepIntervalMs: 300 } }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const js of [true, false]) {
    test(`the whole journey ${js ? 'with' : 'without'} JavaScript`, async () => {
      const suffix = js ? 'js' : 'plain';
      const title = `Report a dead animal ${suffix}`;
      const id = `report-a-dead-animal-${suffix}`;
      const prefix = js ? 'DAJ' : 'DAP';
      const account = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: `Eddie ${suffix}` });
      const d = await openDesignerPage(browser, { js });
      const { page, check } = d;
      page.setDefaultTimeout(10_000);
      const base = `${t.url}/staff/services/${id}`;
      const click = async (role: 'button' | 'link', name: string | RegExp) => {
        await page.getByRole(role, { name, exact: typeof name === 'string' }).click();
        await page.waitForLoadState();
      };
      try {
        await signIn(t, page, account);
        await check();

        // A blank service.
        await page.goto(`${t.url}/staff/services`);
        await check();
        await click('button', 'Create a service');
        await page.getByLabel('Start from a blank service').check();
        await page.getByLabel('Name of the service').fill(title);
        await page.getByLabel('Reference prefix').fill(prefix);
        await click('button', 'Create service');
        assert.match(page.url(), new RegExp(`/staff/services/${id}\\?created=1$`));
        await check();

        // Five questions of five types; the conditional one and the address join page 1, the name joins the photo's page.
        const addQuestion = async (type: string, fill: () => Promise<void>) => {
          await page.goto(`${base}/questions`);
          await click('button', 'Add a question');
          await check();
          await page.getByLabel(type, { exact: true }).check();
          await click('button', 'Continue');
          await check();
          await fill();
          await page.getByRole('button', { name: 'Save question' }).click();
          await page.waitForURL(/\/questions(#.*)?$/);
          await check();
        };
        await addQuestion('One option from a list', async () => {
          await page.getByLabel('Question', { exact: true }).fill('What kind of animal is it?');
          await page.locator('#option-0-label').fill('Dog');
          await page.locator('#option-1-label').fill('Cat');
          await click('button', 'Add another option');
          await page.locator('#option-2-label').fill('Fox');
          await click('button', 'Add another option');
          await page.locator('#option-3-label').fill('Something else');
          await page.locator('#option-3-value').fill('other');
        });
        await addQuestion('Long answer', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Describe the animal');
          await page.getByLabel('Page 1: What kind of animal is it?').check();
        });
        await addQuestion('Address', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Where is the animal?');
          await page.getByLabel('Page 1: What kind of animal is it?').check();
        });
        await addQuestion('File upload', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Upload a photo (optional)');
          await page.getByLabel('No, it is optional').check();
        });
        await addQuestion('Short answer', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Your full name');
          await page.getByLabel('Page 2: Upload a photo (optional)').check();
        });
        // "Describe the animal" only when it is something else.
        await page.goto(`${base}/questions/describeTheAnimal`);
        await click('link', 'Show this question only when…');
        await check();
        await page.getByLabel('Only when the answer to ‘What kind of animal is it?’ is (or is not) …').check();
        await click('button', 'Continue');
        await check();
        await page.getByLabel('is one of').check();
        await page.getByLabel('Something else').check();
        await click('button', 'Save condition');
        assert.match(await page.locator('#condition').innerText(), /Shown only if ‘What kind of animal is it\?’ is ‘Something else’/);
        await check();
        for (const [n, pageTitle] of [
          [1, 'The animal'],
          [2, 'About you'],
        ] as const) {
          await page.goto(`${base}/questions`);
          await click('link', `Add a page title of page ${n}`);
          await check();
          await page.getByLabel('Page title').fill(pageTitle);
          await click('button', 'Save page title');
        }
        await check();
        const draft = (await getDraft(t.hub, id))!.definition;
        assert.deepEqual(
          draft.fields.map((f) => `${f.id}:${f.type}:${f.page ?? f.id}`),
          [
            'whatKindOfAnimalIsIt:radios:whatKindOfAnimalIsIt',
            'describeTheAnimal:textarea:whatKindOfAnimalIsIt',
            'whereIsTheAnimal:address:whatKindOfAnimalIsIt',
            'uploadAPhotoOptional:file:uploadAPhotoOptional',
            'yourFullName:text:uploadAPhotoOptional',
          ],
        );

        // Two tasks.
        for (const task of ['Collect the animal', 'Clean the place']) {
          await page.goto(`${base}/tasks`);
          await click('button', 'Add a task');
          await check();
          await page.getByLabel('Title').fill(task);
          await page.getByRole('button', { name: 'Save task' }).click();
          await page.waitForURL(/\/tasks$/);
        }
        await check();

        // The XSD, then every required element mapped while the preview's errors fall.
        await page.goto(`${base}/xml`);
        await check();
        await click('button', 'Choose the XSD');
        await check();
        await page.getByLabel('Upload an XSD').setInputFiles(XSD_FILE);
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.waitForURL(/\/xml\/settings$/);
        await check();
        await click('button', 'Save');
        await page.waitForURL(/\/xml$/);
        await check();
        const xsdErrors = async () => {
          const tag = await page.locator('#xml-preview .govuk-tag').first().innerText();
          return /Valid/i.test(tag) ? 0 : Number(/(\d+)/.exec(tag)?.[1] ?? NaN);
        };
        const answer = (value: string) => async () => {
          await page.getByLabel('An answer, or part of one').check();
          await page.getByLabel('Answer', { exact: true }).selectOption(value);
        };
        const caseDetail = (value: string) => async () => {
          await page.getByLabel('A detail of the case').check();
          await page.getByLabel('Case detail').selectOption(value);
        };
        const steps: [string, () => Promise<void>][] = [
          ['Reference', caseDetail('reference')],
          [
            '@channel',
            async () => {
              await page.getByLabel('A fixed value').check();
              await page.getByLabel('Fixed value', { exact: true }).fill('Online');
            },
          ],
          ['ReceivedAt', caseDetail('submittedAt')],
          ['Location/Postcode', answer('whereIsTheAnimal.postcode')],
          ['Reporter/Name', answer('yourFullName')],
          [
            'Species',
            async () => {
              await answer('whatKindOfAnimalIsIt')();
              await page.getByLabel('Use a lookup table').check();
              // Saved once, the table offers a row per option, each with the XSD's codes.
              await click('button', 'Save');
              assert.match(await page.locator('.govuk-error-summary').innerText(), /Select the code for “Dog”, or give a default/);
              await check();
              for (const [label, code] of [
                ['Dog', 'DOG'],
                ['Cat', 'CAT'],
                ['Fox', 'FOX'],
                ['Something else', 'OTHER'],
              ] as const)
                await page.getByLabel(label, { exact: true }).selectOption(code);
            },
          ],
        ];
        // The XSD reports the first element missing from a sequence, so its count does not fall with every row; the
        // required elements not yet mapped do, one by one, and no XSD error names a row once it is mapped.
        const missing = () => page.locator('#missing-required li').count();
        const missingCounts = [await missing()];
        const errorCounts: number[] = [];
        for (const [path, fill] of steps) {
          await click('link', `Change ${path}`);
          await check();
          await fill();
          await click('button', 'Save');
          await page.waitForURL(/\/xml(#|$)/);
          await check();
          errorCounts.push(await xsdErrors());
          missingCounts.push(await missing());
          const errors = (await page.locator('#xml-preview-errors').count()) ? await page.locator('#xml-preview-errors').innerText() : '';
          assert.doesNotMatch(errors, new RegExp(`^${path.split('/').at(-1)!.replace('@', '')}\\b`, 'm'), `no XSD error names ${path} once mapped`);
        }
        assert.deepEqual(missingCounts, [6, 5, 4, 3, 2, 1, 0], 'required elements left unmapped, one fewer with every row');
        for (let i = 1; i < errorCounts.length; i++) assert.ok(errorCounts[i]! <= errorCounts[i - 1]!, `XSD errors never rise: ${errorCounts.join(' → ')}`);
        assert.ok(errorCounts[0]! > errorCounts.at(-1)!, `XSD errors fall: ${errorCounts.join(' → ')}`);
        assert.equal(errorCounts.at(-1), 0, 'the preview passes the XSD');
        assert.match(await page.locator('#missing-required').innerText(), /Every element the XSD requires is mapped/);

        // The sandbox, then publish.
        await page.goto(`${base}/binding`);
        await check();
        await page.getByLabel('sandbox').check();
        await click('button', 'Save back offices');
        await check();
        await page.goto(base);
        await click('link', 'Publish');
        await check();
        await click('button', 'Publish version 1');
        assert.match(await page.locator('.govuk-panel').innerText(), /Version 1 is live/);
        await check();

        // A citizen submits it through the citizen pages.
        const first = await submitAsCitizen(t, browser, js, id, { name: 'Sam Walker', other: 'A badger' });
        const xml = await waitFor(
          () => t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [first]),
          `${first} in the sandbox`,
          30_000,
        );
        const received = libxmljs.parseXml(xml.body);
        assert.ok(received.validate(XSD), `the XML validates against the XSD: ${received.validationErrors.map((e) => e.message).join('; ')}`);
        assert.equal(received.get<libxmljs.Element>('//d:Species', { d: NS })?.text(), 'OTHER', 'the lookup table gave the XSD code');
        assert.equal(received.get<libxmljs.Element>('//d:Reporter/d:Name', { d: NS })?.text(), 'Sam Walker');
        // The back office sees the case with its two tasks.
        await page.goto(`${t.url}/staff/connectors/sandbox/`);
        assert.match(await page.locator('main').innerText(), new RegExp(`${first}[^]*Collect the animal[^]*Clean the place`));
        await check();

        // Version 2 adds a question; the compare page shows it.
        await page.goto(base);
        await click('button', 'Edit this service');
        await addQuestion('Short answer', async () => {
          await page.getByLabel('Question', { exact: true }).fill('Vehicle registration (optional)');
          await page.getByLabel('No, it is optional').check();
          await page.getByLabel('Page 2: About you').check();
        });
        // The console's last definition, checked by the real CLI while the citizen submits.
        const checked = checkConfigWith(t, (await getDraft(t.hub, id))!.definition as { id: string; xml?: { xsd: string } });
        await page.goto(base);
        await click('link', 'Publish');
        await click('button', 'Publish version 2');
        assert.match(await page.locator('.govuk-panel').innerText(), /Version 2 is live/);
        await check();
        const second = await submitAsCitizen(t, browser, js, id, { name: 'Alex Walker', other: 'A deer', registration: 'AB12 CDE' });
        await click('link', 'See its versions');
        await check();
        await page.getByLabel('Compare').selectOption('1');
        await page.getByLabel('with').selectOption('2');
        await click('button', 'Compare versions');
        assert.match(await page.locator('main').innerText(), /Vehicle registration \(optional\)/);
        await check();

        // Roll back: version 1 for new submissions; the submitted cases keep theirs.
        await click('link', 'Back to versions');
        await click('link', 'Make this the live version again (version 1)');
        await check();
        await click('button', 'Make version 1 live');
        assert.match(await page.locator('.govuk-notification-banner').innerText(), /Version 1 is the live version again/);
        await check();
        const third = await submitAsCitizen(t, browser, js, id, { name: 'Jo Walker', other: 'A heron' });
        const versions = await t.hub.db.rows<{ reference: string; service_version: number }>(
          'select reference, service_version from processes where reference = any($1) order by submitted_at',
          [[first, second, third]],
        );
        assert.deepEqual(
          versions.map((v) => [v.reference, Number(v.service_version)]),
          [
            [first, 1],
            [second, 2],
            [third, 1],
          ],
        );

        const result = await checked;
        assert.equal(result.code, 0, result.out);
        assert.deepEqual(d.guarded.blocked, [], 'nothing loaded from outside');
        assert.deepEqual(d.violations, [], 'axe found no violations');
        await assertCleanUnderCsp(
          browser,
          d.guarded.context,
          ['/questions', '/tasks', '/xml', '/binding', '/versions', '/versions/compare?from=1&to=2'].map((p) => `${base}${p}`),
          { javaScriptEnabled: js },
        );
      } finally {
        await d.close();
      }
    });
  }
});

/** Signs in through the sign-in pages: e-mail and password, then the authenticator app's code. */
async function signIn(t: TestHub, page: Page, account: StaffAccount): Promise<void> {
  await page.goto(`${t.url}/staff/sign-in`);
  await page.getByLabel('Email address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/staff\/sign-in\/code$/);
  // A code works once: signing up used this one's time step (see signInStaff).
  await t.hub.db.run('update staff_users set totp_last_step = null where email = $1', [account.email.toLowerCase()]);
  await page.getByLabel('Enter the code from your authenticator app').fill(await freshTotpCode(account.secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/staff\/overview$/);
}

/** A citizen reports a dead animal (something else, with a photo) through the citizen pages; answers the reference. */
async function submitAsCitizen(
  t: TestHub,
  browser: Browser,
  js: boolean,
  id: string,
  who: { name: string; other: string; registration?: string },
): Promise<string> {
  const c = await openDesignerPage(browser, { js });
  const { page, check } = c;
  const next = async (name = 'Continue') => {
    await page.getByRole('button', { name }).click();
    await page.waitForLoadState();
  };
  try {
    await page.goto(`${t.url}/services/${id}`);
    await check();
    await next('Start now');
    await check();
    await page.getByLabel('Something else').check();
    await page.getByLabel('Describe the animal').fill(who.other);
    await page.getByLabel('Address line 1').fill('Verge by 3 Mill Lane');
    await page.getByLabel('Town or city').fill('Exampleton');
    await page.getByLabel('Postcode').fill('EX4 4QJ');
    await next();
    await check();
    await page.locator('input[type=file]').setInputFiles({ name: 'animal.png', mimeType: 'image/png', buffer: pngBytes(5_000, who.name) });
    await page.getByLabel('Your full name').fill(who.name);
    const registration = page.getByLabel('Vehicle registration (optional)');
    assert.equal(await registration.count(), who.registration ? 1 : 0, 'the live version decides the questions');
    if (who.registration) await registration.fill(who.registration);
    await next();
    assert.match(await page.locator('.govuk-summary-list').innerText(), new RegExp(`${who.other}[^]*animal\\.png[^]*${who.name}`));
    await check();
    await next('Accept and send');
    const reference = /[A-Z]{3}-[A-HJ-NP-Z2-9]{8}/.exec(await page.locator('.govuk-panel').innerText())?.[0];
    assert.ok(reference, 'the confirmation shows the reference');
    await check();
    assert.deepEqual(c.guarded.blocked, [], 'nothing loaded from outside');
    assert.deepEqual(c.violations, [], 'axe found no violations on the citizen pages');
    return reference;
  } finally {
    await c.close();
  }
}
