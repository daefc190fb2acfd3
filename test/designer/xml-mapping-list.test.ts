// The XML mapping editor and the definition language's newer questions, through the real HTTP server: an "add
// another" list is what a repeating element is sent for, and its questions are what the element's children read;
// money and a declaration map like any answer; content and exit pages are never offered as answers, and a mapping
// (written in YAML) that reads one is a problem the preview names at its row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { draftProblems, getDraft, startDraft, type DraftDefinition } from '../../core/designer/drafts.ts';
import { uploadXsd } from '../../core/designer/xsd-choices.ts';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffBrowser } from '../staff/support.ts';
import { decode, formFields } from './xml-form-fields.ts';
import { checkConfigWith } from './check-config-support.ts';

const NS = 'urn:example-council:drains:v1';

/** The fixture service (every newer question type) as a draft with an empty mapping of the uploaded XSD. */
function drainDraft(id: string, xsd: string): DraftDefinition {
  const definition = parse(readFileSync('test/fixtures/definition/blocked-drain.yaml', 'utf8')) as DraftDefinition;
  return { ...definition, id, xml: { xsd, mapping: { root: 'DrainReport', namespace: NS, children: [] } } };
}

/** The options of a select on a page, as value → text. */
function selectOptions(html: string, name: string): Map<string, string> {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return new Map([...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [decode(m[1]!), decode(m[2]!.trim())]));
}

