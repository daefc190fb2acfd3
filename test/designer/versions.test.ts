// The service's page, versions, compare, publish and roll back in the designer, and the round trip: every definition in
// config/services/ opens in the console as a draft equal to the published definition, and its settings form sent back
// unchanged changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { TestHub } from '../helpers/hub.ts';
import { loadServiceFiles } from '../../core/services/index.ts';
import { editDraft, getDraft } from '../../core/designer/drafts.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';
import { formValues } from './page-form-values.ts';

const sam = { actor: 'staff:test', name: 'Sam Test' };

describe('round trip over config/services', () => {
  let t: TestHub;
  let editor: StaffAccount;
  before(async () => {
    t = await staffTestHub();
    editor = await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId, name: 'Rita Roundtrip' });
  });
  after(() => t.close());

  test('each definition opens ("Edit this service") as a draft deep-equal to the published one, and its settings save back unchanged', async () => {
    const { services } = loadServiceFiles('config/services', { bindings: new Set(), channels: new Set(), xsdDir: 'config/xsd' });
    assert.equal(services.length, readdirSync('config/services').filter((f) => f.endsWith('.yaml')).length, 'every file in config/services');
    for (const { definition } of services) {
      const id = definition.id;
      const published = t.hub.catalogue.get(id).definition;
      assert.deepEqual(published, definition, `${id}: the catalogue holds the file's definition`);
      const page = await editor.browser.get(`/staff/services/${id}`);
      assert.equal(page.status, 200, id);
      await editor.browser.post(`/staff/services/${id}/edit`, formValues(page.html, `/staff/services/${id}/edit`));
      const opened = (await getDraft(t.hub, id))!;
      assert.deepEqual(opened.definition, published, `${id}: the draft equals the published definition`);

      const settings = await editor.browser.get(`/staff/services/${id}/settings`);
      const fields = formValues(settings.html, `/staff/services/${id}/settings`);
      assert.equal(fields.title, definition.title);
      const saved = await editor.browser.post(`/staff/services/${id}/settings`, fields);
      assert.equal(saved.status, 200, id);
      const after = (await getDraft(t.hub, id))!;
      assert.deepEqual(after.definition, published, `${id}: the settings form sent back unchanged changes nothing`);
      // The textarea's text, as browsers send it (CRLF), is still the same description.
      await editor.browser.get(`/staff/services/${id}/settings`);
      await editor.browser.post(`/staff/services/${id}/settings`, { ...fields, description: (fields.description ?? '').replace(/\n/g, '\r\n') });
      assert.deepEqual((await getDraft(t.hub, id))!.definition, published, `${id}: CRLF line breaks`);
    }
  });
});

