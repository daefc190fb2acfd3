// Issue 19 acceptance, the address question in Chromium, with and without JavaScript, axe clean at every step: find
// the noise's source by postcode in the example council's synthetic gazetteer → select → confirm → send; the UPRN and
// both kinds of coordinates reach the sandbox back office's XML and the Alloy fake's item geometry (the example config's
// Alloy binding, the sandbox alongside). "I cannot find the address in the list" → manual entry → sent, without a UPRN.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../core/config/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage, type GuardedPage } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { alloyExample, EXAMPLE_CONFIG, exampleAlloyDesigns } from '../helpers/example-backoffices.ts';
import { ADDRESS, MANY_POSTCODE } from './find-address-support.ts';

const NOISE = '/services/noise-complaint';

describe('the address question in Chromium', () => {
  const apiKey = randomBytes(24).toString('base64url');
  let alloy: FakeAlloy;
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    alloy = await startFakeAlloy({ apiKey, designs: exampleAlloyDesigns() });
    const sandbox = loadConfig('config/closeloop.yaml').bindings.sandbox!;
    t = await startTestHub({
      configFile: EXAMPLE_CONFIG,
      env: {
        ALLOY_BASE_URL: alloy.url,
        ALLOY_API_KEY: apiKey,
        ALLOY_EVENTS_SECRET: randomBytes(24).toString('base64url'),
        // The example's SOAP binding (food hygiene) is not used here.
        ENVHEALTH_SOAP_URL: 'http://127.0.0.1:9/unused',
        ENVHEALTH_SOAP_USER: 'unused',
        ENVHEALTH_SOAP_PASSWORD: 'unused',
      },
      configure: (c) => {
        // The noise report goes to Alloy (the example's binding) and to the sandbox, whose inbox keeps the XML.
        c.bindings.sandbox = sandbox;
        c.serviceBindings['noise-complaint'] = ['alloy-envhealth', 'sandbox'];
        const a = c.bindings['alloy-envhealth']!;
        Object.assign(a.config, { timeoutMs: 2000, requestsPerSecond: 100, poll: { intervalSeconds: 0 } });
        delete a.rateLimit;
      },
      worker: { sweepAfterMs: 500, sweepIntervalMs: 500 },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await alloy?.close();
  });

  /** axe on what the page shows now (a page answered to a POST cannot be opened again): its HTML in a context that may inject axe. */
  async function assertAxeClean(guarded: GuardedPage, js: boolean, step: string): Promise<void> {
    const html = await guarded.page.content();
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      await page.goto(`${t.url}/`);
      await page.setContent(html, { waitUntil: 'load' });
      if (!js) await page.evaluate(() => document.body.classList.remove('js-enabled', 'govuk-frontend-supported'));
      const violations = js ? await axeOnPage(guarded.page) : await axeOnPage(page);
      assert.deepEqual(
        violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        `axe at "${step}" (${js ? 'JavaScript' : 'no JavaScript'})`,
      );
    } finally {
      await context.close();
    }
  }

  /** From the start page to the address question, as a citizen: the kind of noise, then Continue. */
  async function toAddressQuestion(guarded: GuardedPage, js: boolean, noise: string): Promise<void> {
    const { page } = guarded;
    await page.goto(`${t.url}${NOISE}/about-the-noise`);
    await page.getByLabel(noise).check();
    await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
    assert.equal(await page.locator('h1').innerText(), 'Where is the noise coming from?');
    await assertAxeClean(guarded, js, 'find an address');
  }

  /** The rest of the form (typed, with the home address entered by hand) and "Accept and send"; answers the reference. */
  async function finish(guarded: GuardedPage, name: string): Promise<string> {
    const { page } = guarded;
    const next = () => navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
    await page.getByLabel('Night (11pm to 7am)').check();
    await page.getByLabel('How often does it happen?').selectOption('daily');
    await page.getByLabel('Day', { exact: true }).fill('12');
    await page.getByLabel('Month', { exact: true }).fill('10');
    await page.getByLabel('Year', { exact: true }).fill('2026');
    await next();
    await page.getByLabel('How is the noise affecting you?').fill('I cannot sleep.');
    await page.getByLabel('No', { exact: true }).check();
    await next();
    await next(); // no evidence
    await page.getByLabel('Full name').fill(name);
    await page.getByLabel('Email address').fill('resident@example.com');
    await page.getByLabel('Address line 1').fill('2 Quiet Close');
    await page.getByLabel('Postcode').fill('EX4 4QJ');
    await next();
    assert.match(await page.locator('h1').innerText(), /^Check your answers/);
    await navigate(guarded, () => page.getByRole('button', { name: /Accept and send/ }).click());
    const main = await page.locator('main').innerText();
    const reference = /[A-Z]{3}-[A-Z0-9]{8}/.exec(main)?.[0];
    assert.ok(reference, `a reference on the confirmation page: ${main}`);
    return reference;
  }

  async function delivered(reference: string): Promise<{ xml: string; processId: string }> {
    const inbox = await waitFor(
      () => t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]),
      'the sandbox received the case',
      30_000,
    );
    const row = await t.hub.db.row<{ id: string }>('select id from processes where reference = $1', [reference]);
    return { xml: inbox.body.replace(/>\s+</g, '><'), processId: row!.id };
  }

  async function alloyItemOf(reference: string) {
    return waitFor(
      async () =>
        [...alloy.items.values()].find((item) =>
          item.attributes.some((a) => a.attributeCode === alloyExample.attributes[0].attributeCode && a.value === reference),
        ),
      'the Alloy item',
      30_000,
    );
  }

  for (const js of [true, false]) {
    test(`find an address by postcode → UPRN and coordinates in the sandbox's XML and Alloy's geometry (${js ? 'JavaScript' : 'no JavaScript'})`, async () => {
      const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: js });
      const { page } = guarded;
      try {
        await toAddressQuestion(guarded, js, 'Dog barking');
        await page.getByLabel('Postcode').fill(MANY_POSTCODE.toLowerCase());
        await navigate(guarded, () => page.getByRole('button', { name: 'Find address' }).click());
        assert.equal(await page.locator('h1').innerText(), 'Select an address');
        await assertAxeClean(guarded, js, 'select an address');
        if (js) {
          // accessible-autocomplete: type part of the address, pick it from the list.
          const box = page.getByRole('combobox', { name: 'Address' });
          await box.fill('flat 1, old');
          await page.getByRole('option', { name: ADDRESS.label, exact: true }).click();
          await assertAxeClean(guarded, js, 'select an address, autocomplete used');
        } else {
          await page.getByLabel('Address', { exact: true }).selectOption(ADDRESS.uprn);
        }
        await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
        assert.equal(await page.locator('h1').innerText(), 'Confirm address');
        await assertAxeClean(guarded, js, 'confirm address');
        await navigate(guarded, () => page.getByRole('button', { name: 'Use this address' }).click());
        assert.equal(await page.locator('h1').innerText(), 'When the noise happens');

        const reference = await finish(guarded, `Finder ${js ? 'with' : 'without'} JavaScript`);
        const { xml, processId } = await delivered(reference);
        const a = ADDRESS.answer;
        assert.match(
          xml,
          new RegExp(
            `<Source><AddressLine1>${a.line1}</AddressLine1>(<AddressLine2>[^<]*</AddressLine2>)?<Town>${a.town}</Town><Postcode>${a.postcode}</Postcode><UPRN>${a.uprn}</UPRN><Easting>${a.easting}</Easting><Northing>${a.northing}</Northing><Latitude>${a.latitude}</Latitude><Longitude>${a.longitude}</Longitude></Source>`,
          ),
        );
        const stored = await t.hub.db.row<{ answers: Record<string, unknown> }>('select answers from processes where id = $1', [processId]);
        assert.deepEqual(stored!.answers.noiseSource, a);
        const item = await alloyItemOf(reference);
        // The connector sends 6 decimal places of a degree (about 10 cm).
        assert.equal(item.geometry?.type, 'Point');
        const [lon, lat] = item.geometry!.coordinates;
        assert.ok(Math.abs(lon! - a.longitude) < 1e-6 && Math.abs(lat! - a.latitude) < 1e-6, JSON.stringify(item.geometry));
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
        if (!js) assert.deepEqual(guarded.consoleErrors, []);
      } finally {
        await guarded.close();
      }
    });
  }

  test('"I cannot find the address in the list" → manual entry → sent, without a UPRN (no JavaScript)', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: false });
    const { page } = guarded;
    try {
      await toAddressQuestion(guarded, false, 'Amplified music or TV');
      await page.getByLabel('Postcode').fill(MANY_POSTCODE);
      await navigate(guarded, () => page.getByRole('button', { name: 'Find address' }).click());
      await navigate(guarded, () => page.getByRole('link', { name: 'I cannot find the address in the list' }).click());
      await assertAxeClean(guarded, false, 'enter the address manually');
      await page.getByLabel('Address line 1').fill('The yard behind 40 Mill Lane');
      await page.getByLabel('Town or city').fill('Exampleton');
      await page.getByLabel('Postcode').fill('ex4 4qj');
      await navigate(guarded, () => page.getByRole('button', { name: 'Continue' }).click());
      const reference = await finish(guarded, 'Manual Entry');
      const { xml } = await delivered(reference);
      assert.match(xml, /<Source><AddressLine1>The yard behind 40 Mill Lane<\/AddressLine1><Town>Exampleton<\/Town><Postcode>EX4 4QJ<\/Postcode><\/Source>/);
      assert.deepEqual(guarded.blocked, []);
    } finally {
      await guarded.close();
    }
  });
});

/** Every form post or link navigates: wait for the new page before looking at it. */
async function navigate(guarded: GuardedPage, action: () => Promise<void>): Promise<void> {
  await Promise.all([guarded.page.waitForNavigation(), action()]);
}
