// The designer's tasks, messages and back-office pages through the real HTTP server: every config/services definition
// saves back unchanged through each form; tasks are added, changed, reordered and removed with GOV.UK errors for bad
// input; message texts with an unknown placeholder are refused and previewed with sample data; a binding's "Check
// connection" runs its connector's check (the sandbox's: works; an unreachable inbox: says so) and is audited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { draftProblems, getDraft, publishDraft, startDraft } from '../../core/designer/drafts.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { formValues } from './page-forms.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };
const PEST_ANSWERS = {
  pest: 'mice',
  whereSeen: ['inside'],
  premisesType: 'domestic',
  propertyAddress: { line1: '2 Burrow Close', postcode: 'EX5 3RR' },
  preferredDays: ['mon', 'fri'],
  concession: 'yes',
  fullName: 'Lee Homeowner',
  email: 'lee@example.com',
  phone: '07700 900789',
};
const CONFIG_SERVICES = readdirSync('config/services')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

/** Gets a page and posts its form (action `action`) back exactly as the browser would, with `changes` on top. */
async function submitForm(browser: StaffBrowser, pagePath: string, action: string, changes: Record<string, string> = {}) {
  const page = await browser.get(pagePath);
  assert.equal(page.status, 200, `${pagePath}: ${page.status}`);
  return browser.post(action, { ...formValues(page.html, action), ...changes });
}

function errorSummaryOf(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"'));
}

