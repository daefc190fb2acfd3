// Issue 20, citizen pages: content and exit pages, a declaration, money, an "add another" list and routing by answer,
// walked over HTTP as a browser without JavaScript would, through to what reaches the case, its form copy and the
// staff's view of it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { decode, errorsOf, FormClient, headingOf } from './form-client.ts';
import { growthConfig, PAGES, SERVICE, type GrowthConfig } from './growth-support.ts';

/** The page's visible text, tags dropped. */
const textOf = (html: string) =>
  decode(
    html
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' '),
  );
const buttons = (html: string) => [...html.matchAll(/<button[^>]*>([\s\S]*?)<\/button>/g)].map((m) => textOf(m[1]!).trim());
const pathOf = (location: string | null) => new URL(location ?? '', 'http://x').pathname + new URL(location ?? '', 'http://x').search;

describe('the definition language on the citizen pages', () => {
  let t: TestHub;
  let setup: GrowthConfig;
  before(async () => {
    setup = growthConfig();
    t = await startTestHub({ configFile: setup.configFile });
  });
  after(async () => {
    await t?.close();
    setup?.remove();
  });

  /** Answers the first page (where) and goes on; returns the next page's address. */
  async function start(c: FormClient, where: string): Promise<string> {
    const r = await c.answer(`${PAGES}/where`, { where });
    assert.equal(r.status, 302, r.html.slice(0, 300));
    return pathOf(r.location);
  }

  test('routing by answer: the road leads to the exit page, which ends the form', async () => {
    const c = new FormClient(t.url);
    assert.equal(await start(c, 'road'), `${PAGES}/publicSewer`);
    const exit = await c.get(`${PAGES}/publicSewer`);
    assert.equal(exit.status, 200);
    assert.equal(headingOf(exit.html), 'Contact your water company');
    assert.match(exit.html, /<p class="govuk-body">Blocked drains in the road are public sewers.<\/p>\s*<p class="govuk-body">Your water company clears them/);
    assert.ok(!/<form[^>]*method="post"[^>]*action="[^"]*publicSewer/.test(exit.html), 'no form to go on with');
    assert.deepEqual(
      buttons(exit.html).filter((b) => /Continue|Save and come back later/.test(b)),
      [],
      'no Continue, no save for later',
    );
    assert.match(exit.html, /<a href="\/services\/blocked-drain\/where" class="govuk-back-link">/, 'back to the question that led here');

    // A post to the exit page does not go on; "check your answers" shows the exit page instead (nothing to send).
    const action = (await c.actionOf(`${PAGES}/where`)).replace('/where?', '/publicSewer?');
    const posted = await c.postTo(action, {});
    assert.equal(posted.status, 302);
    assert.equal(pathOf(posted.location), `${PAGES}/publicSewer`);
    const check = await c.get(`${PAGES}/check-answers`);
    assert.equal(check.status, 302);
    assert.equal(pathOf(check.location), `${PAGES}/publicSewer`);
    const rows = await t.hub.db.rows(`select id from processes where service_id = $1`, [SERVICE]);
    assert.equal(rows.length, 0, 'nothing sent');

    // Changing the answer leads on as usual.
    assert.equal(await start(c, 'shared'), `${PAGES}/people`);
    const back = await c.get(`${PAGES}/people`);
    assert.match(back.html, /<a href="\/services\/blocked-drain\/where" class="govuk-back-link">/, 'the skipped pages are not on the way back');
  });

  test('a content page: heading, hint, paragraphs, warning text and Continue', async () => {
    const c = new FormClient(t.url);
    assert.equal(await start(c, 'garden'), `${PAGES}/safety`);
    const page = await c.get(`${PAGES}/safety`);
    assert.equal(headingOf(page.html), 'Before you go on');
    assert.match(page.html, /<div class="govuk-hint">Read this first<\/div>/);
    assert.match(
      page.html,
      /<p class="govuk-body">Keep children and pets away from the drain.<\/p>\s*<p class="govuk-body">Do not lift drain covers yourself.<\/p>/,
    );
    assert.match(page.html, /class="govuk-warning-text"[\s\S]*If sewage is coming into your home, call the water company now./);
    assert.ok(buttons(page.html).includes('Continue'));
    assert.doesNotMatch(page.html, /<input(?![^>]*type="hidden")/, 'asks nothing');
    const next = await c.answer(`${PAGES}/safety`, {});
    assert.equal(pathOf(next.location), `${PAGES}/cost`);
  });

  test('money: the £ prefix input, GOV.UK errors, and the amount kept with pence', async () => {
    const c = new FormClient(t.url);
    await start(c, 'garden');
    const page = await c.get(`${PAGES}/cost`);
    assert.match(page.html, /<div class="govuk-input__prefix" aria-hidden="true">£<\/div>/);
    const input = /<input[^>]*id="cost"[^>]*>/.exec(page.html)![0];
    assert.match(input, /class="govuk-input govuk-input--width-10"/);
    assert.match(input, /inputmode="decimal"/);
    assert.match(input, /spellcheck="false"/);

    const cases: [string, string][] = [
      ['', 'Enter how much you paid'],
      ['twelve', 'How much you paid must be an amount of money, like 12.50'],
      ['0.50', 'How much you paid must be £1 or more'],
      ['£6,000', 'How much you paid must be £5,000 or less'],
    ];
    for (const [typed, message] of cases) {
      const r = await c.answer(`${PAGES}/cost`, { cost: typed });
      assert.equal(r.status, 422, typed);
      assert.deepEqual(errorsOf(r.html), { summary: [message], inline: [message] }, typed);
      assert.match(r.html, /<a href="#cost">/);
    }
    const ok = await c.answer(`${PAGES}/cost`, { cost: '£1,250' });
    assert.equal(ok.status, 302);
    assert.equal(pathOf(ok.location), `${PAGES}/people`);
  });

  test('"add another": items added and removed without JavaScript, errors linked to the item\'s input', async () => {
    const c = new FormClient(t.url);
    await start(c, 'shared');
    const empty = await c.get(`${PAGES}/people`);
    assert.equal(headingOf(empty.html), 'Who else is affected?');
    assert.match(empty.html, /<legend class="govuk-fieldset__legend govuk-fieldset__legend--m"><h2 class="govuk-fieldset__heading">Person 1<\/h2><\/legend>/);
    assert.match(empty.html, /id="people\.0\.name" name="people\[0\]\[name\]"/);
    assert.ok(buttons(empty.html).includes('Add another person'));
    assert.ok(!buttons(empty.html).some((b) => b.startsWith('Remove')), 'the only item (the fewest) cannot be removed');

    // Add: what was typed is kept, not checked; a second item appears and the page anchors to it.
    const added = await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[0][age]': 'seven', listAction: 'add' });
    assert.equal(added.status, 302);
    assert.equal(added.location, `${PAGES}/people#people.1`);
    const two = await c.get(`${PAGES}/people`);
    assert.match(two.html, /id="people\.0\.name" name="people\[0\]\[name\]" type="text" value="Ann"/);
    assert.match(two.html, /id="people\.0\.age" name="people\[0\]\[age\]" type="text" value="seven"/);
    assert.match(two.html, /id="people\.1\.name" name="people\[1\]\[name\]" type="text" value=""/);
    assert.deepEqual(
      buttons(two.html).filter((b) => b.startsWith('Remove')),
      ['Remove person 1', 'Remove person 2'],
    );

    // Continue checks: errors name the item and link to its input.
    const invalid = await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[0][age]': 'seven', 'people[1][name]': '', 'people[1][age]': '9' });
    assert.equal(invalid.status, 422);
    assert.deepEqual(errorsOf(invalid.html).summary, ['Age of person 1 must be a number', 'Enter the full name of person 2']);
    assert.match(invalid.html, /<a href="#people\.0\.age">Age of person 1 must be a number<\/a>/);
    assert.match(invalid.html, /<a href="#people\.1\.name">Enter the full name of person 2<\/a>/);
    assert.match(invalid.html, /id="people\.1\.age" name="people\[1\]\[age\]" type="text" value="9"/);

    // A date in an item: its parts named people[0][since]-day…, errors linked to the day, what was typed kept.
    const date = await c.answer(`${PAGES}/people`, {
      'people[0][name]': 'Ann',
      'people[0][since]-day': '3',
      'people[0][since]-month': '',
      'people[0][since]-year': '2026',
    });
    assert.equal(date.status, 422);
    assert.deepEqual(errorsOf(date.html).summary, ['Date they were first affected of person 1 must include a month']);
    assert.match(date.html, /<a href="#people\.0\.since-day">/);
    assert.match(date.html, /id="people\.0\.since-day" name="people\[0\]\[since\]-day" type="text" value="3"/);
    assert.match(date.html, /id="people\.0\.since-year" name="people\[0\]\[since\]-year" type="text" value="2026"/);

    // Up to the most (3): then no "Add another".
    await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[1][name]': 'Bob', listAction: 'add' });
    const three = await c.get(`${PAGES}/people`);
    assert.match(three.html, /Person 3/);
    assert.ok(!buttons(three.html).includes('Add another person'), 'none at the most');
    const over = await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[1][name]': 'Bob', 'people[2][name]': 'Cy', listAction: 'add' });
    assert.equal(over.location, `${PAGES}/people`, 'a fourth is not added');

    // Remove the second: the third takes its place.
    const removed = await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[1][name]': 'Bob', 'people[2][name]': 'Cy', listAction: 'remove-1' });
    assert.equal(removed.location, `${PAGES}/people#people.1`);
    const after = await c.get(`${PAGES}/people`);
    assert.match(after.html, /id="people\.1\.name" name="people\[1\]\[name\]" type="text" value="Cy"/);
    assert.doesNotMatch(after.html, /Person 3/);

    // An empty item is dropped on Continue; nothing at all: "Add at least one person".
    const none = await c.answer(`${PAGES}/people`, { 'people[0][name]': '', 'people[1][name]': ' ' });
    assert.deepEqual(errorsOf(none.html).summary, ['Add at least one person']);
    assert.match(none.html, /<a href="#people">Add at least one person<\/a>/);
    const good = await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[0][age]': '7', 'people[1][name]': '', 'people[2][name]': 'Bob' });
    assert.equal(good.status, 302, errorsOf(good.html).summary.join());
    assert.equal(pathOf(good.location), `${PAGES}/agree`);

    // A field name no page has is refused.
    const odd = await c.answer(`${PAGES}/people`, { 'people[99][name]': 'x' });
    assert.equal(odd.status, 400);
  });

  test('the declaration, check your answers, Change that reroutes, and what reaches the case', async () => {
    const c = new FormClient(t.url);
    await start(c, 'shared');
    await c.answer(`${PAGES}/people`, { 'people[0][name]': 'Ann', 'people[0][age]': '7', 'people[1][name]': 'Bob' });

    const declaration = await c.get(`${PAGES}/agree`);
    assert.equal(headingOf(declaration.html), 'Declaration');
    assert.match(declaration.html, /We may share what you tell us with the water company./);
    assert.match(declaration.html, /<input class="govuk-checkboxes__input" id="agree" name="agree" type="checkbox" value="yes">/);
    assert.match(
      declaration.html,
      /<label class="govuk-label govuk-checkboxes__label" for="agree">\s*I confirm the information I have given is correct\s*<\/label>/,
    );
    const unticked = await c.answer(`${PAGES}/agree`, {});
    assert.equal(unticked.status, 422);
    assert.deepEqual(errorsOf(unticked.html).summary, ['Select the box to confirm the declaration']);
    assert.match(unticked.html, /<a href="#agree">/);
    const ticked = await c.answer(`${PAGES}/agree`, { agree: 'yes' });
    assert.equal(pathOf(ticked.location), `${PAGES}/check-answers`);

    const check = await c.get(`${PAGES}/check-answers`);
    assert.equal(check.status, 200);
    const text = textOf(check.html);
    assert.match(text, /Who else is affected\? Ann, 7 Bob Change/);
    assert.match(check.html, /Ann, 7<br>Bob/, 'each item on its own line');
    assert.doesNotMatch(text, /How much did you pay/, 'a skipped page is not on the path');
    assert.doesNotMatch(text, /Before you go on/, 'a content page has no answer');
    assert.match(check.html, /<a href="\/services\/blocked-drain\/agree" class="govuk-back-link">/);

    // Change "where" to the garden: the pages it opens (the money question) are asked before check your answers again.
    const change = await c.answer(`${PAGES}/where?change=1`, { where: 'garden' });
    assert.equal(pathOf(change.location), `${PAGES}/cost?change=1`);
    const cost = await c.answer(`${PAGES}/cost?change=1`, { cost: '1250' });
    assert.equal(pathOf(cost.location), `${PAGES}/check-answers`);
    const checked = textOf((await c.get(`${PAGES}/check-answers`)).html);
    assert.match(checked, /How much did you pay a contractor\? £1,250.00 Change/);
    assert.match(checked, /Declaration Confirmed Change/);

    // A change that leads to the exit page goes there; changing it back returns to check your answers.
    const toExit = await c.answer(`${PAGES}/where?change=1`, { where: 'road' });
    assert.equal(pathOf(toExit.location), `${PAGES}/publicSewer`);
    const backAgain = await c.answer(`${PAGES}/where?change=1`, { where: 'garden' });
    assert.equal(pathOf(backAgain.location), `${PAGES}/check-answers`);

    const sent = await c.send(SERVICE);
    assert.equal(sent.status, 302);
    const confirmation = await c.get(pathOf(sent.location));
    const reference = /DRN-[A-HJ-NP-Z2-9]{8}/.exec(confirmation.html)![0];
    const row = await t.hub.db.row<{ id: string; answers: Record<string, unknown> }>('select id, answers from processes where reference = $1', [reference]);
    assert.deepEqual(row!.answers, {
      where: 'garden',
      cost: '1250.00',
      people: [{ name: 'Ann', age: 7 }, { name: 'Bob' }],
      agree: true,
    });

    const copy = await t.hub.db.row<{ t: string }>(`select convert_from(content, 'UTF8') as t from documents where process_id = $1 and kind = 'form-html'`, [
      row!.id,
    ]);
    assert.match(copy!.t, /<th scope="row">How much did you pay a contractor\?<\/th><td>£1,250.00<\/td>/);
    assert.match(copy!.t, /<strong>Person 1<\/strong><br>Full name: Ann<br>Age \(optional\): 7<br><br><strong>Person 2<\/strong><br>Full name: Bob/);
    assert.match(copy!.t, /<th scope="row">Declaration<\/th><td>Confirmed<\/td>/);
    assert.doesNotMatch(copy!.t, /Before you go on|Contact your water company/);

    const key = await t.key([SERVICE]);
    const detail = (await (await fetch(`${t.url}/api/v1/processes/${row!.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      questions: { id: string; answer: string | null }[];
    };
    const answers = Object.fromEntries(detail.questions.map((q) => [q.id, q.answer]));
    assert.deepEqual(answers, { where: 'garden', cost: '£1,250.00', people: 'Person 1: Ann, 7; Person 2: Bob', agree: 'Confirmed' });
  });
});
