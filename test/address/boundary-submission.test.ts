// Issue 19, the council's boundary at submission: the API refuses a place outside the service's council's area with a
// 422 naming who to contact instead (and stores nothing); the citizen's form shows the "contact this council" page as
// soon as the place is answered, in Chromium without JavaScript, axe clean, with a way back to change the answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { wgs84ToGrid } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';
import { axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { FormClient, errorsOf } from '../forms/form-client.ts';

const NEIGHBOUR = { name: 'Neighbour Borough Council', url: 'https://www.neighbour-borough.example.gov.uk/report' };
// 1 Millbeck Road, Exampleton (the example gazetteer), a spot in Neighbour Borough, and London (nobody's on this hub).
const IN_EXAMPLETON = { easting: 452110.95, northing: 304189.75 };
const IN_NEIGHBOUR_BOROUGH = { latitude: 52.636, longitude: -1.17 };
const IN_LONDON = { easting: 530047, northing: 180422 };

/** axe needs script: the same page, in a context that has this one's form session, run as without JavaScript. */
async function axeWithCookies(from: BrowserContext, url: string) {
  const context = await from.browser()!.newContext({ bypassCSP: true });
  try {
    await context.addCookies(await from.cookies());
    const page = await context.newPage();
    await page.goto(url);
    assert.equal(page.url(), url, 'the same page');
    await page.evaluate(() => document.body.classList.remove('js-enabled', 'govuk-frontend-supported'));
    return await axeOnPage(page);
  } finally {
    await context.close();
  }
}

describe('a place outside the council area', () => {
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const submit = (over: Record<string, unknown>) =>
    fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: noiseAnswers(over) }),
    });
  const processCount = async () => Number((await t.hub.db.row<{ n: string }>('select count(*) as n from processes'))!.n);

  test('the API takes a place in the area, and an address without coordinates', async () => {
    let res = await submit({ noiseSource: { line1: '1 Millbeck Road', town: 'Exampleton', postcode: 'AA1 1AB', ...IN_EXAMPLETON } });
    assert.equal(res.status, 201, await res.text());
    res = await submit({});
    assert.equal(res.status, 201, 'nothing to check: accepted');
    // Only the form's first address question is the place: the citizen's own address may be anywhere.
    res = await submit({ homeAddress: { line1: '1 Strand', town: 'London', postcode: 'WC2N 5HR', ...IN_LONDON } });
    assert.equal(res.status, 201, await res.text());
  });

  test("the API refuses a place in the neighbour's area with 422 naming them, and stores nothing", async () => {
    const before = await processCount();
    const res = await submit({ noiseSource: { line1: '9 Border Lane', town: 'Neighbourton', postcode: 'AA9 9AA', ...IN_NEIGHBOUR_BOROUGH } });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as Record<string, unknown>;
    const message = "This address is not in Example District Council's area. Contact Neighbour Borough Council instead.";
    assert.equal(problem.detail, message);
    assert.deepEqual(problem.errors, [{ field: 'noiseSource', message }]);
    assert.deepEqual(problem.outsideArea, { council: 'Example District Council', contact: NEIGHBOUR, neighbours: [NEIGHBOUR] });
    assert.equal(await processCount(), before);
  });

  test('the OpenAPI document describes the outside-area problem', async () => {
    const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
      components: { schemas: { Problem: { properties: Record<string, unknown> } } };
    };
    assert.match(spec.paths['/api/v1/services/{serviceId}/submissions']!.post!.responses['422']!.description ?? '', /outsideArea/);
    assert.ok(spec.components.schemas.Problem.properties.outsideArea);
  });

  test("a place in no known area: 422 listing the council's neighbours", async () => {
    const res = await submit({ noiseSource: { line1: '1 Strand', town: 'London', postcode: 'WC2N 5HR', ...IN_LONDON } });
    assert.equal(res.status, 422);
    const problem = (await res.json()) as { detail: string; outsideArea: unknown };
    assert.equal(problem.detail, "This address is not in Example District Council's area. Contact the council for the area it is in.");
    assert.deepEqual(problem.outsideArea, { council: 'Example District Council', contact: null, neighbours: [NEIGHBOUR] });
  });

  test('a form sent with its place outside the area anyway (pages skipped to) is not taken: check your answers says why', async () => {
    const NOISE = '/services/noise-complaint';
    const c = new FormClient(t.url);
    await c.get(NOISE);
    await c.answer(`${NOISE}/about-the-noise`, { noiseType: 'dog' });
    const where = await c.answer(`${NOISE}/where`, {
      'noiseSource[line1]': '9 Border Lane',
      'noiseSource[postcode]': 'AA9 9AA',
      'noiseSource[latitude]': String(IN_NEIGHBOUR_BOROUGH.latitude),
      'noiseSource[longitude]': String(IN_NEIGHBOUR_BOROUGH.longitude),
    });
    assert.equal(where.location, `${NOISE}/where/outside-area`);
    await c.answer(`${NOISE}/when`, { whenHappens: ['night'], frequency: 'daily', 'startedOn-day': '1', 'startedOn-month': '10', 'startedOn-year': '2026' });
    await c.answer(`${NOISE}/impact`, { impact: 'Barking all night.', spokenToNeighbour: 'no' });
    await c.answer(`${NOISE}/evidence`, {});
    await c.answer(`${NOISE}/your-details`, {
      fullName: 'Sam Border',
      email: 'sam@example.com',
      'homeAddress[line1]': '5 Kennel Row',
      'homeAddress[postcode]': 'EX9 7QZ',
    });
    const before = await processCount();
    const sent = await c.send('noise-complaint');
    assert.equal(sent.status, 422);
    assert.deepEqual(errorsOf(sent.html).summary, ["This address is not in Example District Council's area. Contact Neighbour Borough Council instead."]);
    assert.equal(await processCount(), before, 'nothing stored');
  });

  test('the form shows "contact this council" as soon as the place is answered, without JavaScript, axe clean', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: false });
    try {
      const { page } = guarded;
      const grid = wgs84ToGrid(IN_NEIGHBOUR_BOROUGH);
      await page.goto(`${t.url}/services/fly-tipping/location`);
      await page.getByLabel('Easting (optional, if there is no address)').fill(grid.easting.toFixed(0));
      await page.getByLabel('Northing (optional)').fill(grid.northing.toFixed(0));
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(new URL(page.url()).pathname, '/services/fly-tipping/location/outside-area');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), "This address is not in Example District Council's area");
      assert.equal((await page.locator('#contact-instead').textContent())?.replace(/\s+/g, ' ').trim(), 'Contact Neighbour Borough Council instead.');
      assert.equal(await page.getByRole('link', { name: 'Neighbour Borough Council' }).getAttribute('href'), NEIGHBOUR.url);
      assert.match(await page.title(), /^This address is not in Example District Council's area – Example District Council$/);
      assert.deepEqual(await axeWithCookies(guarded.context, page.url()), []);

      // Back to the question, the answer kept; a place in Exampleton goes on to the next question.
      await page.getByRole('link', { name: 'change the address' }).click();
      assert.equal(new URL(page.url()).pathname, '/services/fly-tipping/location');
      assert.equal(await page.getByLabel('Easting (optional, if there is no address)').inputValue(), grid.easting.toFixed(0));
      await page.getByLabel('Easting (optional, if there is no address)').fill(String(IN_EXAMPLETON.easting));
      await page.getByLabel('Northing (optional)').fill(String(IN_EXAMPLETON.northing));
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(new URL(page.url()).pathname, '/services/fly-tipping/the-waste');
      // The contact page has nothing to say about a place in the area: back to the question.
      await page.goto(`${t.url}/services/fly-tipping/location/outside-area`);
      assert.equal(new URL(page.url()).pathname, '/services/fly-tipping/location');
      assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
    } finally {
      await guarded.close();
    }
  });
});
