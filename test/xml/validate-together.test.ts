// Documents validated together (one libxml2 call for the documents of one turn) get exactly the answers each would get
// alone: the same validity, the same errors and line numbers; schemas that name IDREF are never validated together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadXsd, togetherStats, validateTogether, validateXml, type Xsd } from '../../core/xml/index.ts';

const CASE_XSD = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
  <xs:include schemaLocation="types.xsd"/>
  <xs:element name="Case"><xs:complexType><xs:sequence>
    <xs:element name="Reference" type="xs:string"/><xs:element name="Code" type="Code"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="Note" type="xs:string"/>
</xs:schema>`;
const TYPES_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified"><xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:pattern value="NS[0-9]{2}"/></xs:restriction></xs:simpleType></xs:schema>`;
const PLAIN_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="Report"><xs:complexType><xs:sequence><xs:element name="Size" type="xs:positiveInteger"/></xs:sequence></xs:complexType></xs:element></xs:schema>`;
const IDREF_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="Item"><xs:complexType><xs:sequence><xs:element name="Part" minOccurs="0"><xs:complexType><xs:attribute name="id" type="xs:ID"/></xs:complexType></xs:element><xs:element name="Ref" minOccurs="0"><xs:complexType><xs:attribute name="to" type="xs:IDREF"/></xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element></xs:schema>`;

const IDS_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="Item"><xs:complexType><xs:sequence><xs:element name="Part" maxOccurs="2"><xs:complexType><xs:attribute name="id" type="xs:ID"/></xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element></xs:schema>`;

const caseXml = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Case xmlns="urn:t">\n  <Reference>NOI-ABCD2345</Reference>\n  <Code>${code}</Code>\n</Case>\n`;

async function withXsds(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'closeloop-together-'));
  try {
    await writeFile(join(dir, 'case.xsd'), CASE_XSD);
    await writeFile(join(dir, 'types.xsd'), TYPES_XSD);
    await writeFile(join(dir, 'plain.xsd'), PLAIN_XSD);
    await writeFile(join(dir, 'idref.xsd'), IDREF_XSD);
    await writeFile(join(dir, 'ids.xsd'), IDS_XSD);
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Validates the documents in one turn and counts the libxml2 calls it took. */
async function inOneTurn(xsd: Xsd, docs: string[]): Promise<{ results: PromiseSettledResult<Awaited<ReturnType<typeof validateTogether>>>[]; calls: number }> {
  const before = togetherStats.validations;
  const results = await Promise.allSettled(docs.map((d) => validateTogether(d, xsd)));
  return { results, calls: togetherStats.validations - before };
}

test('valid documents of one turn are validated in one call, each of any global element of the schema', async () => {
  await withXsds(async (dir) => {
    const xsd = loadXsd(dir, 'case.xsd');
    const docs = [caseXml('NS01'), caseXml('NS02'), '<Note xmlns="urn:t">a &amp; b</Note>', caseXml('NS03'), caseXml('NS04')];
    const { results, calls } = await inOneTurn(xsd, docs);
    assert.equal(calls, 1);
    for (const r of results) assert.deepEqual(r, { status: 'fulfilled', value: { valid: true, errors: [] } });
  });
});

test('one invalid document among valid ones gets the errors and line numbers it has alone; the others stay valid', async () => {
  await withXsds(async (dir) => {
    const xsd = loadXsd(dir, 'case.xsd');
    const docs = [caseXml('NS01'), caseXml('XX'), caseXml('NS02'), '<Other xmlns="urn:t"/>', '<Case xmlns="urn:elsewhere"/>'];
    const { results } = await inOneTurn(xsd, docs);
    docs.forEach((doc, i) => {
      const alone = validateXml(doc, xsd);
      assert.deepEqual(results[i], { status: 'fulfilled', value: alone }, `document ${i}`);
    });
    assert.equal((results[1] as PromiseFulfilledResult<{ errors: { line: number | null; element: string | null }[] }>).value.errors[0]!.line, 4);
    assert.equal((results[3] as PromiseFulfilledResult<{ valid: boolean }>).value.valid, false, 'a root the schema does not declare');
    assert.equal((results[4] as PromiseFulfilledResult<{ valid: boolean }>).value.valid, false, 'a root in another namespace');
  });
});

test('a document that is not well-formed is refused alone; the documents validated with it are not affected', async () => {
  await withXsds(async (dir) => {
    const xsd = loadXsd(dir, 'case.xsd');
    const { results } = await inOneTurn(xsd, [caseXml('NS01'), '<Case xmlns="urn:t"><Reference>', caseXml('NS02')]);
    assert.deepEqual(results[0], { status: 'fulfilled', value: { valid: true, errors: [] } });
    assert.equal(results[1]!.status, 'rejected');
    assert.deepEqual(results[2], { status: 'fulfilled', value: { valid: true, errors: [] } });
  });
});

test('texts that are documents only together (an unclosed root, then its end tag) are each refused', async () => {
  await withXsds(async (dir) => {
    const xsd = loadXsd(dir, 'plain.xsd');
    const { results } = await inOneTurn(xsd, ['<Report><Size>3</Size>', '</Report>']);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
  });
});

test('a schema with no target namespace is validated together too', async () => {
  await withXsds(async (dir) => {
    const xsd = loadXsd(dir, 'plain.xsd');
    const { results, calls } = await inOneTurn(xsd, ['<Report><Size>3</Size></Report>', '<Report><Size>4</Size></Report>', '<Report><Size>0</Size></Report>']);
    assert.equal(calls, 1 + 3, 'one call together, which fails, then each alone');
    assert.deepEqual(
      results.map((r) => (r as PromiseFulfilledResult<{ valid: boolean }>).value.valid),
      [true, true, false],
    );
    const again = await inOneTurn(xsd, ['<Report><Size>3</Size></Report>', '<Report><Size>4</Size></Report>']);
    assert.equal(again.calls, 1);
  });
});

test('documents of a schema that uses IDREF are validated one by one; an ID used in two documents is no error', async () => {
  await withXsds(async (dir) => {
    const idref = loadXsd(dir, 'idref.xsd');
    assert.equal(idref.usesIdref, true);
    const docs = ['<Item><Part id="p1"/></Item>', '<Item><Ref to="p1"/></Item>'];
    const { results, calls } = await inOneTurn(idref, docs);
    assert.equal(calls, 2);
    docs.forEach((doc, i) => assert.deepEqual(results[i], { status: 'fulfilled', value: validateXml(doc, idref) }));

    const ids = loadXsd(dir, 'ids.xsd');
    assert.equal(ids.usesIdref, false);
    const twice = await inOneTurn(ids, ['<Item><Part id="p1"/></Item>', '<Item><Part id="p1"/></Item>']);
    assert.equal(twice.calls, 1 + 2, 'together the ID is defined twice: each is then validated alone');
    for (const r of twice.results) assert.deepEqual(r, { status: 'fulfilled', value: { valid: true, errors: [] } });
    const inOne = validateXml('<Item><Part id="p1"/><Part id="p1"/></Item>', ids);
    assert.equal(inOne.valid, false, 'within one document it is an error');
  });
});
