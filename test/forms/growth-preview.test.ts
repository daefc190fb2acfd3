// Issue 20's page kinds in the designer's preview and "try it" (the citizen's templates, served for a draft): every
// page of a draft with content, exit, declaration, money and a list shows, and "try it" adds list items and reaches
// the exit page without JavaScript, sending nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { startDraft } from '../../core/designer/drafts.ts';
import { formValues } from '../designer/page-forms.ts';
import { DEFINITION } from './growth-support.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };

describe('the new page kinds in the designer’s preview and try it', () => {
  let t: TestHub;
  let browser: StaffBrowser;
  const id = `blocked-drain-try`;
  before(async () => {
    t = await staffTestHub();
    browser = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
    await startDraft(t.hub, editor, {
      definition: { ...DEFINITION, id } as never,
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
  });
  after(() => t?.close());

  test('each page of the draft is previewed, and check your answers with sample answers', async () => {
    const preview = (page: string) => browser.get(`/staff/services/${id}/preview/pages/${page}`);
    assert.match((await preview('safety')).html, /class="govuk-warning-text"/);
    assert.match((await preview('cost')).html, /<div class="govuk-input__prefix" aria-hidden="true">£<\/div>/);
    const list = await preview('people');
    assert.equal(list.status, 200);
    assert.match(list.html, /Person 1/);
    assert.match(list.html, /Add another person/);
    const exit = await preview('publicSewer');
    assert.equal(exit.status, 200);
    assert.match(exit.html, /Contact your water company/);
    assert.doesNotMatch(exit.html, />\s*Continue\s*</);
    assert.match((await preview('agree')).html, /I confirm the information I have given is correct/);
    const check = await browser.get(`/staff/services/${id}/preview/check-answers`);
    assert.equal(check.status, 200);
    assert.match(check.html, /£1\.00/, 'the money question’s sample: its minimum');
  });

  test('try it: an item added, the list sent on, and the road leading to the exit page', async () => {
    const base = `/staff/services/${id}/try`;
    let page = await browser.get(`${base}/where`);
    page = await browser.post(`${base}/where`, { ...formValues(page.html, `${base}/where`), where: 'shared' });
    assert.equal(new URL(page.url).pathname, `${base}/people`, page.url);
    page = await browser.post(`${base}/people`, { ...formValues(page.html, `${base}/people`), 'people[0][name]': 'Ann', listAction: 'add' });
    assert.equal(new URL(page.url).pathname, `${base}/people`, page.url);
    assert.match(page.html, /Person 2/);
    assert.match(page.html, /name="people\[0\]\[name\]" type="text" value="Ann"/);
    page = await browser.post(`${base}/people`, { ...formValues(page.html, `${base}/people`), 'people[1][name]': 'Bob' });
    assert.equal(new URL(page.url).pathname, `${base}/agree`, page.url);
    page = await browser.post(`${base}/agree`, { ...formValues(page.html, `${base}/agree`), agree: 'yes' });
    assert.equal(new URL(page.url).pathname, `${base}/check-answers`, page.url);
    assert.match(page.html, /Ann<br>Bob/);

    page = await browser.get(`${base}/where?change=1`);
    page = await browser.post(`${base}/where?change=1`, { ...formValues(page.html), where: 'road' });
    assert.equal(new URL(page.url).pathname, `${base}/publicSewer`, page.url);
    assert.match(page.html, /Contact your water company/);
    page = await browser.get(`${base}/check-answers`);
    assert.equal(new URL(page.url).pathname, `${base}/publicSewer`, 'no check your answers for answers that end at an exit');
    const processes = await t.hub.db.row<{ n: string }>(`select count(*) as n from processes`);
    assert.equal(Number(processes!.n), 0);
  });
});
