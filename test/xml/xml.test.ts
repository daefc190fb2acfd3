// The XML layer: mappings, escaping, XSD validation with confined includes, and safe parsing of anything inbound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildXmlDocument,
  buildXmlString,
  compileMapping,
  loadXsd,
  parseXmlSafely,
  renderXml,
  selectText,
  UnsafeXmlError,
  XmlMappingError,
} from '../../core/xml/index.ts';

const input = (answers: Record<string, unknown>) => ({
  process: {
    id: '00000000-0000-4000-8000-000000000001',
    reference: 'NOI-ABCD2345',
    serviceId: 'noise',
    serviceVersion: 2,
    submittedAt: '2026-11-24T10:00:00.000Z',
  },
  answers,
  documents: [
    { id: 'd1', kind: 'evidence', fieldId: 'photos', name: 'a & b.png', contentType: 'image/png', size: 10, url: 'https://hub/d1' },
    { id: 'd2', kind: 'form-json', fieldId: null, name: 'form.json', contentType: 'application/json', size: 5, url: 'https://hub/d2' },
  ],
});

const mapping = compileMapping({
  root: 'Case',
  namespace: 'urn:t',
  attributes: { version: '1' },
  children: [
    { element: 'Reference', value: { process: 'reference' } },
    { element: 'Code', value: { answer: 'kind', lookup: { music: 'NS01' }, default: 'NS99' } },
    { element: 'Text', value: { answer: 'text' } },
    { element: 'Optional', value: { answer: 'missing' } },
    { element: 'Empty', children: [{ element: 'Inner', value: { answer: 'missing' } }] },
    { element: 'Postcode', value: { answer: 'where.postcode', format: 'upper' } },
    { element: 'When', each: { answer: 'times' }, value: { item: 'value', lookup: { day: 'D', night: 'N' } } },
    {
      element: 'Doc',
      each: { documents: 'evidence' },
      attributes: { type: { item: 'contentType' } },
      children: [{ element: 'Name', value: { item: 'name' } }],
    },
    { element: 'Started', value: { answer: 'started', format: 'date' } },
    { element: 'Count', value: { answer: 'count', format: { decimals: 2 } } },
  ],
});

test('a mapping fills, escapes, repeats, looks up and omits empty elements', () => {
  const xml = buildXmlString(
    mapping,
    input({
      kind: 'music',
      text: '</Text><Evil/> & "quotes" \u0001',
      where: { postcode: 'ex1 2ab' },
      times: ['day', 'night'],
      started: '2026-01-02',
      count: 3,
    }),
  );
  const doc = parseXmlSafely(xml);
  const ns = { t: 'urn:t' };
  assert.equal(selectText(doc, '/t:Case/t:Reference', ns), 'NOI-ABCD2345');
  assert.equal(selectText(doc, '/t:Case/t:Code', ns), 'NS01');
  assert.equal(selectText(doc, '/t:Case/t:Text', ns), '</Text><Evil/> & "quotes" \ufffd', 'markup arrives as text; control characters are replaced');
  assert.equal(doc.find('//t:Evil', ns).length, 0);
  assert.equal(doc.find('//t:Optional', ns).length, 0, 'an unanswered optional value is left out');
  assert.equal(doc.find('//t:Empty', ns).length, 0, 'a container left empty is left out');
  assert.equal(selectText(doc, '/t:Case/t:Postcode', ns), 'EX1 2AB');
  assert.deepEqual(
    doc.find('/t:Case/t:When', ns).map((e) => (e as unknown as { text(): string }).text()),
    ['D', 'N'],
  );
  assert.equal(doc.find('/t:Case/t:Doc', ns).length, 1, 'one element per evidence document');
  assert.equal(selectText(doc, '/t:Case/t:Doc/t:Name', ns), 'a & b.png');
  assert.equal(selectText(doc, '/t:Case/t:Doc/@type', ns), 'image/png');
  assert.equal(selectText(doc, '/t:Case/t:Count', ns), '3.00');
  assert.equal(selectText(doc, '/t:Case/@version', ns), '1');
  // The text builder and libxml2's node API agree on the document.
  const viaNodes = buildXmlDocument(mapping, input({ kind: 'music', text: 'x', times: ['day'], started: '2026-01-02' })).toString(false);
  const viaText = parseXmlSafely(buildXmlString(mapping, input({ kind: 'music', text: 'x', times: ['day'], started: '2026-01-02' }))).toString(false);
  assert.equal(viaText.replace(/\s*\n\s*/g, ''), viaNodes.replace(/\s*\n\s*/g, ''));
});

test('a lookup with no entry and no default is a mapping error; bad mappings are refused when compiled', () => {
  const strict = compileMapping({ root: 'R', children: [{ element: 'C', value: { answer: 'k', lookup: { a: 'A' } } }] });
  assert.throws(() => buildXmlString(strict, input({ k: 'b' })), XmlMappingError);
  assert.throws(() => compileMapping({ root: 'R', children: [{ element: '1bad', value: { constant: 'x' } }] }), XmlMappingError);
  assert.throws(() => compileMapping({ root: 'R', children: [{ element: 'C', value: { answer: 'a', constant: 'b' } }] }), XmlMappingError);
  assert.throws(() => compileMapping({ root: 'R', children: [{ element: 'g:C', value: { constant: 'b' } }] }), /prefix "g" is not declared/);
});

test('XSDs are compiled once, report line and element, and may include only files in their folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'closeloop-xsd-'));
  try {
    await writeFile(
      join(dir, 'types.xsd'),
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified"><xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:pattern value="NS[0-9]{2}"/></xs:restriction></xs:simpleType></xs:schema>`,
    );
    await writeFile(
      join(dir, 'case.xsd'),
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified"><xs:include schemaLocation="types.xsd"/><xs:element name="Case"><xs:complexType><xs:sequence><xs:element name="Reference" type="xs:string"/><xs:element name="Code" type="Code"/></xs:sequence></xs:complexType></xs:element></xs:schema>`,
    );
    await writeFile(
      join(dir, 'escape.xsd'),
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="../outside.xsd"/></xs:schema>`,
    );
    await writeFile(
      join(dir, 'remote.xsd'),
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="urn:x" schemaLocation="http://example.com/x.xsd"/></xs:schema>`,
    );
    assert.equal(loadXsd(dir, 'case.xsd'), loadXsd(dir, 'case.xsd'), 'the compiled schema is reused');
    const m = compileMapping({
      root: 'Case',
      namespace: 'urn:t',
      children: [
        { element: 'Reference', value: { process: 'reference' } },
        { element: 'Code', value: { answer: 'code' } },
      ],
    });
    assert.equal(renderXml(m, dir, 'case.xsd', input({ code: 'NS01' })).valid, true);
    const bad = renderXml(m, dir, 'case.xsd', input({ code: 'XX' }));
    assert.equal(bad.valid, false);
    assert.equal(bad.errors[0]!.element, 'Code');
    assert.equal(bad.errors[0]!.line, 4);
    assert.throws(() => loadXsd(dir, 'escape.xsd'), UnsafeXmlError);
    assert.throws(() => loadXsd(dir, 'remote.xsd'), /is a URL/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('inbound XML with a DOCTYPE (XXE, external DTD, entity expansion) is refused before parsing', () => {
  for (const evil of [
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
  ]) {
    assert.throws(() => parseXmlSafely(evil), UnsafeXmlError);
  }
  assert.throws(() => parseXmlSafely('<a><b></a>'), /not well-formed/);
  assert.equal(selectText(parseXmlSafely('<a><b>ok</b></a>'), '/a/b'), 'ok');
});