describe('designer: tasks, messages and back offices', () => {
  let t: TestHub;
  let browser: StaffBrowser;
  before(async () => {
    t = await staffTestHub({
      configure: (c) => {
        const sandbox = c.bindings.sandbox!;
        c.bindings['broken-inbox'] = {
          ...sandbox,
          description: 'An inbox that is not there',
          config: { secret: `whsec_${randomBytes(32).toString('base64')}`, url: 'http://127.0.0.1:9/inbox', timeoutMs: 2000 },
        };
        c.bindings['other-council'] = { ...sandbox, council: 'elsewhere' };
        c.serviceBindings['food-hygiene-complaint'] = ['sandbox'];
      },
    });
    browser = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
  });
  after(() => t.close());

  test('every definition in config/services saves back unchanged through the tasks, messages and back-office forms', async () => {
    assert.ok(CONFIG_SERVICES.length >= 4);
    for (const id of CONFIG_SERVICES) {
      const base = `/staff/services/${id}`;
      assert.equal((await browser.get(`${base}/tasks`)).status, 200, id);
      const original = (await getDraft(t.hub, id))!;
      for (const task of original.definition.tasks) {
        const done = await submitForm(browser, `${base}/tasks/${task.key}/change`, `${base}/tasks/${task.key}/change`);
        assert.equal(done.status, 200, `${id} task ${task.key}`);
      }
      assert.equal((await submitForm(browser, `${base}/messages`, `${base}/messages`)).status, 200, `${id} messages`);
      assert.equal((await submitForm(browser, `${base}/binding`, `${base}/binding`)).status, 200, `${id} binding`);
      const after = (await getDraft(t.hub, id))!;
      assert.deepEqual(after.definition, original.definition, id);
      assert.equal(after.revision, original.revision, `${id}: nothing changed, nothing saved`);
      assert.deepEqual(draftProblems(t.hub, after.definition), [], id);
    }
  });

  test('tasks: added (key made from the title), refused with GOV.UK errors, changed, moved and removed; each change audited', async () => {
    const id = `dead-animal-${Date.now()}`;
    await startDraft(t.hub, editor, {
      definition: {
        id,
        title: 'Report a dead animal',
        referencePrefix: 'DAN',
        fields: [{ id: 'where', type: 'textarea', label: 'Where is the animal?' }],
        tasks: [],
      },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    const base = `/staff/services/${id}/tasks`;
    let page = await browser.get(base);
    assert.match(page.html, /no tasks yet/);

    page = await submitForm(browser, `${base}/add`, `${base}/add`, { title: 'Collect the animal', description: 'A crew collects it.' });
    assert.equal(page.status, 200);
    assert.match(page.url, /\/tasks$/);
    assert.match(page.html, /<code>collect-the-animal<\/code>/);

    page = await submitForm(browser, `${base}/add`, `${base}/add`, { title: '', key: 'Bad Key' });
    assert.equal(page.status, 422);
    assert.deepEqual(errorSummaryOf(page.html), [
      'Enter the task’s title',
      'Key must start with a lower-case letter and use only lower-case letters, digits and hyphens (-)',
    ]);
    assert.match(page.html, /<title>Error: /);
    page = await submitForm(browser, `${base}/add`, `${base}/add`, { title: 'Again', key: 'collect-the-animal' });
    assert.deepEqual(errorSummaryOf(page.html), ['Another task already has the key “collect-the-animal”: enter a different key']);
    page = await submitForm(browser, `${base}/add`, `${base}/add`, { title: 'Bad\u0000title' });
    assert.equal(page.status, 422);
    assert.deepEqual(errorSummaryOf(page.html), ['Title must not contain control characters']);

    await submitForm(browser, `${base}/add`, `${base}/add`, { title: 'Tell the citizen', key: 'tell' });
    let draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(
      draft.definition.tasks.map((x) => x.key),
      ['collect-the-animal', 'tell'],
    );

    await browser.get(base);
    assert.equal((await browser.post(`${base}/tell/move`, { revision: String(draft.revision), direction: 'up' })).status, 200);
    draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(
      draft.definition.tasks.map((x) => x.key),
      ['tell', 'collect-the-animal'],
    );

    assert.equal(
      (await submitForm(browser, `${base}/tell/change`, `${base}/tell/change`, { title: 'Tell the person who reported it', description: '' })).status,
      200,
    );
    draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(draft.definition.tasks[0], { key: 'tell', title: 'Tell the person who reported it' });

    // A form made from an older revision is a conflict: nothing overwritten.
    const stale = await browser.post(`${base}/tell/move`, { revision: String(draft.revision - 1), direction: 'down' });
    assert.equal(stale.status, 409);
    assert.equal((await getDraft(t.hub, id))!.revision, draft.revision);

    assert.equal((await submitForm(browser, `${base}/tell/remove`, `${base}/tell/remove`)).status, 200);
    draft = (await getDraft(t.hub, id))!;
    assert.deepEqual(
      draft.definition.tasks.map((x) => x.key),
      ['collect-the-animal'],
    );
    assert.deepEqual(draftProblems(t.hub, draft.definition), []);

    const changes = await t.hub.db.rows<{ change: string }>(
      `select detail->>'change' as change from audit_events where action = 'service.draft-edited' and target = $1 order by id`,
      [id],
    );
    assert.deepEqual(
      changes.map((c) => c.change),
      [
        'added the task “Collect the animal”',
        'added the task “Tell the citizen”',
        'moved the task “Tell the citizen” up',
        'changed the task “Tell the person who reported it”',
        'removed the task “Tell the person who reported it”',
      ],
    );
  });

  test('messages: an unknown placeholder is refused naming those available; saved texts are previewed with sample data', async () => {
    const base = '/staff/services/noise-complaint/messages';
    let page = await submitForm(browser, base, base, { 'submitted-subject': 'Thanks for ((refrence))' });
    assert.equal(page.status, 422);
    const [problem] = errorSummaryOf(page.html);
    assert.match(problem!, /^E-mail subject: \(\(refrence\)\) is not a placeholder of this message: use \(\(reference\)\), \(\(service\)\)/);
    assert.match(page.html, /value="Thanks for \(\(refrence\)\)"/, 'what was typed is shown again');
    page = await submitForm(browser, base, base, { 'submitted-sms': 'An ((update)) too early' });
    assert.match(errorSummaryOf(page.html)[0]!, /\(\(update\)\) is not a placeholder/);

    // Preview without saving: the typed wording with a sample reference, nothing saved.
    const before = (await getDraft(t.hub, 'noise-complaint'))!;
    page = await submitForm(browser, base, base, { 'submitted-subject': 'Report ((reference)) received', action: 'preview' });
    assert.equal(page.status, 200);
    assert.match(page.html, /id="preview-submitted-subject">Report NOI-[A-Z0-9]{8} received</);
    assert.equal((await getDraft(t.hub, 'noise-complaint'))!.revision, before.revision);

    page = await submitForm(browser, base, base, {
      'submitted-subject': 'Report ((reference)) received',
      'submitted-body': 'Dear ((name)),\r\n\r\nWe have your ((noun)) about <noise>.\r\nFollow it: ((trackingUrl))',
      'update-sms': '((council)): ((update))',
    });
    assert.equal(page.status, 200);
    assert.match(page.html, /have been saved/);
    assert.match(page.html, /Dear Sam Sample,\n\nWe have your noise report about &lt;noise&gt;\./);
    const draft = (await getDraft(t.hub, 'noise-complaint'))!;
    assert.deepEqual(draft.definition.messages, {
      submitted: { subject: 'Report ((reference)) received', body: 'Dear ((name)),\n\nWe have your ((noun)) about <noise>.\nFollow it: ((trackingUrl))' },
      update: { sms: '((council)): ((update))' },
    });
    assert.deepEqual(draftProblems(t.hub, draft.definition), []);
    // The same check at publish and in check-config (the definition schema): an unknown placeholder is a problem there too.
    const written = draftProblems(t.hub, { ...draft.definition, messages: { update: { body: 'News: ((oops))' } } });
    assert.ok(
      written.some((p) => p.field === 'messages.update.body' && /\(\(oops\)\) is not a placeholder/.test(p.message)),
      JSON.stringify(written),
    );
    // Posted back unchanged: the same definition, no new revision.
    await submitForm(browser, base, base);
    assert.equal((await getDraft(t.hub, 'noise-complaint'))!.revision, draft.revision);
    // Emptied: back to the standard wording, and no messages key at all.
    await submitForm(browser, base, base, { 'submitted-subject': '', 'submitted-body': '', 'update-sms': '' });
    assert.equal((await getDraft(t.hub, 'noise-complaint'))!.definition.messages, undefined);
  });

  test('back offices: the council’s and shared bindings offered; Check connection says what it found, and is audited', async () => {
    const base = '/staff/services/fly-tipping/binding';
    let page = await browser.get(base);
    assert.match(page.html, /name="binding:sandbox"/);
    assert.match(page.html, /name="binding:broken-inbox"/);
    assert.doesNotMatch(page.html, /binding:other-council/, 'another council’s binding is not offered');

    page = await submitForm(browser, base, base, { 'binding:broken-inbox': 'yes' });
    assert.match(page.html, /have been saved/);
    assert.deepEqual((await getDraft(t.hub, 'fly-tipping'))!.definition.bindings, ['sandbox', 'broken-inbox']);
    await submitForm(browser, base, base, { 'binding:broken-inbox': '' });
    assert.deepEqual((await getDraft(t.hub, 'fly-tipping'))!.definition.bindings, ['sandbox']);

    await browser.get(base);
    page = await browser.post(`${base}/sandbox/check`, {});
    assert.equal(page.status, 200);
    assert.match(page.html, /The connection to sandbox works/);

    await browser.get(base);
    page = await browser.post(`${base}/broken-inbox/check`, {});
    assert.equal(page.status, 422);
    const problems = errorSummaryOf(page.html);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^Url: the inbox at http:\/\/127\.0\.0\.1:9\/inbox could not be reached/i);

    assert.equal((await browser.post(`${base}/other-council/check`, {})).status, 404);
    assert.match((await browser.get('/staff/services/food-hygiene-complaint/binding')).html, /closeloop\.yaml sends this service to sandbox instead/);
    const audit = await t.hub.db.rows<{ target: string; ok: string }>(
      `select target, detail->>'ok' as ok from audit_events where action = 'binding.checked' order by id`,
    );
    assert.deepEqual(
      audit.map((a) => `${a.target} ${a.ok}`),
      ['sandbox true', 'broken-inbox false'],
    );
  });

  test('a caseworker cannot open the designer’s pages', async () => {
    const caseworker = (await signUpStaff(t, { role: 'caseworker', council: t.hub.councils.defaultId })).browser;
    for (const path of ['tasks', 'messages', 'binding', 'preview', 'try'])
      assert.equal((await caseworker.get(`/staff/services/noise-complaint/${path}`)).status, 404, path);
  });
});

describe('designer: a service’s own message wording reaches a real SMTP server', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await staffTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: true });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  test('saved in the console, published, sent: the custom subject and body, escaped in the HTML part', async () => {
    const { browser } = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId });
    const base = '/staff/services/pest-control/messages';
    const saved = await submitForm(browser, base, base, {
      'submitted-subject': 'Pest report ((reference)) received',
      'submitted-body': 'Hello ((name)),\r\n\r\nThanks for your ((noun)) to ((council)). <b>Not bold</b> & fine.\r\n\r\nFollow it here: ((trackingUrl))',
    });
    assert.equal(saved.status, 200);
    const draft = (await getDraft(t.hub, 'pest-control'))!;
    await publishDraft(t.hub, editor, 'pest-control', draft.revision);

    const res = await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: PEST_ANSWERS }),
    });
    assert.equal(res.status, 201);
    const { reference } = (await res.json()) as { reference: string };
    await smtp.waitFor((ms) => ms.some((m) => m.subject === `Pest report ${reference} received`), 20_000);
    const mail = smtp.messages.find((m) => m.subject === `Pest report ${reference} received`)!;
    const text = mail.text.replace(/\r\n/g, '\n');
    assert.match(text, /^Hello Lee Homeowner,\n\nThanks for your pest control request to Example District Council\. <b>Not bold<\/b> & fine\./);
    const link = /Follow it here: (http:\/\/\S+\/track\/[A-Za-z0-9_-]{43})/.exec(text)?.[1];
    assert.ok(link, 'a real tracking link');
    assert.match(mail.html, /&lt;b&gt;Not bold&lt;\/b&gt; &amp; fine\./);
    assert.doesNotMatch(mail.html, /<b>Not bold/);
    assert.ok(mail.html.includes(`<a href="${link}">${link}</a>`), 'the tracking link is a link in the HTML part');
  });
});
