// The definition language's newer answers in the XML mapping: an element repeated once per item of an "add another"
// list with its children read by the list's question ids, money as it is stored or with two decimals, a declaration as
// a boolean; and the mappings that cannot work (a content or exit page's answer, a list read as one value, an item that
// is not a question of the list) refused with the path at fault.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { serviceDefinitionSchema, validateAnswers } from '../../core/services/index.ts';
import { compileMapping, mappingQuestions, renderXml, XmlMappingError, type XmlMapping } from '../../core/xml/index.ts';

const def = serviceDefinitionSchema.parse(parse(readFileSync('test/fixtures/definition/blocked-drain.yaml', 'utf8')));
const mapping = def.xml!.mapping as XmlMapping;
const questions = mappingQuestions(def.fields);
const process = {
  id: '00000000-0000-4000-8000-000000000000',
  reference: 'BDRN-ABCD2345',
  serviceId: def.id,
  serviceVersion: 1,
  submittedAt: '2026-01-15T10:00:00.000Z',
};

function render(answers: Record<string, unknown>, m: unknown = mapping) {
  return renderXml(compileMapping(m, questions), 'test/fixtures/xsd', 'drain-fixture.xsd', { process, answers, documents: [] });
}

/** The mapping's problems when compiled against the service's questions. */
function problems(m: unknown): string[] {
  try {
    compileMapping(m, questions);
    return [];
  } catch (err) {
    assert.ok(err instanceof XmlMappingError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

/** The fixture's mapping with one child (by element name) replaced. */
function withChild(element: string, child: unknown): unknown {
  return { ...mapping, children: mapping.children.map((c) => (c.element === element ? child : c)) };
}

describe('lists, money and declarations in the XML', () => {
  test('one element per list item, each child from its question; money and the declaration as the XSD wants them', () => {
    const checked = validateAnswers(def, {
      where: 'garden',
      fee: '£1,250',
      people: [{ name: 'Ann Smith', age: '7', paid: '12.5' }, {}, { name: 'Bob Jones' }],
      fullName: 'Pat Walker',
      agree: 'yes',
    });
    assert.deepEqual(checked.errors, []);
    const result = render(checked.answers);
    assert.deepEqual(result.errors, [], result.xml);
    assert.equal(result.valid, true);
    assert.match(result.xml, /<ContractorFee>1250\.00<\/ContractorFee>/, 'money as stored: two decimal places');
    assert.match(result.xml, /<Declared>true<\/Declared>/);
    const affected = [...result.xml.matchAll(/<Affected>([\s\S]*?)<\/Affected>/g)].map((m) => m[1]!.replace(/\s+/g, ''));
    assert.deepEqual(
      affected,
      ['<Name>AnnSmith</Name><Age>7</Age><Paid>12.50</Paid>', '<Name>BobJones</Name>'],
      'the empty item was dropped; unanswered sub-questions are left out',
    );
  });

  test('money through format decimals, and XML the XSD refuses when a list has no items', () => {
    const answers = { where: 'shared', people: [{ name: 'Ann', paid: '3.00' }], fullName: 'Pat', agree: true, fee: '40.00' };
    const m = withChild('ContractorFee', { element: 'ContractorFee', value: { answer: 'fee', format: { decimals: 2 } } });
    assert.match(render(answers, m).xml, /<ContractorFee>40\.00<\/ContractorFee>/);
    const none = render({ ...answers, people: undefined });
    assert.equal(none.valid, false);
    assert.match(none.errors.map((e) => e.message).join(), /Affected/);
  });

  test('a mapping that reads what the service cannot answer is refused, naming the path', () => {
    assert.deepEqual(problems(mapping), []);
    assert.deepEqual(problems(withChild('ReporterName', { element: 'ReporterName', value: { answer: 'safety' } })), [
      'children.4.value.answer: "safety" is a content page: it asks nothing, so it has no answer',
    ]);
    assert.deepEqual(problems(withChild('ReporterName', { element: 'ReporterName', value: { answer: 'waterCompany' } })), [
      'children.4.value.answer: "waterCompany" is an exit page: it asks nothing, so it has no answer',
    ]);
    assert.deepEqual(problems(withChild('ReporterName', { element: 'ReporterName', value: { answer: 'nobody' } })), [
      'children.4.value.answer: "nobody" is not a question of this service',
    ]);
    assert.deepEqual(problems(withChild('ReporterName', { element: 'ReporterName', value: { answer: 'people' } })), [
      'children.4.value.answer: "people" is an "add another" list: repeat an element for each item (each: { answer: people }) and read its questions with item',
    ]);
    const affected = mapping.children.find((c) => c.element === 'Affected')!;
    assert.deepEqual(problems(withChild('Affected', { ...affected, children: [{ element: 'Name', value: { item: 'shoeSize' } }] })), [
      'children.3.children.0.value.item: "shoeSize" is not a question of the list "people" (its questions: name, age, paid)',
    ]);
    assert.deepEqual(problems(withChild('ReporterName', { element: 'ReporterName', value: { item: 'name' } })), [
      'children.4.value.item: item reads the current item of a repeat: give this element (or one above it) each',
    ]);
    assert.deepEqual(problems(withChild('Affected', { ...affected, each: { answer: 'safety' } })), [
      'children.3.each.answer: "safety" is a content page: it asks nothing, so it has no answer',
    ]);
    assert.match(
      problems(withChild('ReporterName', { element: 'ReporterName', value: { item: 'not-an-id' } })).join(),
      /children\.4\.value\.item: must be value, id, name/,
    );
  });

  test('without the questions (a delivery of a version already checked) the mapping still compiles and builds', () => {
    const compiled = compileMapping(mapping);
    assert.ok(compiled.root.children.length > 0);
  });
});
