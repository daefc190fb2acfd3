// The designer's task form sets a task's target (working days, counted from the submission or the task's start), with
// GOV.UK errors for a target that is not a whole number of working days; the list shows it; emptying it removes it.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { draftProblems, getDraft, startDraft } from '../../core/designer/drafts.ts';
import { formValues } from '../designer/page-forms.ts';

let t: TestHub;
let browser: StaffBrowser;

async function submitForm(pagePath: string, action: string, changes: Record<string, string> = {}) {
  const page = await browser.get(pagePath);
  assert.equal(page.status, 200, `${pagePath}: ${page.status}`);
  return browser.post(action, { ...formValues(page.html, action), ...changes });
}

const errorSummaryOf = (html: string) =>
  [...(/<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '').matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('targets/designer', () => {
  before(async () => {
    t = await staffTestHub();
    browser = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
  });
  after(() => t.close());

  test('a task gets a target in the designer, is refused one that is not a whole number of days, and loses it when emptied', async () => {
    const id = `graffiti-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test Editor' },
      {
        definition: { id, title: 'Report graffiti', referencePrefix: 'GRF', fields: [{ id: 'where', type: 'textarea', label: 'Where is it?' }], tasks: [] },
        baseVersion: null,
        council: t.hub.councils.defaultId,
      },
    );
    const base = `/staff/services/${id}/tasks`;

    let page = await submitForm(`${base}/add`, `${base}/add`, { title: 'Remove the graffiti', targetDays: '0' });
    assert.equal(page.status, 422);
    assert.deepEqual(errorSummaryOf(page.html), [['#targetDays', 'Target must be a whole number of working days from 1 to 365']]);
    page = await submitForm(`${base}/add`, `${base}/add`, { title: 'Remove the graffiti', targetDays: '5.5' });
    assert.equal(page.status, 422);
    page = await submitForm(`${base}/add`, `${base}/add`, { title: 'Remove the graffiti', targetDays: '5', targetFrom: 'tomorrow' });
    assert.deepEqual(errorSummaryOf(page.html), [['#targetFrom', 'Select when the working days are counted from']]);

    page = await submitForm(`${base}/add`, `${base}/add`, { title: 'Remove the graffiti', targetDays: '10', targetFrom: 'taskStart' });
    assert.equal(page.status, 200);
    assert.match(page.html, /10 working days from the day the task starts/);
    let draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(draft.definition.tasks, [{ key: 'remove-the-graffiti', title: 'Remove the graffiti', target: { workingDays: 10, from: 'taskStart' } }]);
    assert.deepEqual(draftProblems(t.hub, draft.definition), []);

    // The change form shows the target as saved; saved back unchanged it stays; emptied it goes.
    const change = `${base}/remove-the-graffiti/change`;
    const form = formValues((await browser.get(change)).html, change);
    assert.equal(form.targetDays, '10');
    assert.equal(form.targetFrom, 'taskStart');
    await submitForm(change, change, { targetDays: '' });
    draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(draft.definition.tasks, [{ key: 'remove-the-graffiti', title: 'Remove the graffiti' }]);
    assert.match((await browser.get(base)).html, /Target<\/dt><dd class="govuk-summary-list__value">None/);
  });
});
