// Issue 19, the address question: GOV.UK's "find an address" over plain HTTP (no JavaScript) — postcode and building →
// select an address → confirm → the answer read back from the council's gazetteer by UPRN; each step's errors; manual
// entry (a posted UPRN is not taken); a provider outage offers manual entry and is never a 500; changing the answer from
// check your answers; the submitted case carries the UPRN and both kinds of coordinates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';
import { decode, errorsOf, FormClient, headingOf, type PageResponse } from './form-client.ts';
import { ADDRESS, BUILDING_ADDRESS, EMPTY_POSTCODE, MANY_COUNT, MANY_POSTCODE, withProviderDown } from './find-address-support.ts';

const NOISE = '/services/noise-complaint';

/** The action of the page's form (the first form with an action; its CSRF token in the URL). */
function actionIn(html: string): string {
  return decode(/<form[^>]*action="([^"]+)"/.exec(html)![1]!);
}

function redirectsTo(res: PageResponse, path: string, what: string) {
  assert.equal(res.status, 302, `${what}: ${res.status} ${headingOf(res.html)} ${errorsOf(res.html).summary.join('; ')}`);
  assert.equal(res.location, path, what);
}

/** Opens the noise report's address page (answering the page before it first). */
async function atAddressPage(t: TestHub): Promise<{ c: FormClient; page: PageResponse }> {
  const c = new FormClient(t.url);
  await c.get(NOISE);
  redirectsTo(await c.answer(`${NOISE}/about-the-noise`, { noiseType: 'dog' }), `${NOISE}/where`, 'about the noise');
  return { c, page: await c.get(`${NOISE}/where`) };
}

async function find(c: FormClient, page: PageResponse, postcode: string, building = ''): Promise<PageResponse> {
  return c.postForm(actionIn(page.html), { postcode, building });
}

function radiosOf(html: string): { value: string; label: string }[] {
  return [...html.matchAll(/<input class="govuk-radios__input" id="[^"]+" name="uprn" type="radio" value="(\d+)">\s*<label[^>]*>\s*([^<]+?)\s*<\/label>/g)].map(
    (m) => ({ value: m[1]!, label: decode(m[2]!) }),
  );
}

function optionsOf(html: string): { value: string; label: string }[] {
  return [...html.matchAll(/<option value="(\d*)"[^>]*>([^<]*)<\/option>/g)].map((m) => ({ value: m[1]!, label: decode(m[2]!.trim()) }));
}

