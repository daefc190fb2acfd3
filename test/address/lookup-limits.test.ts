// Issue 19, the citizen pages' address searches are limited (with os-places each is a paid OS transaction): per form
// session and per client address over a window (server.rateLimits.addressLookups…). Over a limit the page says so with
// 429 and Retry-After, offers manual entry (the address question) or the pin (the location question), and the provider
// is not asked; never a 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { decode, errorsOf, FormClient, headingOf, type PageResponse } from '../forms/form-client.ts';
import { locationConfig, PAGES, type LocationConfig } from '../forms/location-support.ts';
import { MANY_POSTCODE } from '../forms/find-address-support.ts';

const NOISE = '/services/noise-complaint';
const PER_SESSION = 3;
const PER_ADDRESS = 6;
const TOO_MANY = 'You have looked up too many addresses. Try again later or enter the address manually.';

const actionIn = (html: string) => decode(/<form[^>]*action="([^"]+)"/.exec(html)![1]!);

describe('limits on address searches', () => {
  let lc: LocationConfig;
  let t: TestHub;
  let searches = 0;
  before(async () => {
    lc = locationConfig();
    t = await startTestHub({
      configFile: lc.configFile,
      configure: (c) => Object.assign(c.server.rateLimits, { addressLookupsPerSession: PER_SESSION, addressLookupsPerAddress: PER_ADDRESS }),
    });
  });
  after(async () => {
    await t?.close();
    lc?.remove();
  });

  /** The noise report's find-an-address page, in a new form session. */
  async function atAddressPage(): Promise<{ c: FormClient; page: PageResponse }> {
    const c = new FormClient(t.url);
    await c.get(NOISE);
    await c.answer(`${NOISE}/about-the-noise`, { noiseType: 'dog' });
    return { c, page: await c.get(`${NOISE}/where`) };
  }

  function assertTooMany(res: PageResponse) {
    assert.equal(res.status, 429, headingOf(res.html));
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.ok(Number(res.headers.get('retry-after')) > 0 && Number(res.headers.get('retry-after')) <= 600);
  }

  test("the location question's street search: the session's allowance, then 429 on the page, what was typed kept", async () => {
    const c = new FormClient(t.url);
    const action = await c.actionOf(`${PAGES}/where`);
    const search = () => c.postTo(action, { 'where[description]': 'In the gutter', 'where[street]': 'AA1 1AB', 'where[find]': '1' });
    for (let i = 0; i < PER_SESSION; i++) {
      const found = await search();
      searches++;
      assert.equal(found.status, 200, `search ${i + 1}`);
      assert.match(found.html, /Select the nearest address/);
    }
    const refused = await search();
    assertTooMany(refused);
    assert.deepEqual(errorsOf(refused.html).summary, ['You have looked up too many addresses. Try again later.']);
    assert.doesNotMatch(refused.html, /Select the nearest address/, 'nothing looked up');
    assert.ok(decode(refused.html).includes('In the gutter'), 'what was typed is kept');
  });

  test('find an address by postcode: the session\'s allowance, then 429 with "enter the address manually"', async () => {
    const { c, page } = await atAddressPage();
    const action = actionIn(page.html);
    for (let i = 0; i < PER_SESSION; i++) {
      const list = await c.postForm(action, { postcode: MANY_POSTCODE, building: '' });
      searches++;
      assert.equal(list.status, 200, `search ${i + 1}: ${headingOf(list.html)}`);
      assert.equal(headingOf(list.html), 'Select an address');
    }
    const refused = await c.postForm(action, { postcode: MANY_POSTCODE, building: '' });
    assertTooMany(refused);
    const text = decode(refused.html.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ');
    assert.ok(text.includes(TOO_MANY), 'the message');
    assert.match(
      refused.html,
      /<a class="govuk-notification-banner__link" href="\/services\/noise-complaint\/where\?manual=1">enter the address manually<\/a>/,
    );
    assert.equal(headingOf(refused.html), 'Where is the noise coming from?', 'the find-an-address page again');
    assert.ok(refused.html.includes(`value="${MANY_POSTCODE}"`), 'the postcode kept');

    // Manual entry still works: the typed address is taken.
    const manual = await c.get(`${NOISE}/where?manual=1`);
    assert.equal(manual.status, 200);
    const kept = await c.postTo(actionIn(manual.html), { 'noiseSource[line1]': '1 Millbeck Road', 'noiseSource[postcode]': 'AA1 1AB' });
    assert.equal(kept.status, 302, errorsOf(kept.html).summary.join('; '));
  });

  test('the client address has its own allowance across form sessions: a new session from it is refused too', async () => {
    assert.equal(searches, PER_ADDRESS, 'the address has used its allowance');
    const { c, page } = await atAddressPage();
    assertTooMany(await c.postForm(actionIn(page.html), { postcode: MANY_POSTCODE, building: '' }));
  });

  test('a postcode that is not one is still a 422: checked before the limit, so not counted against it', async () => {
    const { c, page } = await atAddressPage();
    const res = await c.postForm(actionIn(page.html), { postcode: 'NOT A POSTCODE', building: '' });
    assert.equal(res.status, 422);
    assert.deepEqual(errorsOf(res.html).summary, ['Enter a real postcode']);
  });
});
