// The designer's new question types and routes through the real HTTP server, as an editor's browser without JavaScript
// uses them: information, exit, declaration, money and list ("add another", with its own questions added, changed,
// moved and removed) pages; "after this answer, go to" on an option (an earlier page refused with an error summary);
// the service's category; the publish checks and the versions diff in plain words.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { getDraft, startDraft } from '../../core/designer/drafts.ts';
import { diffDefinitions } from '../../core/designer/diff.ts';
import { serviceDefinitionSchema } from '../../core/services/index.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { formFields } from './form-fields.ts';

const errorSummary = (html: string) => html.match(/govuk-error-summary[^]*?<\/ul>/)?.[0] ?? '';

describe('designer: the new question types and routing by answer', () => {
  let t: TestHub;
  let editor: StaffBrowser;
  const id = `growth-${Date.now()}`;
  const base = `/staff/services/${id}/questions`;

  before(async () => {
    t = await staffTestHub();
    editor = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: 'Gail Growth' })).browser;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      {
        definition: { id, title: 'Report a blocked drain', referencePrefix: 'BDR', fields: [], tasks: [{ key: 'inspect', title: 'Inspect the drain' }] },
        baseVersion: null,
        council: t.hub.councils.defaultId,
      },
    );
  });
  after(() => t?.close());

  const draft = async () => (await getDraft(t.hub, id))!;
  const question = async (qid: string) => (await draft()).definition.fields.find((f) => f.id === qid)!;

  /** Opens a page, fills its form as a browser would (the page's own values, then `changes`) and posts it. */
  async function submit(path: string, changes: Record<string, string | undefined> = {}, action = path) {
    const page = await editor.get(path);
    assert.equal(page.status, 200, `${path}: ${page.status}`);
    const fields = formFields(page.html, action);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete fields[k];
      else fields[k] = v;
    }
    return editor.post(action, fields);
  }

  async function add(type: string, details: Record<string, string | undefined>, path = base) {
    const saved = await submit(`${path}/new/${type}`, { action: 'save', ...details });
    assert.equal(saved.status, 200, errorSummary(saved.html));
    return saved;
  }

  test('the type choice offers the new types in plain words', async () => {
    const page = await editor.get(`${base}/new`);
    for (const name of ['Information page', 'Exit page — the form ends here', 'Declaration', 'Amount of money', 'List of things — the citizen can add another'])
      assert.ok(page.html.includes(name), name);
  });

  test('a radios question, an exit page, an information page, a declaration and an amount of money', async () => {
    await add('radios', {
      label: 'Is the drain on a public road?',
      id: 'where',
      optionCount: '2',
      'option-0-label': 'Yes',
      'option-1-label': 'No, on private land',
      'option-1-value': 'private',
    });
    const exitPage = await editor.get(`${base}/new/exit`);
    assert.doesNotMatch(exitPage.html, /Must people answer it\?/, 'an exit page asks nothing, so nothing to require');
    assert.doesNotMatch(exitPage.html, /Which page is it on\?/, 'an exit page has a page of its own');
    const empty = await submit(`${base}/new/exit`, { action: 'save', label: 'We cannot help with this', body: '' });
    assert.equal(empty.status, 422);
    assert.match(errorSummary(empty.html), /href="#body">Enter the text of the page/);
    await add('exit', { label: 'We cannot help with this', id: 'privateDrain', body: 'Contact the owner of the land.\r\n\r\nOr call a drainage company.' });
    assert.deepEqual(await question('privateDrain'), {
      id: 'privateDrain',
      label: 'We cannot help with this',
      type: 'exit',
      body: 'Contact the owner of the land.\n\nOr call a drainage company.',
    });

    await add('content', { label: 'Before you start', id: 'before', body: 'Have the address ready.', warning: 'If sewage is flooding a home, call 999.' });
    const content = await question('before');
    assert.equal(content.type, 'content');
    assert.ok(content.type === 'content' && content.warning === 'If sewage is flooding a home, call 999.' && !('required' in content));

    const noConfirm = await submit(`${base}/new/declaration`, { action: 'save', label: 'Declaration', body: 'What I have said is true.', confirm: '' });
    assert.equal(noConfirm.status, 422);
    assert.match(errorSummary(noConfirm.html), /href="#confirm">Enter the words next to the box/);
    await add('declaration', { label: 'Declaration', id: 'declaration', body: 'What I have said is true.', confirm: 'I confirm this is correct' });
    const declaration = await question('declaration');
    assert.ok(declaration.type === 'declaration' && declaration.confirm === 'I confirm this is correct' && declaration.required === undefined);

    const badMoney = await submit(`${base}/new/money`, { action: 'save', label: 'How much did it cost?', required: 'yes', min: '12.345', max: 'ten' });
    assert.equal(badMoney.status, 422);
    assert.match(errorSummary(badMoney.html), /Smallest amount must be an amount of money, like 12.50[^]*Largest amount must be an amount of money/);
    assert.match(badMoney.html, /govuk-input__prefix[^>]*>£</, 'the amounts have a £ prefix');
    await add('money', { label: 'How much did it cost?', id: 'cost', required: 'no', min: '£1,000', max: '5000.50', wholePounds: 'yes' });
    const cost = await question('cost');
    assert.ok(cost.type === 'money');
    assert.deepEqual([cost.min, cost.max, cost.wholePounds, cost.required], [1000, 5000.5, true, false]);
  });

  test('"after this answer, go to": later pages and "Check your answers" only; an earlier page is refused', async () => {
    const page = await editor.get(`${base}/where`);
    const select = page.html.match(/<select[^>]*name="option-1-goTo"[^]*?<\/select>/)?.[0] ?? '';
    assert.match(select, /<option value="" selected>The next page<\/option>/);
    assert.match(select, /<option value="privateDrain">Page 2: We cannot help with this<\/option>/);
    assert.match(select, /<option value="check-answers">Check your answers<\/option>/);
    const saved = await submit(`${base}/where`, { action: 'save', 'option-1-goTo': 'privateDrain', 'option-0-goTo': 'check-answers' });
    assert.equal(saved.status, 200, errorSummary(saved.html));
    const where = await question('where');
    assert.ok(where.type === 'radios');
    assert.deepEqual(
      where.options.map((o) => o.goTo),
      ['check-answers', 'privateDrain'],
    );
    assert.match(saved.html, /After ‘No, on private land’ it goes to page 2 \(‘We cannot help with this’\)\./);

    // The money question (page 5) cannot send an answer back; a radios question on it cannot go to page 1.
    await add('radios', { label: 'Was anyone hurt?', id: 'hurt', optionCount: '1', 'option-0-label': 'Yes', page: 'cost' });
    const back = await submit(`${base}/hurt`, { action: 'save', 'option-0-goTo': 'where' });
    assert.equal(back.status, 422);
    assert.match(errorSummary(back.html), /href="#option-0-goTo">Option 1 can only go to a page after this question, or to ‘Check your answers’/);
    const hurt = await question('hurt');
    assert.ok(hurt.type === 'radios' && hurt.options[0]!.goTo === undefined, 'nothing saved');

    // Removing the exit page while an answer goes to it is refused.
    const remove = await submit(`${base}/privateDrain/remove`, { confirm: 'yes' });
    assert.equal(remove.status, 422);
    assert.match(remove.html, /An answer to “Is the drain on a public road\?” goes to this page/);
    // Moving the exit page above its question is refused too.
    const moved = await submit(base, { page: 'privateDrain', direction: 'up' }, `${base}/move`);
    assert.match(
      moved.html,
      /The answer ‘No, on private land’ to “Is the drain on a public road\?” goes to the page with “We cannot help with this”, so that page must come after it/,
    );
  });

  test('a list: its settings, then its own questions of the allowed types added, changed, moved and removed', async () => {
    const saved = await add('list', { label: 'Who else is affected?', id: 'others', required: 'yes', itemName: 'person', maxItems: '5' });
    assert.ok(saved.url.endsWith(`${base}/others?added=1`), saved.url);
    assert.match(saved.html, /The list is saved\. Now add the questions it asks about each thing\./);
    assert.match(saved.html, /The list asks nothing yet/);

    const types = await editor.get(`${base}/others/items/new`);
    assert.match(types.html, /value="money"/);
    assert.doesNotMatch(types.html, /value="(file|address|list|exit|checkboxes)"/, 'only the types a list allows');
    const refused = await editor.post(`${base}/others/items/new`, { type: 'file', _csrf: await editor.csrf() });
    assert.equal(refused.status, 422);
    assert.match(errorSummary(refused.html), /Select the type of question/);

    const itemPage = await editor.get(`${base}/others/items/new/text`);
    assert.doesNotMatch(itemPage.html, /Which page is it on\?|After this answer, go to|When it is asked/, 'no page, route or condition in a list');
    await add('text', { label: 'Their name', id: 'name', required: 'yes' }, `${base}/others/items`);
    await add('number', { label: 'Their age', id: 'age', required: 'no', integer: 'yes' }, `${base}/others/items`);
    let others = await question('others');
    assert.ok(others.type === 'list');
    assert.deepEqual(
      others.fields.map((f) => [f.id, f.type]),
      [
        ['name', 'text'],
        ['age', 'number'],
      ],
    );
    assert.equal(others.maxItems, 5);

    const listPage = await editor.get(`${base}/others`);
    assert.match(listPage.html, /Questions asked about each person/);
    await submit(`${base}/others`, { question: 'age', direction: 'up' }, `${base}/others/items/move`);
    await submit(`${base}/others/items/name`, { action: 'save', label: 'Their full name' });
    others = await question('others');
    assert.ok(others.type === 'list');
    assert.deepEqual(
      others.fields.map((f) => f.label),
      ['Their age', 'Their full name'],
    );
    const removed = await submit(`${base}/others/items/age/remove`, { confirm: 'yes' });
    assert.equal(removed.status, 200);
    others = await question('others');
    assert.ok(others.type === 'list' && others.fields.length === 1);

    const tooMany = await submit(`${base}/others`, { action: 'save', minItems: '6' });
    assert.equal(tooMany.status, 422);
    assert.match(errorSummary(tooMany.html), /Most must be the same as or more than the fewest/);
    const list = await editor.get(base);
    assert.match(list.html, /Asks about each person: Their full name\./);
  });

  test('the category, in the settings', async () => {
    const bad = await submit(`/staff/services/${id}/settings`, { category: 'gardening' });
    assert.equal(bad.status, 400);
    assert.match(errorSummary(bad.html), /href="#category">Select where the service is listed/);
    const saved = await submit(`/staff/services/${id}/settings`, { category: 'waste-and-streets' });
    assert.equal(saved.status, 200);
    assert.equal((await draft()).definition.category, 'waste-and-streets');
  });

  test('the publish checks explain problems with the new features in plain words', async () => {
    // Take away the only route to the exit page.
    await submit(`${base}/where`, { action: 'save', 'option-1-goTo': '' });
    const publish = await editor.get(`/staff/services/${id}/publish`);
    assert.match(publish.html, /The page ‘We cannot help with this’ is an exit page with no way to reach it: add a ‘go to’ on an answer, or a condition/);
    assert.match(publish.html, new RegExp(`href="${base}/privateDrain"`));
    await submit(`${base}/where`, { action: 'save', 'option-1-goTo': 'privateDrain' });
    const ready = await editor.get(`/staff/services/${id}/publish`);
    assert.doesNotMatch(ready.html, /no way to reach it/);
    assert.ok(serviceDefinitionSchema.safeParse((await draft()).definition).success, 'the draft is a valid definition');
  });

  test('the diff says changes to the new settings in plain words', () => {
    const before = {
      category: 'housing',
      fields: [
        { id: 'where', type: 'radios', label: 'Where?', options: [{ value: 'a', label: 'Road' }] },
        { id: 'cost', type: 'money', label: 'Cost', min: 5 },
        { id: 'others', type: 'list', label: 'Who else?', itemName: 'person', fields: [{ id: 'name', type: 'text', label: 'Name' }] },
      ],
    };
    const after = {
      category: 'waste-and-streets',
      fields: [
        { id: 'where', type: 'radios', label: 'Where?', options: [{ value: 'a', label: 'Road', goTo: 'check-answers' }] },
        { id: 'cost', type: 'money', label: 'Cost', min: 10 },
        { id: 'others', type: 'list', label: 'Who else?', itemName: 'vehicle', fields: [{ id: 'name', type: 'text', label: 'Name', required: false }] },
        { id: 'stop', type: 'exit', label: 'Not us', body: 'Call the water company.' },
      ],
    };
    const diff = diffDefinitions(before, after);
    const words = JSON.stringify(diff.sections);
    assert.match(words, /Road \(a\) then goes to ‘Check your answers’/);
    assert.match(words, /"setting":"Smallest amount","before":"£5.00","after":"£10.00"/);
    assert.match(words, /"setting":"One thing in the list is called","before":"“person”","after":"“vehicle”"/);
    assert.match(words, /Name \(Short text, optional\)/);
    assert.match(words, /"setting":"Type","before":"","after":"Exit page \(the form ends there\)"/);
    assert.match(words, /"setting":"Listed under","before":"Housing","after":"Waste and streets"/);
  });
});
