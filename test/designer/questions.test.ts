// The question builder through the real HTTP server, as a service editor's browser without JavaScript uses it: add a
// question of every type, a conditional one ("is" and "is not"), reorder questions and pages with the move buttons,
// errors that save nothing, a renamed question whose condition, contact and XML mapping follow it — and the round trip:
// every definition in config/services opens in the console and, with each form posted back as shown, saves unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { TestHub } from '../helpers/hub.ts';
import { editDraft, getDraft, startDraft, draftProblems } from '../../core/designer/drafts.ts';
import { questionPages } from '../../core/designer/questions.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { formFields } from './form-fields.ts';

describe('question builder pages', () => {
  let t: TestHub;
  let editor: StaffBrowser;
  const id = `dead-animal-${Date.now()}`;
  const base = `/staff/services/${id}/questions`;

  before(async () => {
    t = await staffTestHub();
    editor = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: 'Sam Editor' })).browser;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      {
        definition: { id, title: 'Report a dead animal', referencePrefix: 'DAN', fields: [], tasks: [{ key: 'collect', title: 'Collect the animal' }] },
        baseVersion: null,
        council: t.hub.councils.defaultId,
      },
    );
  });
  after(() => t?.close());

  const draft = async () => (await getDraft(t.hub, id))!;

  /** Opens a page, fills its form as a browser would (the page's own values, then `changes`) and posts it. */
  async function submit(path: string, changes: Record<string, string | undefined> = {}, action?: string) {
    const page = await editor.get(path);
    assert.equal(page.status, 200, `${path}: ${page.status}`);
    const fields = formFields(page.html, action ?? path);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete fields[k];
      else fields[k] = v;
    }
    return editor.post(action ?? path, fields);
  }

  async function addQuestion(type: string, details: Record<string, string | undefined>) {
    const chosen = await editor.post(`${base}/new`, { type, _csrf: await csrf() });
    assert.equal(chosen.status, 200);
    assert.ok(chosen.url.endsWith(`${base}/new/${type}`), chosen.url);
    const saved = await submit(`${base}/new/${type}`, { action: 'save', ...details });
    assert.equal(saved.status, 200, saved.html.match(/govuk-error-summary[^]*?<\/ul>/)?.[0]);
    assert.ok(saved.url.startsWith(`${t.url}${base}`), saved.url);
    return saved;
  }

  async function csrf() {
    await editor.get(base);
    return editor.csrf();
  }

  test('a question of every type, with its limits, on the pages chosen', async () => {
    await addQuestion('radios', {
      label: 'What kind of animal is it?',
      'option-0-label': 'Cat',
      'option-1-label': 'Dog',
      optionCount: '3',
      'option-2-label': 'Something else',
      'option-2-value': 'other',
    });
    let def = (await draft()).definition;
    assert.deepEqual(def.fields[0], {
      id: 'whatKindOfAnimalIsIt',
      type: 'radios',
      label: 'What kind of animal is it?',
      options: [
        { value: 'cat', label: 'Cat' },
        { value: 'dog', label: 'Dog' },
        { value: 'other', label: 'Something else' },
      ],
    });
    await addQuestion('text', {
      label: 'Vehicle registration (optional)',
      required: 'no',
      format: 'vehicle-registration',
      maxLength: '8',
      page: 'whatKindOfAnimalIsIt',
    });
    await addQuestion('textarea', { label: 'Where is the animal?', hint: 'For example, by the bus stop', minLength: '5' });
    await addQuestion('email', { label: 'Email address' });
    await addQuestion('phone', { label: 'Phone number (optional)', required: 'no', page: 'emailAddress' });
    await addQuestion('number', { label: 'How many animals are there?', min: '1', max: '20', integer: 'yes' });
    await addQuestion('date', { label: 'When did you see it?', notInFuture: 'yes' });
    await addQuestion('datetime', { label: 'When can we come?' });
    await addQuestion('checkboxes', { label: 'What is nearby?', optionCount: '2', 'option-0-label': 'A road', 'option-1-label': 'A school' });
    await addQuestion('select', { label: 'Which ward?', optionCount: '1', 'option-0-label': 'North ward' });
    await addQuestion('address', { label: 'Address of the animal', allowLocationOnly: 'yes' });
    await addQuestion('file', {
      label: 'Upload a photo (optional)',
      required: 'no',
      'accept-pdf': undefined,
      'accept-heic': 'yes',
      maxSizeMb: '5',
      multiple: 'yes',
      maxFiles: '3',
    });

    def = (await draft()).definition;
    const byId = Object.fromEntries(def.fields.map((f) => [f.id, f]));
    assert.deepEqual(byId.vehicleRegistrationOptional, {
      id: 'vehicleRegistrationOptional',
      type: 'text',
      label: 'Vehicle registration (optional)',
      required: false,
      maxLength: 8,
      pattern: '[A-Za-z]{2}[0-9]{2} ?[A-Za-z]{3}|[A-Za-z][0-9]{1,3} ?[A-Za-z]{3}|[A-Za-z]{3} ?[0-9]{1,3}[A-Za-z]?',
      patternMessage: 'Enter a registration like AB12 CDE',
      page: 'whatKindOfAnimalIsIt',
    });
    assert.deepEqual(byId.howManyAnimalsAreThere, {
      id: 'howManyAnimalsAreThere',
      type: 'number',
      label: 'How many animals are there?',
      min: 1,
      max: 20,
      integer: true,
    });
    assert.equal((byId.whenDidYouSeeIt as { notInFuture?: boolean }).notInFuture, true);
    assert.equal((byId.addressOfTheAnimal as { allowLocationOnly?: boolean }).allowLocationOnly, true);
    assert.deepEqual(byId.uploadAPhotoOptional, {
      id: 'uploadAPhotoOptional',
      type: 'file',
      label: 'Upload a photo (optional)',
      required: false,
      accept: ['image/jpeg', 'image/png', 'image/heic'],
      maxSize: 5 * 1024 * 1024,
      multiple: true,
      maxFiles: 3,
    });
    assert.equal(byId.phoneNumberOptional!.page, 'emailAddress', 'on the page of the email question');
    assert.equal(questionPages(def).length, 10, 'two questions joined others’ pages');
    assert.deepEqual(draftProblems(t.hub, def), [], 'a definition the builder makes can be published');

    const list = await editor.get(base);
    assert.match(list.html, /Several options from a list, must be answered/);
    assert.match(list.html, /Short answer, optional/);
    const audit = await t.hub.db.rows<{ detail: { change: string } }>(
      `select detail from audit_events where target = $1 and action = 'service.draft-edited' order by id`,
      [id],
    );
    assert.equal(audit[0]!.detail.change, 'added the question “What kind of animal is it?”');
  });

  test('bad input gets the page again with an error summary, and nothing is saved', async () => {
    const before = (await draft()).definition;
    await editor.get(`${base}/new/radios`);
    const page = await editor.post(`${base}/new/radios`, {
      revision: String((await draft()).revision),
      label: '',
      required: 'yes',
      optionCount: '2',
      'option-0-label': 'Same',
      'option-1-label': 'Same',
      page: '_new',
      action: 'save',
    });
    assert.equal(page.status, 422);
    assert.match(page.html, /govuk-error-summary[^]*href="#label"[^]*Enter the question[^]*href="#option-1-value"/);
    const number = await submit(`${base}/howManyAnimalsAreThere`, { action: 'save', min: 'ten', max: '0.5x' });
    assert.equal(number.status, 422);
    assert.match(number.html, /Smallest value must be a number/);
    const typeless = await editor.post(`${base}/new`, {});
    assert.equal(typeless.status, 422);
    assert.match(typeless.html, /Select the type of question/);
    const stale = await editor.post(`${base}/howManyAnimalsAreThere`, {
      ...formFields(number.html, `${base}/howManyAnimalsAreThere`),
      revision: '1',
      min: '2',
      max: '3',
      action: 'save',
    });
    assert.equal(stale.status, 409, 'an old revision is a conflict, not an overwrite');
    assert.match(stale.html, /What you entered[^]*How many animals are there\?/, 'the conflict page shows back what was typed');
    assert.deepEqual((await draft()).definition, before);
  });

  test('options are added, removed and moved without JavaScript before saving', async () => {
    let page = await submit(`${base}/whichWard`, { action: 'add-option' });
    assert.equal(page.status, 200);
    let fields = formFields(page.html, `${base}/whichWard`);
    assert.equal(fields.optionCount, '2');
    fields['option-1-label'] = 'South ward';
    page = await editor.post(`${base}/whichWard`, { ...fields, action: 'up-option-1' });
    fields = formFields(page.html, `${base}/whichWard`);
    assert.equal(fields['option-0-label'], 'South ward');
    page = await editor.post(`${base}/whichWard`, { ...fields, action: 'add-option' });
    fields = formFields(page.html, `${base}/whichWard`);
    fields['option-2-label'] = 'East ward';
    page = await editor.post(`${base}/whichWard`, { ...fields, action: 'remove-option-1' });
    fields = formFields(page.html, `${base}/whichWard`);
    await editor.post(`${base}/whichWard`, { ...fields, action: 'save' });
    const ward = (await draft()).definition.fields.find((f) => f.id === 'whichWard') as { options: unknown };
    assert.deepEqual(ward.options, [
      { value: 'south-ward', label: 'South ward' },
      { value: 'east-ward', label: 'East ward' },
    ]);
  });

  test('conditions: "is" and "is not", shown in words, refused out of order', async () => {
    await submit(`${base}/whereIsTheAnimal/condition`, { field: 'whatKindOfAnimalIsIt' });
    const values = await submit(`${base}/whereIsTheAnimal/condition/whatKindOfAnimalIsIt`, { is: 'not', 'value-0': 'yes' });
    assert.equal(values.status, 200);
    let def = (await draft()).definition;
    assert.deepEqual(def.fields.find((f) => f.id === 'whereIsTheAnimal')!.showIf, { field: 'whatKindOfAnimalIsIt', notIn: ['cat'] });
    await submit(`${base}/whatIsNearby/condition`, { field: 'whatKindOfAnimalIsIt' });
    await submit(`${base}/whatIsNearby/condition/whatKindOfAnimalIsIt`, { is: 'is', 'value-1': 'yes', 'value-2': 'yes' });
    def = (await draft()).definition;
    assert.deepEqual(def.fields.find((f) => f.id === 'whatIsNearby')!.showIf, { field: 'whatKindOfAnimalIsIt', in: ['dog', 'other'] });
    const list = await editor.get(base);
    assert.match(list.html, /Shown only if ‘What kind of animal is it\?’ is not ‘Cat’/);
    assert.match(list.html, /is ‘Dog’ or ‘Something else’/);
    const noValue = await submit(`${base}/whatIsNearby/condition/whatKindOfAnimalIsIt`, { 'value-1': undefined, 'value-2': undefined });
    assert.equal(noValue.status, 422);
    assert.match(noValue.html, /Select at least one answer/);
    assert.deepEqual(draftProblems(t.hub, def), []);
    // The question it depends on cannot move below it.
    const pages = questionPages(def);
    assert.equal(pages[0]!.id, 'whatKindOfAnimalIsIt');
    const moved = await editor.post(`${base}/move`, {
      revision: String((await draft()).revision),
      page: 'whatKindOfAnimalIsIt',
      direction: 'down',
      _csrf: editor.csrf(list.html),
    });
    assert.equal(moved.status, 422);
    assert.match(moved.html, /must come after ‘?“?What kind of animal is it\?/);
  });

  test('questions and pages move with buttons', async () => {
    const order = async () => (await draft()).definition.fields.map((f) => f.id);
    const before = await order();
    const list = await editor.get(base);
    const csrfToken = editor.csrf(list.html);
    // Within a page: the registration question above the animal question is refused (it would be above its... no condition): fine.
    await editor.post(`${base}/move`, {
      revision: String((await draft()).revision),
      question: 'vehicleRegistrationOptional',
      direction: 'up',
      _csrf: csrfToken,
    });
    let now = await order();
    assert.deepEqual(now.slice(0, 2), ['vehicleRegistrationOptional', 'whatKindOfAnimalIsIt']);
    await editor.post(`${base}/move`, {
      revision: String((await draft()).revision),
      question: 'vehicleRegistrationOptional',
      direction: 'down',
      _csrf: csrfToken,
    });
    assert.deepEqual(await order(), before);
    // A page moves as a whole: the email page (email + phone) goes above the number page.
    const pagesBefore = questionPages((await draft()).definition).map((p) => p.id);
    const at = pagesBefore.indexOf('howManyAnimalsAreThere');
    await editor.post(`${base}/move`, { revision: String((await draft()).revision), page: 'howManyAnimalsAreThere', direction: 'up', _csrf: csrfToken });
    const pagesAfter = questionPages((await draft()).definition).map((p) => p.id);
    assert.equal(pagesAfter.indexOf('howManyAnimalsAreThere'), at - 1);
    now = await order();
    assert.ok(now.indexOf('phoneNumberOptional') === now.indexOf('emailAddress') + 1, 'the page’s questions stay together');
    // The drag-and-drop enhancement posts a whole order.
    const reversedPair = [...now];
    await editor.post(`${base}/order`, { revision: String((await draft()).revision), order: reversedPair.join(','), _csrf: csrfToken });
    assert.deepEqual(await order(), now);
  });

  test('page titles, start page, confirmation text and contact details', async () => {
    await submit(`${base}/pages/emailAddress`, { title: 'How we contact you' });
    await submit(`${base}/start`, { text: 'Use this to report a dead animal in a public place.\r\n\r\nDo not touch the animal.' });
    await submit(`${base}/confirmation`, { text: 'We collect most animals within 2 working days.' });
    await submit(`${base}/contact`, { email: 'emailAddress', phone: 'phoneNumberOptional' });
    const contactPage = await editor.get(`${base}/contact`);
    assert.doesNotMatch(
      contactPage.html.match(/name="email"[^]*?<\/fieldset>/)?.[0] ?? '',
      /value="whereIsTheAnimal"/,
      'only email questions are offered for email',
    );
    const def = (await draft()).definition;
    assert.deepEqual(def.pages, { emailAddress: { title: 'How we contact you' } });
    assert.equal(def.startPage, 'Use this to report a dead animal in a public place.\n\nDo not touch the animal.');
    assert.equal(def.whatHappensNext, 'We collect most animals within 2 working days.');
    assert.deepEqual(def.contact, { email: 'emailAddress', phone: 'phoneNumberOptional' });
    assert.deepEqual(draftProblems(t.hub, def), []);
  });

  test('renaming a question updates its condition, contact and XML mapping; removing one in use is refused', async () => {
    const revision = (await draft()).revision;
    await t.hub.db.run(`update service_drafts set definition = jsonb_set(definition, '{xml}', $2::jsonb) where service_id = $1`, [
      id,
      JSON.stringify({
        xsd: 'x.xsd',
        mapping: {
          root: 'Report',
          children: [
            { element: 'Kind', value: { answer: 'whatKindOfAnimalIsIt' } },
            { element: 'Mail', value: { answer: 'emailAddress' } },
          ],
        },
      }),
    ]);
    assert.equal((await draft()).revision, revision);
    const renamed = await submit(`${base}/whatKindOfAnimalIsIt`, { id: 'animal', action: 'save' });
    assert.equal(renamed.status, 200, renamed.html.match(/govuk-error-summary[^]*?<\/ul>/)?.[0]);
    await submit(`${base}/emailAddress`, { id: 'email', action: 'save' });
    const def = (await draft()).definition;
    assert.deepEqual(def.fields.find((f) => f.id === 'whereIsTheAnimal')!.showIf, { field: 'animal', notIn: ['cat'] });
    assert.equal(def.contact!.email, 'email');
    assert.deepEqual(def.pages, { email: { title: 'How we contact you' } }, 'the page and its title follow the question’s id');
    assert.equal(def.fields.find((f) => f.id === 'phoneNumberOptional')!.page, 'email');
    assert.deepEqual(def.xml!.mapping, {
      root: 'Report',
      children: [
        { element: 'Kind', value: { answer: 'animal' } },
        { element: 'Mail', value: { answer: 'email' } },
      ],
    });
    const taken = await submit(`${base}/animal`, { id: 'email', action: 'save' });
    assert.equal(taken.status, 422);
    assert.match(taken.html, /There is already a question or page with the id “email”/);

    const refused = await submit(`${base}/animal/remove`, { confirm: 'yes' });
    assert.equal(refused.status, 422);
    assert.match(refused.html, /is shown only for some answers to this question/);
    const removed = await submit(`${base}/howManyAnimalsAreThere/remove`, { confirm: 'yes' });
    assert.equal(removed.status, 200);
    assert.match(removed.html, /The question was removed/);
    assert.equal(
      (await draft()).definition.fields.some((f) => f.id === 'howManyAnimalsAreThere'),
      false,
    );
  });

  test('a YAML condition on a question without options is offered as it is and kept', async () => {
    const current = await draft();
    await editDraft(t.hub, { actor: 'staff:test', name: 'Test' }, id, current.revision, 'a YAML condition', (def) => {
      def.fields.find((f) => f.id === 'whenCanWeCome')!.showIf = { field: 'vehicleRegistrationOptional', equals: 'AB12 CDE' };
    });
    const before = (await draft()).definition;
    const chooser = await editor.get(`${base}/whenCanWeCome/condition`);
    assert.match(chooser.html, /Keep the condition set in YAML on ‘Vehicle registration \(optional\)’/);
    const kept = await editor.post(`${base}/whenCanWeCome/condition`, formFields(chooser.html, `${base}/whenCanWeCome/condition`));
    assert.ok(kept.url.endsWith(`${base}/whenCanWeCome`), kept.url);
    await submit(`${base}/whenCanWeCome`, { action: 'save' });
    assert.deepEqual((await draft()).definition, before);
  });

  test('caseworkers cannot open the builder', async () => {
    const caseworker = (await signUpStaff(t, { role: 'caseworker', council: t.hub.councils.defaultId })).browser;
    assert.equal((await caseworker.get(base)).status, 404);
    assert.equal((await caseworker.get(`${base}/new`)).status, 404);
  });
});

