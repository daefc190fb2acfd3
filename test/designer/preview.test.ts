// The draft's preview and "try it" through the real HTTP server: each preview page is the citizen's page (same HTML
// but for the preview banner and where its links lead), and a run through the whole draft — validation, a conditional
// question, a file question, check your answers, confirmation — makes no process, no delivery and no message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { startDraft } from '../../core/designer/drafts.ts';
import { formPages } from '../../core/forms/pages.ts';
import { formValues } from './page-forms.ts';
import { ADDRESS, MANY_POSTCODE } from '../forms/find-address-support.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };

/** The page as the citizen's, for comparing: the banner left out, the addresses and the form's plumbing made the citizen's. */
function normalised(html: string, serviceId: string): string {
  return html
    .replace(/\s+/g, ' ')
    .replace(/<div class="govuk-phase-banner[^"]*">[\s\S]*?<\/p> ?<\/div>/, '<BANNER>')
    .replaceAll(`/staff/services/${serviceId}/try`, `/services/${serviceId}`)
    .replace(/\?_csrf=[^"&]*/g, '')
    .replace(/<input type="hidden" name="_csrf" value="[^"]*">/g, '')
    .replace(/enctype="[^"]*"/g, 'enctype="…"');
}

async function counts(t: TestHub): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['processes', 'deliveries', 'notifications', 'documents'])
    out[table] = Number((await t.hub.db.row<{ n: string }>(`select count(*) as n from ${table}`))!.n);
  return out;
}