function previewErrors(html: string): string[] {
  const block = /id="xml-preview-errors">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...block.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) =>
    decode(
      m[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

/** The text of the mapping page's row for an element. */
function rowText(html: string, path: string): string {
  const id = `row-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const row = new RegExp(`<tr class="govuk-table__row" id="${id}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return decode(
    row
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe('XML mapping editor: lists, money, declarations, content and exit pages', () => {
  let t: TestHub;
  let editor: StaffBrowser;
  let xsd: string;
  before(async () => {
    t = await staffTestHub();
    editor = (await signUpStaff(t, { role: 'service-editor', council: t.hub.councils.defaultId })).browser;
    const uploaded = await uploadXsd(
      t.hub.db,
      { actor: 'staff:test', name: 'Test' },
      t.hub.councils.defaultId,
      'drain-fixture.xsd',
      readFileSync('test/fixtures/xsd/drain-fixture.xsd'),
    );
    assert.ok(uploaded.ok);
    xsd = uploaded.file;
  });
  after(() => t.close());

  async function mapRow(id: string, path: string, set: Record<string, string>) {
    const rowPath = `/staff/services/${id}/xml/row?path=${encodeURIComponent(path)}`;
    const page = await editor.get(rowPath);
    assert.equal(page.status, 200, `row page for ${path}`);
    return editor.post(rowPath, { ...formFields(page.html, '/xml/row?path='), ...set });
  }

  test('a list is what a repeating element is sent for, and its questions are what the children read', async () => {
    const id = `drain-${Date.now()}`;
    await startDraft(t.hub, { actor: 'staff:test', name: 'Test' }, { definition: drainDraft(id, xsd), baseVersion: null, council: t.hub.councils.defaultId });

    // Content and exit pages ask nothing and a list is read item by item: none is offered as an answer.
    let page = await editor.get(`/staff/services/${id}/xml/row?path=ReporterName`);
    const answers = selectOptions(page.html, 'answer');
    assert.deepEqual([...answers.keys()].filter(Boolean), ['where', 'fee', 'fullName', 'agree']);

    for (const [path, set] of [
      ['Reference', { source: 'process', process: 'reference' }],
      ['ContractorFee', { source: 'answer', answer: 'fee', format: 'decimals:2' }],
      ['ReporterName', { source: 'answer', answer: 'fullName' }],
      ['Declared', { source: 'answer', answer: 'agree', format: 'boolean' }],
    ] as const) {
      page = await mapRow(id, path, set);
      assert.equal(page.status, 200, path);
    }
    // A lookup table: the first post lists the options' rows (and asks for their codes), the second gives them.
    const whereRow = `/staff/services/${id}/xml/row?path=Where`;
    page = await editor.post(whereRow, { ...formFields((await editor.get(whereRow)).html, '/xml/row'), source: 'answer', answer: 'where', useLookup: 'yes' });
    assert.equal(page.status, 400);
    page = await editor.post(whereRow, { ...formFields(page.html, '/xml/row'), 'lookupCode-0': 'GARDEN', 'lookupCode-1': 'ROAD', 'lookupCode-2': 'SHARED' });
    assert.equal(page.status, 200);

    // The repeating element: the list is offered, named by its item.
    page = await editor.get(`/staff/services/${id}/xml/row?path=Affected`);
    assert.equal(selectOptions(page.html, 'each').get('answer:people'), 'Once for each person in “Who else is affected?”');
    assert.match(page.html, /once for each item of an “add another” question/);
    page = await mapRow(id, 'Affected', { each: 'answer:people' });
    assert.equal(page.status, 200);
    assert.match(rowText(page.html, 'Affected'), /Repeats for each person in “Who else is affected\?”/);

    // Its children: "an answer given for each person", one of the list's questions.
    page = await editor.get(`/staff/services/${id}/xml/row?path=${encodeURIComponent('Affected/Name')}`);
    assert.match(page.html, /An answer given for each person/);
    assert.deepEqual(
      [...selectOptions(page.html, 'item')].filter(([v]) => v),
      [
        ['name', 'Person: Full name'],
        ['age', 'Person: Age'],
        ['paid', 'Person: Amount they paid'],
      ],
    );
    const refused = await editor.post(`/staff/services/${id}/xml/row?path=${encodeURIComponent('Affected/Name')}`, {
      ...formFields(page.html, '/xml/row'),
      source: 'item',
      item: 'url',
    });
    assert.equal(refused.status, 400, 'a document’s part is not a question of the list');
    assert.match(refused.html, /Select which part of the current item the value is/);

    await mapRow(id, 'Affected/Name', { source: 'item', item: 'name' });
    await mapRow(id, 'Affected/Age', { source: 'item', item: 'age', format: 'integer' });
    page = await mapRow(id, 'Affected/Paid', { source: 'item', item: 'paid', format: 'decimals:2' });
    assert.equal(page.status, 200);
    assert.match(rowText(page.html, 'Affected/Name'), /Each person: Full name/);
    assert.match(page.html, /Every element the XSD requires is mapped/);
    assert.deepEqual(previewErrors(page.html), []);
    assert.match(page.html, /govuk-tag--green">Valid/);
    const xml = decode(page.html);
    assert.match(xml, /<Affected>\s*<Name>Sample text<\/Name>\s*<Age>0<\/Age>\s*<Paid>25\.00<\/Paid>\s*<\/Affected>/, 'the sample list item reaches the XML');
    assert.match(xml, /<ContractorFee>1\.00<\/ContractorFee>/);
    assert.match(xml, /<Declared>true<\/Declared>/);

    const saved = (await getDraft(t.hub, id))!.definition;
    const mapping = saved.xml!.mapping as { children: { element: string; each?: unknown; children?: unknown[] }[] };
    assert.deepEqual(
      mapping.children.find((c) => c.element === 'Affected'),
      {
        element: 'Affected',
        each: { answer: 'people' },
        children: [
          { element: 'Name', value: { item: 'name' } },
          { element: 'Age', value: { item: 'age', format: 'integer' } },
          { element: 'Paid', value: { item: 'paid', format: { decimals: 2 } } },
        ],
      },
    );
    assert.deepEqual(draftProblems(t.hub, saved), [], 'the mapping the editor made passes the publish checks');
    const checked = await checkConfigWith(t, saved as { id: string; xml: { xsd: string } });
    assert.equal(checked.code, 0, `and closeloop check-config: ${checked.out}`);
  });

  test('a mapping that reads a content page or an item the list does not ask is named in the preview, at its row', async () => {
    const id = `drain-bad-${Date.now()}`;
    const definition = drainDraft(id, xsd);
    definition.xml!.mapping = {
      root: 'DrainReport',
      namespace: NS,
      children: [
        { element: 'Reference', value: { process: 'reference' } },
        { element: 'Where', value: { constant: 'GARDEN' } },
        { element: 'Affected', each: { answer: 'people' }, children: [{ element: 'Name', value: { item: 'shoeSize' } }] },
        { element: 'ReporterName', value: { answer: 'safety' } },
        { element: 'Declared', value: { constant: 'true' } },
      ],
    };
    const draft = await startDraft(t.hub, { actor: 'staff:test', name: 'Test' }, { definition, baseVersion: null, council: t.hub.councils.defaultId });
    const page = await editor.get(`/staff/services/${id}/xml`);
    assert.equal(page.status, 200);
    const errors = previewErrors(page.html);
    assert.ok(errors.includes('Affected/Name: "shoeSize" is not a question of the list "people" (its questions: name, age, paid)'), errors.join('\n'));
    assert.ok(errors.includes('ReporterName: "safety" is a content page: it asks nothing, so it has no answer'), errors.join('\n'));
    assert.match(rowText(page.html, 'Affected/Name'), /Each person: shoeSize \(not a question of “Who else is affected\?”\)/);
    const problems = draftProblems(t.hub, draft.definition).map((p) => p.message);
    assert.ok(
      problems.some((m) => /"safety" is a content page: it asks nothing, so it has no answer/.test(m)),
      problems.join('\n'),
    );

    // The publish page names it too, linked to the row that reads the content page.
    const publish = decode((await editor.get(`/staff/services/${id}/publish`)).html);
    assert.ok(
      publish.includes(`href="/staff/services/${id}/xml/row?path=ReporterName">XML mapping: "safety" is a content page: it asks nothing, so it has no answer`),
      publish.match(/govuk-error-summary[\s\S]*?<\/ul>/)?.[0] ?? publish.slice(0, 3000),
    );

    // Fixed in the editor, the row's problem goes.
    const fixed = await mapRow(id, 'ReporterName', { source: 'answer', answer: 'fullName' });
    assert.ok(!previewErrors(fixed.html).some((e) => /safety/.test(e)));
  });
});
