// The XML mapping editor through the real HTTP server, as a service editor uses it: upload the back office's XSD, map
// its elements one by one while the preview's XSD errors go away, a lookup table from a radios answer to the XSD's
// codes; hostile XSDs and names refused with plain messages; and every mapping in config/services opens and saves back
// unchanged, row by row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getDraft, openDraft, startDraft } from '../../core/designer/drafts.ts';
import { draftProblems } from '../../core/designer/drafts.ts';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type Page, type StaffBrowser } from '../staff/support.ts';
import { decode, formFields } from './xml-form-fields.ts';
import { checkConfigWith } from './check-config-support.ts';
import { deadAnimalDefinition } from './xml-support.ts';

const DEAD_ANIMAL_XSD = readFileSync('test/fixtures/xsd/dead-animal.xsd');

/** Posts a multipart upload with the browser's cookies (a file input and the page's hidden fields). */
export async function uploadXsd(browser: StaffBrowser, serviceId: string, fileName: string, bytes: Buffer, fields?: Record<string, string>): Promise<Page> {
  const page = browser.last!.html;
  const hidden = fields ?? formFields(page, `/staff/services/${serviceId}/xml/xsd/upload`);
  const form = new FormData();
  for (const [k, v] of Object.entries(hidden)) form.append(k, v);
  form.append('xsdFile', new Blob([new Uint8Array(bytes)], { type: 'application/xml' }), fileName);
  const cookie = [...browser.cookies.entries()]
    .filter(([key]) => '/staff/'.startsWith(key.split(' ')[0]!))
    .map(([key, value]) => `${key.split(' ')[1]}=${value}`)
    .join('; ');
  const res = await fetch(new URL(`/staff/services/${serviceId}/xml/xsd/upload`, browser.base), {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { cookie, 'x-forwarded-for': browser.address, accept: 'text/html' },
  });
  const location = res.headers.get('location');
  if (location) return browser.get(location);
  return { status: res.status, html: await res.text(), url: res.url, headers: res.headers };
}

