// The library's routes by answer on the citizen's pages, without JavaScript: a street light or a public sewer leads to
// an exit page that ends the form (heading, body, back link, no Continue); the filthy home report opens on its content
// page with the 999 warning; escaping sewage brings the safety page, and no sewage skips it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { FormClient, headingOf, type PageResponse } from '../forms/form-client.ts';

/** Where a redirect leads (its path). */
const pathOf = (r: PageResponse) => (r.location ? new URL(r.location, 'http://x').pathname : `(no redirect: ${r.status})`);
/** The href of the page's back link. */
const backLinkOf = (html: string) => /<a\b(?=[^>]*class="govuk-back-link")[^>]*href="([^"]+)"/.exec(html)?.[1];
const hasContinue = (html: string) => /<button[^>]*>\s*Continue\s*<\/button>/.test(html);

describe("the library's routes on the citizen's pages", () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  test('light-nuisance pages: a street light leads to the highways authority page, which ends the form (no Continue)', async () => {
    const c = new FormClient(t.url);
    const street = await c.answer('/services/light-nuisance/lightType', { lightType: 'street-light' });
    assert.equal(pathOf(street), '/services/light-nuisance/streetLights');
    const exit = await c.get('/services/light-nuisance/streetLights');
    assert.equal(exit.status, 200);
    assert.equal(headingOf(exit.html), 'Street lights are looked after by the highways authority');
    assert.match(exit.html, /01632 960 610/);
    assert.equal(hasContinue(exit.html), false, 'an exit page has no Continue button');
    assert.equal(backLinkOf(exit.html), '/services/light-nuisance/lightType');

    const flood = await c.answer('/services/light-nuisance/lightType', { lightType: 'floodlight' });
    assert.equal(pathOf(flood), '/services/light-nuisance/the-source', 'any other light goes on to the questions');
  });

  test('filthy-verminous-premises pages: the form opens on the page saying we are here to help, with its 999 warning', async () => {
    const c = new FormClient(t.url);
    const start = await c.get('/services/filthy-verminous-premises');
    assert.match(start.html, /href="\/services\/filthy-verminous-premises\/howWeHelp"/, 'Start now leads to the content page');
    const page = await c.get('/services/filthy-verminous-premises/howWeHelp');
    assert.equal(page.status, 200);
    assert.equal(headingOf(page.html), 'We are here to help');
    assert.match(page.html, /class="govuk-warning-text"[\s\S]*?If someone is in danger, call 999\./);
    assert.match(page.html, /We will be kind and respectful\./);
    assert.ok(hasContinue(page.html), 'a content page goes on');
    const on = await c.answer('/services/filthy-verminous-premises/howWeHelp', {});
    assert.equal(pathOf(on), '/services/filthy-verminous-premises/relationship');
  });

  test('blocked-drain pages: escaping sewage brings the safety page; none skips it', async () => {
    const c = new FormClient(t.url);
    const none = await c.answer('/services/blocked-drain/sewageEscaping', { sewageEscaping: 'no' });
    assert.equal(pathOf(none), '/services/blocked-drain/howLong');
    const inside = await c.answer('/services/blocked-drain/sewageEscaping', { sewageEscaping: 'inside' });
    assert.equal(pathOf(inside), '/services/blocked-drain/sewageSafety');
    const safety = await c.get('/services/blocked-drain/sewageSafety');
    assert.equal(headingOf(safety.html), 'Keep away from the sewage');
    assert.match(safety.html, /class="govuk-warning-text"[\s\S]*?If sewage is near electric sockets or wiring, do not touch them\./);
    assert.equal(pathOf(await c.answer('/services/blocked-drain/sewageSafety', {})), '/services/blocked-drain/howLong');
    const sewer = await c.answer('/services/blocked-drain/blockageLocation', { blockageLocation: 'public-sewer' });
    assert.equal(pathOf(sewer), '/services/blocked-drain/waterCompany');
    const exit = await c.get('/services/blocked-drain/waterCompany');
    assert.equal(headingOf(exit.html), 'Contact your water company');
    assert.equal(hasContinue(exit.html), false);
  });
});