describe('designer: preview and try it', () => {
  let t: TestHub;
  let browser: StaffBrowser;
  before(async () => {
    t = await staffTestHub();
    browser = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
  });
  after(() => t.close());

  test('each preview page is the citizen’s page but for the preview banner', async () => {
    for (const sv of t.hub.catalogue.list()) {
      const id = sv.serviceId;
      const index = await browser.get(`/staff/services/${id}/preview`);
      assert.equal(index.status, 200, id);
      const pages = formPages(sv.definition);
      const pairs: [string, string][] = [
        [`/services/${id}`, `/staff/services/${id}/preview/start-page`],
        ...pages.map((p): [string, string] => [`/services/${id}/${p.id}`, `/staff/services/${id}/preview/pages/${p.id}`]),
      ];
      for (const [citizenPath, previewPath] of pairs) {
        assert.ok(index.html.includes(`href="${previewPath}"`), `${previewPath} is listed`);
        const citizen = await (await fetch(`${t.url}${citizenPath}`)).text();
        const preview = await browser.get(previewPath);
        assert.equal(preview.status, 200, previewPath);
        assert.match(preview.html, /Preview – this is not the live service/);
        assert.doesNotMatch(citizen, /Preview – this is not the live service/);
        assert.equal(normalised(preview.html, id), normalised(citizen, id), previewPath);
      }
      for (const extra of ['check-answers', 'confirmation']) {
        const page = await browser.get(`/staff/services/${id}/preview/${extra}`);
        assert.equal(page.status, 200, `${id} ${extra}`);
        assert.match(page.html, /Preview – this is not the live service/);
      }
    }
  });

  test('try it: the whole draft with validation, a conditional question and a file, sent nowhere', async () => {
    const id = `dead-animal-${Date.now()}`;
    await startDraft(t.hub, editor, {
      definition: {
        id,
        title: 'Report a dead animal',
        referencePrefix: 'DAN',
        fields: [
          {
            id: 'animal',
            type: 'radios',
            label: 'What kind of animal is it?',
            options: [
              { value: 'fox', label: 'Fox' },
              { value: 'other', label: 'Something else' },
            ],
          },
          { id: 'otherAnimal', type: 'text', label: 'What animal is it?', showIf: { field: 'animal', equals: 'other' } },
          { id: 'where', type: 'address', label: 'Where is it?', page: 'place' },
          { id: 'photo', type: 'file', label: 'Photo (optional)', required: false, accept: ['image/jpeg'], page: 'place' },
        ],
        tasks: [],
      },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    const before = await counts(t);
    const base = `/staff/services/${id}/try`;
    let page = await browser.get(base);
    assert.equal(page.status, 200);
    assert.match(page.html, /Preview – this is not the live service/);
    assert.match(page.html, /Report a dead animal/);

    page = await browser.get(`${base}/animal`);
    page = await browser.post(`${base}/animal`, formValues(page.html, `${base}/animal`));
    assert.equal(page.status, 422, 'nothing chosen');
    assert.match(page.html, /There is a problem/);
    page = await browser.post(`${base}/animal`, { ...formValues(page.html, `${base}/animal`), animal: 'other' });
    assert.ok(page.url.endsWith(`${base}/otherAnimal`), `the conditional question is asked: ${page.url}`);
    page = await browser.post(`${base}/otherAnimal`, formValues(page.html, `${base}/otherAnimal`));
    assert.equal(page.status, 422, 'the conditional question is required once shown');
    assert.match(page.html, /What animal is it\?/);
    page = await browser.post(`${base}/otherAnimal`, { ...formValues(page.html, `${base}/otherAnimal`), otherAnimal: 'Badger' });
    assert.equal(page.status, 200);
    assert.ok(page.url.endsWith(`${base}/place`), page.url);
    assert.match(page.html, /enctype="application\/x-www-form-urlencoded"/);

    page = await browser.post(`${base}/place`, {
      ...formValues(page.html, `${base}/place`),
      'where[line1]': '1 Lane End',
      'where[town]': 'Exampleton',
      'where[postcode]': 'EX1 1AA',
      photo: 'badger.jpg',
    });
    assert.ok(page.url.endsWith(`${base}/check-answers`), page.url);
    assert.match(page.html, /Badger/);
    assert.match(page.html, /badger\.jpg/);
    assert.match(page.html, /Preview – this is not the live service/);

    page = await browser.post(`${base}/check-answers`, formValues(page.html, `${base}/check-answers`));
    assert.ok(page.url.endsWith(`${base}/confirmation`), page.url);
    assert.match(page.html, /Your reference<br><strong>DAN-[A-Z0-9]{8}<\/strong>/);
    assert.match(page.html, /Preview – this is not the live service/);

    assert.deepEqual(await counts(t), before, 'no process, delivery, message or document');
    const session = await t.hub.db.row<{ answers: unknown; files: unknown }>(`select answers, files from form_sessions where service_id = $1`, [`try:${id}`]);
    assert.deepEqual(session, { answers: {}, files: [] }, 'the answers are forgotten once sent');

    // Starting again starts a fresh run.
    await browser.get(base);
    page = await browser.get(`${base}/animal`);
    assert.doesNotMatch(page.html, /value="other" checked/);
  });

  test('try it: an address question alone on its page is found by postcode, as on the citizen pages', async () => {
    const id = `found-${Date.now()}`;
    await startDraft(t.hub, editor, {
      definition: {
        id,
        title: 'Report a blocked drain',
        referencePrefix: 'DRN',
        fields: [{ id: 'where', type: 'address', label: 'Where is the drain? (optional)', required: false }],
        tasks: [],
      },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    const base = `/staff/services/${id}/try`;
    let page = await browser.get(`${base}/where`);
    assert.match(page.html, /Find address/);
    // Optional: "Find address" with nothing typed leaves it unanswered.
    const skipped = await browser.post(`${base}/where/find-address`, formValues(page.html, `${base}/where/find-address`));
    assert.ok(skipped.url.endsWith(`${base}/check-answers`), skipped.url);
    page = await browser.get(`${base}/where`);
    page = await browser.post(`${base}/where/find-address`, { ...formValues(page.html, `${base}/where/find-address`), postcode: MANY_POSTCODE });
    assert.equal(page.status, 200);
    assert.match(page.html, /Select an address/);
    page = await browser.post(`${base}/where/select-address`, { ...formValues(page.html, `${base}/where/select-address`), uprn: ADDRESS.uprn });
    assert.match(page.html, /Confirm address/);
    page = await browser.post(`${base}/where/use-address`, formValues(page.html, `${base}/where/use-address`));
    assert.ok(page.url.endsWith(`${base}/check-answers`), page.url);
    assert.match(page.html, new RegExp(ADDRESS.shown[0]!));
  });

  test('a draft that cannot be shown yet says why', async () => {
    const id = `empty-${Date.now()}`;
    await startDraft(t.hub, editor, {
      definition: { id, title: 'Empty', referencePrefix: 'EMP', fields: [], tasks: [] },
      baseVersion: null,
      council: t.hub.councils.defaultId,
    });
    const page = await browser.get(`/staff/services/${id}/preview`);
    assert.equal(page.status, 200);
    assert.match(page.html, /cannot be previewed until these are fixed/);
    const tried = await browser.get(`/staff/services/${id}/try`);
    assert.equal(tried.status, 422);
    assert.match(tried.html, /cannot be tried yet/);
  });
});