describe('the address question: find an address', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => {
    await t?.close();
  });

  test('postcode → select (a select for many, radios for few) → confirm → the answer from the gazetteer, then the next page', async () => {
    const { c, page } = await atAddressPage(t);
    assert.equal(page.status, 200);
    assert.equal(headingOf(page.html), 'Where is the noise coming from?');
    assert.match(page.html, /<label class="govuk-label govuk-label--s" for="postcode">\s*Postcode\s*<\/label>/);
    assert.match(page.html, /Building name or number \(optional\)/);
    assert.match(page.html, />\s*Find address\s*</);
    assert.match(page.html, /href="\/services\/noise-complaint\/where\?manual=1"[^>]*>Enter the address manually</);

    const many = await find(c, page, MANY_POSTCODE.toLowerCase().replace(' ', ''));
    assert.equal(many.status, 200, errorsOf(many.html).summary.join());
    assert.equal(headingOf(many.html), 'Select an address');
    assert.match(decode(many.html), new RegExp(`${MANY_COUNT} addresses found for ${MANY_POSTCODE}\\.`));
    assert.match(many.html, /href="\/services\/noise-complaint\/where\?find=1"[^>]*>Change<span class="govuk-visually-hidden"> postcode/);
    assert.match(many.html, />I cannot find the address in the list</);
    const options = optionsOf(many.html);
    assert.deepEqual(options[0], { value: '', label: `${MANY_COUNT} addresses found` });
    assert.equal(options.length, MANY_COUNT + 1);

    // Narrowed by the building number: one address, offered as radios.
    const narrowed = await find(c, page, BUILDING_ADDRESS.postcode, BUILDING_ADDRESS.building);
    assert.deepEqual(
      radiosOf(narrowed.html).map((r) => r.value),
      [BUILDING_ADDRESS.uprn],
    );
    assert.match(decode(narrowed.html), new RegExp(`1 address found for ${BUILDING_ADDRESS.postcode} and ‘${BUILDING_ADDRESS.building}’\\.`));

    // Continue without choosing.
    const unchosen = await c.postForm(actionIn(many.html), { postcode: MANY_POSTCODE, building: '' });
    assert.equal(unchosen.status, 422);
    assert.deepEqual(errorsOf(unchosen.html), { summary: ['Select an address'], inline: ['Select an address'] });
    // A UPRN that is not one of the postcode's addresses is not a choice.
    const elsewhere = await c.postForm(actionIn(many.html), { postcode: MANY_POSTCODE, building: '', uprn: BUILDING_ADDRESS.uprn });
    assert.equal(elsewhere.status, 422);

    const confirm = await c.postForm(actionIn(many.html), { postcode: MANY_POSTCODE, building: '', uprn: ADDRESS.uprn });
    assert.equal(confirm.status, 200, errorsOf(confirm.html).summary.join());
    assert.equal(headingOf(confirm.html), 'Confirm address');
    for (const line of ADDRESS.shown) assert.ok(decode(confirm.html).includes(line), `confirm shows ${line}`);
    assert.match(confirm.html, />\s*Use this address\s*</);

    // The answer is read back by UPRN: lines or coordinates posted with it are not taken.
    const used = await c.postForm(actionIn(confirm.html), { uprn: ADDRESS.uprn, 'noiseSource[line1]': 'Forged', easting: '1' });
    redirectsTo(used, `${NOISE}/when`, 'use this address');
    const session = await t.hub.db.row<{ answers: Record<string, Record<string, unknown>> }>(
      `select answers from form_sessions where answers->'noiseSource'->>'uprn' = $1 order by updated_at desc limit 1`,
      [ADDRESS.uprn],
    );
    assert.deepEqual(session?.answers.noiseSource, ADDRESS.answer);

    // Back on the page, the finder shows again with the postcode filled in.
    const again = await c.get(`${NOISE}/where`);
    assert.match(again.html, new RegExp(`id="postcode" name="postcode"[^>]* value="${ADDRESS.answer.postcode}"`));
  });

  test('errors: no postcode, not a postcode, a postcode with no addresses', async () => {
    const { c, page } = await atAddressPage(t);
    const cases: [string, string][] = [
      ['', 'Enter a postcode'],
      ['NOT A CODE', 'Enter a real postcode'],
      [EMPTY_POSTCODE, `We could not find an address that matches ${EMPTY_POSTCODE}. Check the postcode or enter the address manually.`],
    ];
    for (const [postcode, message] of cases) {
      const res = await find(c, page, postcode);
      assert.equal(res.status, 422, postcode);
      assert.deepEqual(errorsOf(res.html), { summary: [message], inline: [message] }, postcode);
      assert.match(res.html, /href="#postcode"/);
      assert.match(res.html, /Enter the address manually/);
    }
    // Every step checks the form's CSRF token.
    const forged = await c.postForm(`${NOISE}/where/find-address`, { postcode: MANY_POSTCODE });
    assert.equal(forged.status, 403);
  });

  test('"I cannot find the address in the list" → the typed fields; a UPRN posted with them is not kept', async () => {
    const { c, page } = await atAddressPage(t);
    const list = await find(c, page, MANY_POSTCODE);
    const manualUrl = decode(/href="([^"]+)"[^>]*id="cannot-find"/.exec(list.html)![1]!);
    const manual = await c.get(manualUrl);
    assert.equal(manual.status, 200);
    assert.match(manual.html, /Address line 1/);
    assert.match(manual.html, /href="\/services\/noise-complaint\/where\?find=1"/, 'back to the finder');
    const missing = await c.postTo(actionIn(manual.html), { 'noiseSource[town]': 'Exampleton' });
    assert.equal(missing.status, 422);
    assert.match(errorsOf(missing.html).summary.join(), /Enter address line 1/);
    redirectsTo(
      await c.postTo(actionIn(manual.html), {
        'noiseSource[line1]': 'Behind the old mill',
        'noiseSource[postcode]': 'ex4 4qj',
        'noiseSource[uprn]': ADDRESS.uprn,
      }),
      `${NOISE}/when`,
      'manual entry',
    );
    const row = await t.hub.db.row<{ answers: Record<string, unknown> }>(
      `select answers from form_sessions where answers->'noiseSource'->>'line1' = 'Behind the old mill' limit 1`,
    );
    assert.deepEqual(row?.answers.noiseSource, { line1: 'Behind the old mill', postcode: 'ex4 4qj' });
    // A typed answer brings back the typed fields.
    assert.match((await c.get(`${NOISE}/where`)).html, /value="Behind the old mill"/);
  });

  test('the address provider down: the page says so and offers manual entry, never a 500', async () => {
    await withProviderDown(async (down) => {
      const { c, page } = await atAddressPage(down);
      const res = await find(c, page, MANY_POSTCODE);
      assert.equal(res.status, 200);
      assert.match(res.html, /Addresses cannot be looked up at the moment/);
      assert.match(res.html, /href="\/services\/noise-complaint\/where\?manual=1"[^>]*>Enter the address manually/);
    });
  });

  test('changing the address from check your answers comes back to check your answers', async () => {
    const { c } = await atAddressPage(t);
    const page = await c.get(`${NOISE}/where?change=1`);
    assert.match(page.html, /action="\/services\/noise-complaint\/where\/find-address\?_csrf=[^"&]+&amp;change=1"/);
    const list = await find(c, page, MANY_POSTCODE);
    const confirm = await c.postForm(actionIn(list.html), { postcode: MANY_POSTCODE, building: '', uprn: ADDRESS.uprn });
    redirectsTo(await c.postForm(actionIn(confirm.html), { uprn: ADDRESS.uprn }), `${NOISE}/check-answers`, 'changed');
    // Check your answers shows the address's lines, not its coordinates.
    const check = await c.get(`${NOISE}/check-answers`);
    assert.ok(decode(check.html).includes(ADDRESS.checked), 'the address as lines');
    assert.doesNotMatch(check.html, /Easting|Latitude/);
  });
});