function errorSummaryText(html: string): string {
  const m = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html);
  return decode(
    (m?.[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** The paths in "Required elements not mapped". */
function missingPaths(html: string): string[] {
  const block = /id="missing-required">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
  return [...block.matchAll(/path=([^"]+)"/g)].map((m) => decodeURIComponent(decode(m[1]!)));
}

/** The rows the preview's XSD errors point at. */
function previewFaults(html: string): string[] {
  const block = /id="xml-preview-errors">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...block.matchAll(/path=([^"]+)"/g)].map((m) => decodeURIComponent(decode(m[1]!)));
}

function previewProblems(html: string): number {
  if (/govuk-tag--green">Valid/.test(html)) return 0;
  const m = /govuk-tag--red">(\d+) problems?/.exec(html);
  return m ? Number(m[1]) : -1;
}

/** Opens a row's form, sets fields, posts it; answers the mapping page after the redirect. */
async function mapRow(browser: StaffBrowser, serviceId: string, path: string, set: Record<string, string>) {
  const rowPath = `/staff/services/${serviceId}/xml/row?path=${encodeURIComponent(path)}`;
  const page = await browser.get(rowPath);
  assert.equal(page.status, 200, `row page for ${path}`);
  const fields = { ...formFields(page.html, `/xml/row?path=`), ...set };
  return browser.post(rowPath, fields);
}

describe('XML mapping editor', () => {
  let t: TestHub;
  let editor: StaffBrowser;
  before(async () => {
    t = await staffTestHub();
    editor = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
  });
  after(() => t.close());

  test('upload an XSD, map every required element one by one while the preview’s errors disappear, a lookup table', async () => {
    const id = `dead-animal-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
    );

    let page = await editor.get(`/staff/services/${id}/xml`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Choose the XSD/);
    await editor.get(`/staff/services/${id}/xml/xsd`);
    page = await uploadXsd(editor, id, 'Dead animal.xsd', DEAD_ANIMAL_XSD);
    assert.equal(page.status, 200, errorSummaryText(page.html));
    assert.match(page.url, /\/xml\/settings$/);
    assert.match(page.html, /DeadAnimalReport/);
    page = await editor.post(`/staff/services/${id}/xml/settings`, formFields(page.html, '/xml/settings'));
    assert.match(page.url, /\/xml$/);
    const draft = await getDraft(t.hub, id);
    assert.equal(draft!.definition.xml!.xsd, `uploaded/${t.hub.councils.defaultId}/dead-animal.xsd`);
    assert.deepEqual(draft!.definition.xml!.mapping, { root: 'DeadAnimalReport', namespace: 'urn:example-council:streetcare:dead-animal:v1', children: [] });

    // The XSD's required elements are listed before anything is mapped.
    for (const name of ['Reference', 'ReceivedAt', 'Species', 'Location', 'Reporter', '@channel']) assert.match(page.html, new RegExp(`>${name}</a>`), name);

    assert.match(page.html, /No element is mapped yet/);
    page = await mapRow(editor, id, 'Reference', { source: 'process', process: 'reference' });
    assert.deepEqual(missingPaths(page.html), ['@channel', 'ReceivedAt', 'Species', 'Location', 'Reporter']);
    assert.ok(previewProblems(page.html) > 0, 'the preview shows XSD errors while required elements are missing');
    assert.deepEqual(previewFaults(page.html).sort(), ['@channel', 'ReceivedAt'], 'each XSD error links to the row at fault');

    // Each step: the element leaves the "not mapped" list and the preview's error moves on to the next one.
    const steps: [string, Record<string, string>, string][] = [
      ['@channel', { source: 'constant', constant: 'Online' }, '@channel'],
      ['ReceivedAt', { source: 'process', process: 'submittedAt' }, 'ReceivedAt'],
      ['Location/Postcode', { source: 'answer', answer: 'location.postcode' }, 'Location'],
      ['Location/UPRN', { source: 'answer', answer: 'location.uprn' }, 'Location'],
      ['Reporter/Name', { source: 'answer', answer: 'fullName' }, 'Reporter'],
    ];
    let missing = missingPaths(page.html);
    for (const [path, set, leaves] of steps) {
      page = await mapRow(editor, id, path, set);
      assert.equal(page.status, 200, `${path}: ${errorSummaryText(page.html)}`);
      const now = missingPaths(page.html);
      assert.deepEqual(
        now,
        missing.filter((m) => m !== leaves),
        `${path} mapped`,
      );
      assert.ok(!previewFaults(page.html).includes(path), `${path}: no longer an XSD error (${previewFaults(page.html)})`);
      missing = now;
    }
    assert.deepEqual(missing, ['Species']);
    assert.deepEqual(previewFaults(page.html), ['Species'], 'the one XSD error left is the unmapped Species');
    const publish = await editor.get(`/staff/services/${id}/publish`);
    assert.match(publish.html, /This service cannot be published yet/);
    assert.match(
      publish.html,
      new RegExp(`href="/staff/services/${id}/xml/row\\?path=Species">XML mapping: the XSD needs Species, and nothing fills it`),
      'the publish page names the unmapped required element and links to its row',
    );
    assert.doesNotMatch(publish.html, /sample XML fails/, 'instead of the sample XML’s validation error');

    // Species: the lookup table offers a row per option and the XSD's enumeration as each row's choices.
    const rowPath = `/staff/services/${id}/xml/row?path=Species`;
    page = await editor.post(rowPath, { ...formFields((await editor.get(rowPath)).html, '/xml/row'), source: 'answer', answer: 'species', useLookup: 'yes' });
    assert.equal(page.status, 400, 'the codes are needed once the table is on');
    assert.match(errorSummaryText(page.html), /Select the code for “Dog”, or give a default/);
    assert.match(page.html, /<option value="BADGER">BADGER<\/option>/);
    const fields = formFields(page.html, '/xml/row');
    assert.equal(fields['lookupKey-0'], 'dog');
    page = await editor.post(rowPath, { ...fields, 'lookupCode-0': 'DOG', 'lookupCode-1': 'CAT', 'lookupCode-2': 'FOX', 'lookupCode-3': 'OTHER' });
    assert.equal(page.status, 200, errorSummaryText(page.html));
    assert.equal(previewProblems(page.html), 0, 'every required element mapped: the preview passes the XSD');
    assert.match(page.html, /Every element the XSD requires is mapped/);
    assert.match(decode(page.html), /<Species>DOG<\/Species>/);

    const mapping = (await getDraft(t.hub, id))!.definition.xml!.mapping as { children: { element: string }[] };
    assert.deepEqual(
      mapping.children.map((c) => c.element),
      ['Reference', 'ReceivedAt', 'Species', 'Location', 'Reporter'],
      'rows are kept in the XSD’s order whatever order they were mapped in',
    );
    assert.deepEqual((mapping.children[2] as unknown as { value: unknown }).value, {
      answer: 'species',
      lookup: { dog: 'DOG', cat: 'CAT', fox: 'FOX', other: 'OTHER' },
    });
    const complete = (await getDraft(t.hub, id))!.definition;
    assert.deepEqual(draftProblems(t.hub, complete), [], 'the draft the editor made passes the publish checks');
    const checked = await checkConfigWith(t, complete as { id: string; xml: { xsd: string } });
    assert.equal(checked.code, 0, `the definition the console made passes closeloop check-config: ${checked.out}`);

    // Repeating elements: one Photo per file uploaded, its children from the current document.
    await mapRow(editor, id, 'Photo', { each: 'documents:photos' });
    await mapRow(editor, id, 'Photo/FileName', { source: 'item', item: 'name' });
    page = await mapRow(editor, id, 'Photo/Url', { source: 'item', item: 'url' });
    assert.equal(previewProblems(page.html), 0, errorSummaryText(page.html));
    assert.match(decode(page.html), /<Photo>\s*<FileName>evidence-3\.jpg<\/FileName>/);
  });

  test('the live preview endpoint shows an unsaved row’s XML (nothing stored)', async () => {
    const id = `preview-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
    );
    await editor.get(`/staff/services/${id}/xml/xsd`);
    const page = await uploadXsd(editor, id, 'dead-animal.xsd', DEAD_ANIMAL_XSD);
    await editor.post(`/staff/services/${id}/xml/settings`, formFields(page.html, '/xml/settings'));
    await mapRow(editor, id, 'Reference', { source: 'process', process: 'reference' });
    const rowPage = await editor.get(`/staff/services/${id}/xml/row?path=ReceivedAt`);
    const revision = (await getDraft(t.hub, id))!.revision;
    const fragment = await editor.post(`/staff/services/${id}/xml/preview?path=ReceivedAt`, {
      ...formFields(rowPage.html, '/xml/row'),
      source: 'process',
      process: 'submittedAt',
    });
    assert.equal(fragment.status, 200);
    assert.match(decode(fragment.html), /<ReceivedAt>2026-01-15T10:00:00.000Z<\/ReceivedAt>/);
    assert.doesNotMatch(fragment.html, /<html/);
    assert.equal((await getDraft(t.hub, id))!.revision, revision, 'nothing saved');
  });

  test('hostile XSDs are refused with a clear message; nothing is stored', async () => {
    const id = `hostile-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
    );
    const schema = (body: string) => `<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${body}</xs:schema>`;
    const cases: [string, Buffer | string, RegExp][] = [
      [
        'doctype.xsd',
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${schema('<xs:element name="A" type="xs:string"/>')}`,
        /must not contain a DOCTYPE/,
      ],
      [
        'laughs.xsd',
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="A" fixed="&lol3;"/></xs:schema>`,
        /must not contain a DOCTYPE/,
      ],
      [
        'import.xsd',
        schema('<xs:import namespace="urn:x" schemaLocation="http://evil.example/x.xsd"/><xs:element name="A" type="xs:string"/>'),
        /must not include or import a web address/,
      ],
      [
        'include.xsd',
        schema('<xs:include schemaLocation="../../../etc/secret.xsd"/><xs:element name="A" type="xs:string"/>'),
        /must not include or import another file/,
      ],
      ['big.xsd', Buffer.alloc(10 * 1024 * 1024, 0x20), /smaller than 1 MB/],
      ['notes.txt', 'Dear council, here are my notes.', /is not XML/],
      ['html.xsd', '<html><body>not a schema</body></html>', /is not an XSD: its first element must be xs:schema/],
      ['broken.xsd', schema('<xs:element name="A" type="NoSuchType"/>'), /has a mistake that stops it being used/],
      ['empty.xsd', '', /Select an XSD file|is empty/],
    ];
    for (const [name, content, message] of cases) {
      await editor.get(`/staff/services/${id}/xml/xsd`);
      const page = await uploadXsd(editor, id, name, typeof content === 'string' ? Buffer.from(content) : content);
      assert.equal(page.status, 400, name);
      assert.match(errorSummaryText(page.html), message, `${name}: ${errorSummaryText(page.html)}`);
      assert.match(page.html, /href="#xsdFile"/, `${name}: the summary links to the file input`);
    }
    const stored = await t.hub.db.rows<{ name: string }>('select name from service_xsds where council = $1', [t.hub.councils.defaultId]);
    assert.ok(!stored.some((r) => /doctype|laughs|import|include|big|notes|html|broken|empty/.test(r.name)), JSON.stringify(stored));

    // Without the form's CSRF field the upload is refused like any other form.
    await editor.get(`/staff/services/${id}/xml/xsd`);
    const forged = await uploadXsd(editor, id, 'dead-animal.xsd', DEAD_ANIMAL_XSD, { revision: '1' });
    assert.equal(forged.status, 403);
  });

  test('names and namespaces that would break the XML are refused', async () => {
    const id = `names-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
    );
    await editor.get(`/staff/services/${id}/xml/xsd`);
    let page = await uploadXsd(editor, id, 'dead-animal.xsd', DEAD_ANIMAL_XSD);
    const fields = formFields(page.html, '/xml/settings');
    page = await editor.post(`/staff/services/${id}/xml/settings`, { ...fields, root: 'Dead"Animal><x' });
    assert.equal(page.status, 400);
    assert.match(errorSummaryText(page.html), /cannot be an XML element name/);
    page = await editor.post(`/staff/services/${id}/xml/settings`, { ...fields, namespace: 'urn:x" onload="y' });
    assert.match(errorSummaryText(page.html), /Enter the namespace as a URI without spaces, quotes or angle brackets/);
    page = await editor.post(`/staff/services/${id}/xml/settings`, { ...fields, prefixes: 'xs"x http://example.org/ns' });
    assert.match(errorSummaryText(page.html), /Line 1: enter a prefix/);
    page = await editor.get(`/staff/services/${id}/xml/row?path=${encodeURIComponent('Nope/<script>')}`);
    assert.equal(page.status, 404);
    assert.equal(((await getDraft(t.hub, id))!.definition.xml!.mapping as { root: string }).root, 'DeadAnimalReport', 'nothing saved');
  });

  test('a part of a mapping the editor cannot show is listed apart and kept through edits', async () => {
    const id = `kept-${Date.now()}`;
    const legacy = { element: 'Legacy', children: [{ element: 'Inner', value: { constant: 'x' } }] };
    const definition = {
      ...deadAnimalDefinition(id),
      xml: {
        xsd: 'fly-tipping.xsd',
        mapping: {
          root: 'FlyTippingReport',
          namespace: 'urn:example-council:envhealth:v1',
          children: [legacy, { element: 'Size', value: { constant: 'SMALL' } }],
        },
      },
    };
    await startDraft(t.hub, { actor: 'staff:test', name: 'Test' }, { definition, baseVersion: null, council: t.hub.councils.defaultId });
    const page = await editor.get(`/staff/services/${id}/xml`);
    assert.match(page.html, /Other parts of the mapping/);
    assert.match(decode(page.html), /"element":"Legacy"/);
    await mapRow(editor, id, 'Case/Reference', { source: 'process', process: 'reference' });
    const mapping = (await getDraft(t.hub, id))!.definition.xml!.mapping as { children: unknown[] };
    assert.deepEqual(mapping.children, [
      legacy,
      { element: 'Case', children: [{ element: 'Reference', value: { process: 'reference' } }] },
      { element: 'Size', value: { constant: 'SMALL' } },
    ]);
  });

  test('two editors saving the same row: the second gets the conflict page, with what they chose', async () => {
    const id = `conflict-${Date.now()}`;
    await startDraft(
      t.hub,
      { actor: 'staff:test', name: 'Test' },
      { definition: deadAnimalDefinition(id), baseVersion: null, council: t.hub.councils.defaultId },
    );
    await editor.get(`/staff/services/${id}/xml/xsd`);
    const page = await uploadXsd(editor, id, 'dead-animal.xsd', DEAD_ANIMAL_XSD);
    await editor.post(`/staff/services/${id}/xml/settings`, formFields(page.html, '/xml/settings'));
    const other = (await signUpStaff(t, { role: 'council-admin', council: t.hub.councils.defaultId, name: 'Omar Other' })).browser;
    const rowPath = `/staff/services/${id}/xml/row?path=Reference`;
    const mine = formFields((await editor.get(rowPath)).html, '/xml/row');
    const theirs = formFields((await other.get(rowPath)).html, '/xml/row');
    const saved = await other.post(rowPath, { ...theirs, source: 'process', process: 'processId' });
    assert.equal(saved.status, 200);
    const conflict = await editor.post(rowPath, { ...mine, source: 'process', process: 'reference' });
    assert.equal(conflict.status, 409);
    assert.match(conflict.html, /Someone else changed this service/);
    assert.match(conflict.html, />\s*process\s*<\/dt>\s*<dd[^>]*>\s*reference\s*</, 'what this person chose is shown back');
    const mapping = (await getDraft(t.hub, id))!.definition.xml!.mapping as { children: { value: unknown }[] };
    assert.deepEqual(mapping.children[0]!.value, { process: 'processId' }, 'the first save is kept');
  });

  test('every mapping in config/services opens in the editor and saves back unchanged, row by row', async () => {
    const operator = (await signUpStaff(t, { role: 'operator' })).browser;
    for (const service of t.hub.catalogue.list()) {
      const id = service.serviceId;
      const original = structuredClone((await openDraft(t.hub, { actor: 'staff:test', name: 'Test' }, id)).definition);
      let page = await operator.get(`/staff/services/${id}/xml`);
      assert.equal(page.status, 200, id);
      assert.doesNotMatch(page.html, /Other parts of the mapping/, `${id}: every row of the mapping is shown as a row`);
      const rows = [...page.html.matchAll(/href="(\/staff\/services\/[^"]+\/xml\/row\?path=[^"]+)"/g)].map((m) => decode(m[1]!));
      assert.ok(rows.length > 10, `${id}: ${rows.length} rows`);
      for (const row of new Set(rows)) {
        page = await operator.get(row);
        assert.equal(page.status, 200, row);
        page = await operator.post(row, formFields(page.html, '/xml/row?path='));
        assert.equal(page.status, 200, `${row}: ${errorSummaryText(page.html)}`);
      }
      page = await operator.get(`/staff/services/${id}/xml/settings`);
      await operator.post(`/staff/services/${id}/xml/settings`, formFields(page.html, '/xml/settings'));
      page = await operator.get(`/staff/services/${id}/xml/xsd`);
      await operator.post(`/staff/services/${id}/xml/xsd`, formFields(page.html, '/xml/xsd'));
      const saved = (await getDraft(t.hub, id))!;
      assert.deepEqual(saved.definition, original, `${id} saved back unchanged`);
      assert.ok(saved.revision > rows.length / 2, `${id}: the forms were saved (${saved.revision})`);
      assert.deepEqual(draftProblems(t.hub, saved.definition), [], id);
    }
  });
});