describe('versions, compare, publish and roll back', () => {
  let t: TestHub;
  let editor: StaffAccount;
  const answers = {
    noiseType: 'music',
    description: 'Loud',
    source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
    started: '2026-10-01',
    times: ['night'],
    email: 'south@example.com',
  };
  const submit = async () => {
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    return (await t.hub.db.row<{ service_version: number }>('select service_version from processes where id = $1', [processId]))!.service_version;
  };
  before(async () => {
    t = await staffTestHub({ configFile: 'test/fixtures/councils/closeloop.yaml' });
    editor = await signUpStaff(t, { role: 'service-editor', council: 'south', name: 'Sam Editor' });
  });
  after(() => t.close());

  test('the settings page: bad input gets the page again with every error, nothing saved; a change is saved with words in the audit log', async () => {
    const b = editor.browser;
    await b.get('/staff/services/noise/settings');
    const revision = (await getDraft(t.hub, 'noise'))!.revision;
    const bad = await b.post('/staff/services/noise/settings', {
      revision: String(revision),
      title: ' ',
      referencePrefix: 'PST',
      retentionDays: '0',
      description: 'x'.repeat(2001),
    });
    assert.equal(bad.status, 400);
    assert.match(
      bad.html,
      /govuk-error-summary[^]*href="#title">Enter the name of the service[^]*href="#description">[^]*href="#referencePrefix">The reference prefix PST is already used by Request pest control[^]*href="#retentionDays">/,
    );
    assert.equal((await getDraft(t.hub, 'noise'))!.revision, revision, 'nothing saved');
    const fields = formValues((await b.get('/staff/services/noise/settings')).html, '/staff/services/noise/settings');
    await b.post('/staff/services/noise/settings', { ...fields, title: 'Report noise', retentionDays: '365' });
    const draft = (await getDraft(t.hub, 'noise'))!;
    assert.equal(draft.definition.title, 'Report noise');
    assert.deepEqual(draft.definition.retention, { redactAfterDays: 365 });
    const audit = await t.hub.db.row<{ detail: { change: string } }>(
      `select detail from audit_events where action = 'service.draft-edited' and target = 'noise' order by id desc limit 1`,
    );
    assert.equal(audit!.detail.change, 'changed the name to “Report noise”; set personal data to be kept for 365 days after a case is finished');
  });

  test('publish: problems listed with links to where to fix them; then version 2 goes live', async () => {
    const b = editor.browser;
    let draft = (await getDraft(t.hub, 'noise'))!;
    draft = await editDraft(t.hub, sam, 'noise', draft.revision, 'broke it', (d) => {
      d.fields[0] = { ...d.fields[0]!, label: '' };
      d.tasks = [];
      d.bindings = ['nowhere'];
    });
    const page = await b.get('/staff/services/noise/publish');
    assert.equal(page.status, 200);
    assert.match(page.html, /This service cannot be published yet/);
    assert.match(page.html, /href="\/staff\/services\/noise\/questions\/noiseType">Question 1 \(“noiseType”\): enter the question/);
    assert.match(page.html, /href="\/staff\/services\/noise\/tasks">Add at least one task/);
    assert.doesNotMatch(page.html, /Publish version/);
    const service = await b.get('/staff/services/noise');
    assert.match(service.html, /\d+ problems to fix/);

    draft = await editDraft(t.hub, sam, 'noise', draft.revision, 'fixed the question and task', (d) => {
      d.fields[0] = { ...d.fields[0]!, label: 'What kind of noise is it?' };
      d.tasks = [{ key: 'visit', title: 'Visit' }];
    });
    const binding = await b.get('/staff/services/noise/publish');
    assert.match(binding.html, /href="\/staff\/services\/noise\/binding">Binding: binding &quot;nowhere&quot; is not configured/);
    draft = await editDraft(t.hub, sam, 'noise', draft.revision, 'bound it', (d) => {
      d.bindings = ['backoffice'];
      d.fields.push({ id: 'pets', type: 'radios', label: 'Do you have pets?', required: false, options: [{ value: 'yes', label: 'Yes' }] });
    });
    const ready = await b.get('/staff/services/noise/publish');
    assert.match(ready.html, /<button[^>]*>\s*Publish version 2\s*<\/button>/);
    const stale = await b.post('/staff/services/noise/publish', { revision: String(draft.revision - 1) });
    assert.equal(stale.status, 409, 'a stale page is a conflict, not a publish');
    await b.get('/staff/services/noise/publish');
    const done = await b.post('/staff/services/noise/publish', formValues(ready.html, '/staff/services/noise/publish'));
    assert.equal(done.status, 200);
    assert.match(done.url, /\/publish\/done\?version=2$/);
    assert.match(done.html, /govuk-panel[^]*Version 2 is live/);
    assert.equal(t.hub.catalogue.get('noise').version, 2);
    assert.equal(await getDraft(t.hub, 'noise'), undefined);
  });

  test('versions page, compare, and roll back: new submissions use the old version, submitted cases keep theirs', async () => {
    const b = editor.browser;
    const onV2 = await submit();
    assert.equal(onV2, 2);
    const versions = await b.get('/staff/services/noise/versions');
    assert.equal(versions.status, 200);
    assert.match(versions.html, /data-version="2" data-state="published"[^]*Live[^]*Staff console[^]*by Sam Editor \(staff\)/);
    assert.match(versions.html, /data-version="1" data-state="retired"[^]*Configuration file[^]*Make this the live version again/);

    const compare = await b.get('/staff/services/noise/versions/compare?from=1&to=2');
    assert.equal(compare.status, 200);
    assert.match(compare.html, /Changes from version 1 to version 2/);
    assert.match(compare.html, /id="changes-questions"[^]*Added[^]*Do you have pets\?/);
    assert.match(compare.html, /Name of the service[^]*“Report a noise problem”[^]*“Report noise”/);
    assert.match(compare.html, /id="changes-tasks"/);
    const same = await b.get('/staff/services/noise/versions/compare?from=2&to=2');
    assert.equal(same.status, 400);
    assert.match(same.html, /Select two different versions/);
    assert.equal((await b.get('/staff/services/noise/versions/compare?from=9&to=draft')).status, 400);

    assert.equal((await b.get('/staff/services/noise/rollback?version=2')).status, 404, 'the live version is not rolled back to');
    const confirm = await b.get('/staff/services/noise/rollback?version=1');
    assert.match(confirm.html, /Make version 1 the live version again\?/);
    const rolled = await b.post('/staff/services/noise/rollback', formValues(confirm.html, '/staff/services/noise/rollback'));
    assert.match(rolled.url, /\/versions\?live=1$/);
    assert.match(rolled.html, /Version 1 is the live version again/);
    assert.match(rolled.html, /data-version="1" data-state="published"[^]*Rolled back to by Sam Editor \(staff\)/);
    assert.equal(t.hub.catalogue.get('noise').version, 1);
    assert.equal(await submit(), 1, 'a new submission uses version 1');
    const kept = await t.hub.db.rows<{ service_version: number }>(`select service_version from processes where service_id = 'noise' order by submitted_at`);
    assert.deepEqual(
      kept.map((r) => r.service_version),
      [2, 1],
      'the case submitted on version 2 keeps it',
    );
    const audit = await t.hub.db.row<{ actor: string; detail: { from: number } }>(
      `select actor, detail from audit_events where action = 'service.rolled-back' and target = 'noise@1'`,
    );
    assert.match(audit!.actor, /^staff:/);
    assert.equal(audit!.detail.from, 2);
  });

  test('the service page: a task list of the parts; "Edit this service" starts a draft; discarding keeps the live version', async () => {
    const b = editor.browser;
    const page = await b.get('/staff/services/noise');
    assert.match(page.html, /Version 1, live since/);
    assert.match(page.html, /No draft: the live version is unchanged/);
    for (const part of ['questions', 'tasks', 'messages', 'xml', 'binding', 'preview', 'versions', 'publish', 'settings'])
      assert.match(page.html, new RegExp(`href="/staff/services/noise/${part}"`));
    assert.match(page.html, /govuk-task-list[^]*Questions[^]*\d+ questions/);
    const edited = await b.post('/staff/services/noise/edit', formValues(page.html, '/staff/services/noise/edit'));
    assert.match(edited.html, /Draft, last edited by Sam Editor on/);
    const draft = (await getDraft(t.hub, 'noise'))!;
    assert.equal(draft.baseVersion, 1);
    const confirm = await b.get('/staff/services/noise/discard');
    assert.match(confirm.html, /The live version and every earlier version stay as they are/);
    const discarded = await b.post('/staff/services/noise/discard', formValues(confirm.html, '/staff/services/noise/discard'));
    assert.match(discarded.url, /\/staff\/services\/noise\?discarded=1$/);
    assert.equal(await getDraft(t.hub, 'noise'), undefined);
    assert.equal(t.hub.catalogue.get('noise').version, 1);
  });
});