describe("a found address outside the council's area", () => {
  let t: TestHub;
  before(async () => {
    // The council's area made Neighbour Borough's, which holds none of the gazetteer's Exampleton.
    t = await startTestHub({
      configure: (c) => void (c.council.boundary = { file: 'boundaries/neighbour-borough.geojson', neighbours: [] }),
    });
  });
  after(async () => {
    await t?.close();
  });

  test('the pages go to "contact this council" once it is chosen; the API places a UPRN by its coordinates (422)', async () => {
    const { c, page } = await atAddressPage(t);
    const list = await find(c, page, MANY_POSTCODE);
    const confirm = await c.postForm(actionIn(list.html), { postcode: MANY_POSTCODE, building: '', uprn: ADDRESS.uprn });
    redirectsTo(await c.postForm(actionIn(confirm.html), { uprn: ADDRESS.uprn }), `${NOISE}/where/outside-area`, 'use this address');
    assert.match(headingOf((await c.get(`${NOISE}/where/outside-area`)).html), /is not in Example District Council's area/);

    const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: noiseAnswers({ noiseSource: { uprn: ADDRESS.uprn } }) }),
    });
    assert.equal(res.status, 422);
    assert.ok(((await res.json()) as { outsideArea?: unknown }).outsideArea, 'the outside-area problem');
  });
});