describe('round trip: every definition in config/services saves back unchanged', () => {
  let t: TestHub;
  let operator: StaffBrowser;
  before(async () => {
    t = await staffTestHub();
    operator = (await signUpStaff(t, { role: 'operator', name: 'Olu Operator' })).browser;
  });
  after(() => t?.close());

  // Every service file, so services written later with new question types (lists, routes, exit pages) are covered too.
  const serviceIds = readdirSync('config/services')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''));
  for (const serviceId of serviceIds) {
    test(serviceId, async () => {
      const base = `/staff/services/${serviceId}/questions`;
      assert.equal((await operator.get(base)).status, 200);
      const original = structuredClone((await getDraft(t.hub, serviceId))!.definition);
      const post = async (path: string, extra: Record<string, string> = {}) => {
        const page = await operator.get(path);
        assert.equal(page.status, 200, path);
        const saved = await operator.post(path, { ...formFields(page.html, path), ...extra });
        assert.ok(
          saved.status === 200 && saved.url.includes(base),
          `${path}: ${saved.status} ${saved.html.match(/govuk-error-summary[^]*?<\/ul>/)?.[0] ?? ''}`,
        );
      };
      for (const field of original.fields) {
        await post(`${base}/${field.id}`, { action: 'save' });
        if (field.type === 'list') for (const item of field.fields) await post(`${base}/${field.id}/items/${item.id}`, { action: 'save' });
        if (field.showIf) {
          const chooser = await operator.get(`${base}/${field.id}/condition`);
          await operator.post(`${base}/${field.id}/condition`, formFields(chooser.html, `${base}/${field.id}/condition`));
          await post(`${base}/${field.id}/condition/${field.showIf.field}`);
        }
      }
      for (const page of questionPages(original)) await post(`${base}/pages/${page.id}`);
      await post(`${base}/start`);
      await post(`${base}/confirmation`);
      await post(`${base}/contact`);
      assert.deepEqual((await getDraft(t.hub, serviceId))!.definition, original);
    });
  }
});
