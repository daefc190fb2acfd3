// The designer's services list and creating a service: each person sees their council's services (operators every
// council's) with live version, draft, binding and submissions; a service is created blank, as a copy or from the
// library, with its id and reference prefix checked; caseworkers and auditors, and other councils' people, get 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { getDraft } from '../../core/designer/drafts.ts';
import { submissionsPerService } from '../../core/designer/submission-counts.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

/** The text of a table row of the services list, tags and whitespace collapsed. */
function rowText(html: string, serviceId: string): string | undefined {
  const m = new RegExp(`<tr class="govuk-table__row" data-service="${serviceId}">([^]*?)</tr>`).exec(html);
  return m?.[1]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('services list and creating a service', () => {
  let t: TestHub;
  let operator: StaffAccount;
  let southEditor: StaffAccount;
  let northAdmin: StaffAccount;
  before(async () => {
    t = await staffTestHub({ configFile: CONFIG });
    operator = await signUpStaff(t, { role: 'operator', name: 'Olu Operator' });
    southEditor = await signUpStaff(t, { role: 'service-editor', council: 'south', name: 'Sam Editor' });
    northAdmin = await signUpStaff(t, { role: 'council-admin', council: 'north', name: 'Nia Admin' });
  });
  after(() => t.close());

  test('the list: every service of the person’s council with live version, draft, binding and submissions', async () => {
    const answers = {
      noiseType: 'music',
      description: 'Loud',
      source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
      started: '2026-10-01',
      times: ['night'],
      email: 'south@example.com',
    };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
      assert.equal(res.status, 201);
    }
    const all = await operator.browser.get('/staff/services');
    assert.equal(all.status, 200);
    assert.match(rowText(all.html, 'noise')!, /Report a noise problem South Borough Council Version 1 since \d+ \w+ 20\d\d None backoffice 2$/);
    assert.match(rowText(all.html, 'pests')!, /Request pest control North District Council Version 1 .* north-casework 0$/);

    const south = await southEditor.browser.get('/staff/services');
    assert.equal(south.status, 200);
    assert.ok(rowText(south.html, 'noise'), 'the south editor sees the south service');
    assert.equal(rowText(south.html, 'pests'), undefined, 'and not the north one');
    assert.doesNotMatch(south.html, /North District Council/);
  });

  test('submission counts: settled counts brought forward, the last minutes counted each time', async () => {
    const count = async (at: Date) => (await submissionsPerService(t.hub.db, ['noise', 'pests'], at)).get('noise');
    assert.equal(await count(new Date()), 2);
    const answers = {
      noiseType: 'dog',
      description: 'Barking',
      source: { line1: '2 High St', town: 'Southton', postcode: 'SO1 1AB' },
      started: '2026-10-02',
      email: 's@example.com',
    };
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    assert.equal(res.status, 201);
    assert.equal(await count(new Date()), 3, 'a new one is counted at once');
    const later = Date.now() + 3_600_000;
    assert.equal(await count(new Date(later)), 3, 'an hour later all three are settled, each counted once');
    assert.equal(await count(new Date(later + 3_600_000)), 3, 'brought forward again: nothing added twice');
    const both = await Promise.all([count(new Date(later + 7_200_000)), count(new Date(later + 7_200_001))]);
    assert.deepEqual(both, [3, 3], 'two views at once add nothing twice');
    assert.equal((await submissionsPerService(t.hub.db, ['pests'], new Date(later))).get('pests'), 0);
  });

  test('caseworkers and auditors get 404 on every designer page', async () => {
    for (const role of ['caseworker', 'auditor']) {
      const person = await signUpStaff(t, { role, council: 'south' });
      for (const path of [
        '/staff/services',
        '/staff/services/new',
        '/staff/services/noise',
        '/staff/services/noise/versions',
        '/staff/services/noise/publish',
        '/staff/services/noise/settings',
      ])
        assert.equal((await person.browser.get(path)).status, 404, `${role} ${path}`);
      await person.browser.get('/staff/overview');
      assert.equal((await person.browser.post('/staff/services/new', { start: 'blank', title: 'Sneaky', referencePrefix: 'SNK' })).status, 404);
      assert.equal((await person.browser.post('/staff/services/noise/edit', {})).status, 404);
    }
  });

  test('another council’s service and draft are not found', async () => {
    await northAdmin.browser.get('/staff/services/new');
    const created = await northAdmin.browser.post('/staff/services/new', { start: 'blank', title: 'Report a north thing', referencePrefix: 'NTH' });
    assert.equal(created.status, 200);
    assert.match(created.url, /\/staff\/services\/report-a-north-thing\?created=1$/);
    for (const path of [
      '/staff/services/pests',
      '/staff/services/report-a-north-thing',
      '/staff/services/report-a-north-thing/versions',
      '/staff/services/pests/settings',
    ])
      assert.equal((await southEditor.browser.get(path)).status, 404, path);
    await southEditor.browser.get('/staff/services');
    assert.equal((await southEditor.browser.post('/staff/services/pests/edit', {})).status, 404);
    assert.equal(await getDraft(t.hub, 'pests'), undefined, 'no draft was started for them');
    assert.equal(rowText((await southEditor.browser.get('/staff/services')).html, 'report-a-north-thing'), undefined);
    assert.ok(rowText((await northAdmin.browser.get('/staff/services')).html, 'report-a-north-thing'), 'a draft-only service is listed');
  });

  test('creating a blank service: errors first, then a draft with no questions or tasks', async () => {
    const b = southEditor.browser;
    await b.get('/staff/services/new');
    const empty = await b.post('/staff/services/new', {});
    assert.equal(empty.status, 400);
    assert.match(
      empty.html,
      /govuk-error-summary[^]*href="#start">Select how to start the service[^]*href="#title">Enter the name of the service[^]*href="#referencePrefix">Enter a reference prefix/,
    );

    const clash = await b.post('/staff/services/new', { start: 'blank', title: 'Noise', id: 'noise', referencePrefix: 'NOI' });
    assert.equal(clash.status, 400);
    assert.match(clash.html, /There is already a service with the id noise/);
    assert.match(clash.html, /The reference prefix NOI is already used by Report a noise problem/);
    assert.match(clash.html, /value="Noise"/, 'what was typed is kept');

    const bad = await b.post('/staff/services/new', { start: 'blank', title: 'X', id: '9lives<script>', referencePrefix: 'toolongprefix' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /The id must start with a letter/);
    assert.match(bad.html, /2 to 6 capital letters/);
    assert.doesNotMatch(bad.html, /<script>/);

    const done = await b.post('/staff/services/new', { start: 'blank', title: 'Report a dead animal', id: '', referencePrefix: 'dan' });
    assert.equal(done.status, 200);
    assert.match(done.url, /\/staff\/services\/report-a-dead-animal\?created=1$/);
    assert.match(done.html, /Draft, last edited by Sam Editor on \d+ \w+ 20\d\d at \d+:\d\d[ap]m/);
    const draft = (await getDraft(t.hub, 'report-a-dead-animal'))!;
    assert.deepEqual(draft.definition, { id: 'report-a-dead-animal', title: 'Report a dead animal', referencePrefix: 'DAN', fields: [], tasks: [] });
    assert.equal(draft.council, 'south');
    assert.equal(draft.baseVersion, null);
    const list = await b.get('/staff/services');
    assert.match(rowText(list.html, 'report-a-dead-animal')!, /Report a dead animal Not published Draft Last edited by Sam Editor on .* None 0$/);
    // The same id again is refused: there is a draft with it.
    const again = await b.post('/staff/services/new', { start: 'blank', title: 'Report a dead animal', referencePrefix: 'DAX' });
    assert.match(again.html, /There is already a service with the id report-a-dead-animal/);
    const samePrefix = await b.post('/staff/services/new', { start: 'blank', title: 'Other', referencePrefix: 'DAN' });
    assert.match(samePrefix.html, /The reference prefix DAN is already used by Report a dead animal/);
  });

  test('a copy gets the new names and no bindings; an example comes from the library', async () => {
    const b = southEditor.browser;
    await b.get('/staff/services/new');
    const noCopy = await b.post('/staff/services/new', { start: 'copy:pests', title: 'Copy', referencePrefix: 'CPY' });
    assert.match(noCopy.html, /Select how to start the service/, 'another council’s service cannot be copied');
    assert.doesNotMatch(noCopy.html, /value="copy:pests"/, 'nor is it offered');
    await b.post('/staff/services/new', { start: 'copy:noise', title: 'Report a noise problem at night', referencePrefix: 'NIGHT' });
    const copy = (await getDraft(t.hub, 'report-a-noise-problem-at-night'))!;
    const original = t.hub.catalogue.get('noise').definition;
    assert.equal(copy.definition.title, 'Report a noise problem at night');
    assert.equal(copy.definition.referencePrefix, 'NIGHT');
    assert.deepEqual(copy.definition.bindings, []);
    assert.deepEqual(copy.definition.fields, original.fields);
    assert.deepEqual(copy.definition.xml, original.xml);
    assert.equal(copy.council, 'south');

    const page = await b.get('/staff/services/new');
    assert.match(page.html, /value="library:pest-control"[^>]*>[^]*?Start from the example “Request pest control”/, 'the library lists config/services');
    await b.post('/staff/services/new', { start: 'library:fly-tipping', title: 'Report fly-tipping', referencePrefix: 'FTX' });
    const example = (await getDraft(t.hub, 'report-fly-tipping'))!;
    assert.ok(example.definition.fields.length > 3);
    assert.deepEqual(example.definition.bindings, []);
  });

  test('an operator chooses the council; discarding a never-published draft removes the service', async () => {
    const b = operator.browser;
    const page = await b.get('/staff/services/new');
    assert.match(page.html, /name="council"/);
    const noCouncil = await b.post('/staff/services/new', { start: 'blank', title: 'Operator service', referencePrefix: 'OPS' });
    assert.match(noCouncil.html, /Select the council that owns the service/);
    await b.post('/staff/services/new', { start: 'blank', title: 'Operator service', referencePrefix: 'OPS', council: 'north' });
    const draft = (await getDraft(t.hub, 'operator-service'))!;
    assert.equal(draft.council, 'north');
    assert.equal(draft.definition.council, 'north');

    const confirm = await b.get('/staff/services/operator-service/discard');
    assert.match(confirm.html, /Discard the draft of Operator service\?[^]*discarding the draft deletes the service/);
    const gone = await b.post('/staff/services/operator-service/discard', { revision: String(draft.revision) });
    assert.match(gone.url, /\/staff\/services$/);
    assert.equal(await getDraft(t.hub, 'operator-service'), undefined);
    assert.equal((await b.get('/staff/services/operator-service')).status, 404);
  });
});
