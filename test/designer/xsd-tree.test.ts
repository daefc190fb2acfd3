// The element tree the mapping editor shows, from the XSDs in config/xsd and the dead-animal fixture; the required
// elements a mapping leaves empty; one row changed at a time with everything else kept.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readSchemaFiles } from '../../core/xml/index.ts';
import { flattenTree, formatFor, globalElements, xsdTree, XsdTreeError } from '../../core/designer/xsd-tree.ts';
import { applyRowEdit, elementAt, missingRequiredElements, unrepresentedRows, type DraftMapping } from '../../core/designer/xml-mapping-rows.ts';

const byPath = (tree: ReturnType<typeof xsdTree>) => new Map([...tree.attributes, ...flattenTree(tree.children)].map((n) => [n.path, n]));
const serviceMapping = (file: string) => (parse(readFileSync(`config/services/${file}`, 'utf8')) as { xml: { mapping: DraftMapping } }).xml.mapping;

describe('xsdTree', () => {
  test('fly-tipping: included types, required and optional, repeats, enumerations, patterns, lengths, attributes', () => {
    const files = readSchemaFiles('config/xsd', 'fly-tipping.xsd');
    assert.equal(files.length, 2, 'the XSD and the file it includes');
    const tree = xsdTree(files, 'FlyTippingReport');
    assert.deepEqual(tree.root, { name: 'FlyTippingReport', namespace: 'urn:example-council:envhealth:v1' });
    assert.equal(tree.compositor, 'sequence');
    const nodes = byPath(tree);
    const reference = nodes.get('Case/Reference')!;
    assert.equal(reference.minOccurs, 1);
    assert.equal(reference.namespace, 'urn:example-council:envhealth:v1');
    assert.equal(reference.simple!.name, 'CaseReference');
    assert.deepEqual(reference.simple!.pattern, ['[A-Z]{2,6}-[A-HJ-NP-Z2-9]{8}']);
    assert.equal(nodes.get('Case')!.typeName, 'CaseHeader');
    assert.equal(nodes.get('LocationDetails')!.minOccurs, 0);
    assert.equal(nodes.get('LocationDetails')!.simple!.maxLength, 200);
    assert.equal(nodes.get('WasteType')!.maxOccurs, 10);
    assert.deepEqual(nodes.get('Size')!.simple!.enumeration, ['SINGLE_ITEM', 'SMALL', 'CAR_BOOT', 'SMALL_VAN', 'TIPPER_LORRY']);
    assert.equal(formatFor(nodes.get('FirstSeen')!.simple), 'date');
    assert.equal(formatFor(nodes.get('Case/ReceivedAt')!.simple), 'datetime');
    assert.equal(formatFor(nodes.get('Obstruction')!.simple), 'boolean');
    assert.equal(nodes.get('Documents/Document')!.maxOccurs, null, 'unbounded');
    const kind = nodes.get('Documents/Document/@kind')!;
    assert.equal(kind.kind, 'attribute');
    assert.equal(kind.minOccurs, 1, 'use="required"');
    assert.ok(nodes.has('Reporter/Address/UPRN'), 'a named complex type used twice is expanded at each place');
  });

  test('pest-control: an xs:list type, inline enumerations; the dead-animal fixture: a root attribute', () => {
    const pests = byPath(xsdTree(readSchemaFiles('config/xsd', 'pest-control.xsd'), 'PestControlRequest'));
    assert.equal(pests.get('PreferredDays')!.simple!.builtin, 'list');
    assert.deepEqual(pests.get('PremisesType')!.simple!.enumeration, ['DOMESTIC', 'COMMERCIAL']);
    const files = readSchemaFiles('test/fixtures/xsd', 'dead-animal.xsd');
    assert.deepEqual(globalElements(files), [{ name: 'DeadAnimalReport', namespace: 'urn:example-council:streetcare:dead-animal:v1' }]);
    const tree = xsdTree(files, 'DeadAnimalReport');
    assert.deepEqual(
      tree.attributes.map((a) => [a.path, a.minOccurs]),
      [['@channel', 1]],
    );
    assert.deepEqual(byPath(tree).get('Species')!.simple!.enumeration, ['DOG', 'CAT', 'FOX', 'BADGER', 'DEER', 'BIRD', 'OTHER']);
    assert.equal(byPath(tree).get('Photo')!.maxOccurs, 5);
    assert.throws(() => xsdTree(files, 'Nope'), XsdTreeError);
  });

  test('choices, groups, extensions and recursive types', () => {
    const file = {
      targetNamespace: 'urn:t',
      elementFormQualified: true,
      prefixes: { xs: 'http://www.w3.org/2001/XMLSchema', '': 'urn:t' },
      root: node('schema', {}, [
        node('complexType', { name: 'Base' }, [node('sequence', {}, [node('element', { name: 'Id', type: 'xs:string' })])]),
        node('complexType', { name: 'Folder' }, [
          node('complexContent', {}, [
            node('extension', { base: 'Base' }, [node('sequence', {}, [node('element', { name: 'Sub', type: 'Folder', minOccurs: '0' })])]),
          ]),
        ]),
        node('group', { name: 'Contact' }, [
          node('choice', {}, [node('element', { name: 'Email', type: 'xs:string' }), node('element', { name: 'Phone', type: 'xs:string' })]),
        ]),
        node('element', { name: 'Root' }, [
          node('complexType', {}, [
            node('sequence', {}, [node('element', { name: 'Top', type: 'Folder' }), node('group', { ref: 'Contact' })]),
            node('attribute', { name: 'v', type: 'xs:int' }),
          ]),
        ]),
      ]),
    };
    const tree = xsdTree([file], 'Root');
    const nodes = byPath(tree);
    assert.ok(nodes.has('Top/Id'), 'inherited from the base type');
    assert.equal(nodes.get('Top/Sub')!.recursive, true, 'a type inside itself is not expanded again');
    assert.equal(nodes.get('Email')!.inChoice, true);
    assert.equal(nodes.get('@v')!.minOccurs, 0);
    const mapping: DraftMapping = { root: 'Root', children: [{ element: 'Top', children: [{ element: 'Id', value: { constant: 'x' } }] }] };
    assert.deepEqual(
      missingRequiredElements(tree, mapping).map((m) => [m.path, m.alternatives]),
      [['Email', ['Phone']]],
      'one entry for a choice, naming the alternatives',
    );
    mapping.children.push({ element: 'Phone', value: { answer: 'phone' } });
    assert.deepEqual(missingRequiredElements(tree, mapping), [], 'one alternative of a choice is enough');
  });
});

interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
}

function node(tag: string, attrs: Record<string, string>, children: Node[] = []): Node {
  return { tag, attrs, children };
}

const NS = 'urn:example-council:envhealth:v1';

describe('mapping rows', () => {
  const tree = xsdTree(readSchemaFiles('config/xsd', 'fly-tipping.xsd'), 'FlyTippingReport');

  test('config mappings: every element is a row of the tree; nothing required is missing', () => {
    for (const [file, xsd] of [
      ['fly-tipping.yaml', 'fly-tipping.xsd'],
      ['noise-complaint.yaml', 'noise-complaint.xsd'],
      ['pest-control.yaml', 'pest-control.xsd'],
      ['food-hygiene-complaint.yaml', 'food-hygiene-complaint.xsd'],
    ]) {
      const mapping = serviceMapping(file!);
      const t = xsdTree(readSchemaFiles('config/xsd', xsd!), mapping.root);
      assert.deepEqual(unrepresentedRows(t, mapping), [], file);
      assert.deepEqual(missingRequiredElements(t, mapping), [], file);
    }
  });

  test('an empty mapping misses every required element, and optional containers are not looked into', () => {
    const missing = missingRequiredElements(tree, { root: 'FlyTippingReport', children: [] }).map((m) => m.path);
    assert.deepEqual(missing, ['Case', 'Location', 'WasteType', 'Size', 'Obstruction', 'FirstSeen', 'Witness', 'Reporter', 'Documents']);
    const partly = missingRequiredElements(tree, {
      root: 'FlyTippingReport',
      children: [{ element: 'Case', children: [{ element: 'Reference', value: { process: 'reference' } }] }],
    });
    assert.deepEqual(
      partly.slice(0, 4).map((m) => m.path),
      ['Case/ProcessId', 'Case/Channel', 'Case/ReceivedAt', 'Case/FormVersion'],
    );
  });

  test('a row edit makes the element where the XSD puts it and keeps everything else, an unchanged edit changes nothing', () => {
    const mapping = serviceMapping('fly-tipping.yaml');
    const same = applyRowEdit(mapping, tree, 'Size', { value: { ...elementAt(mapping, 'Size')!.value! }, each: null, required: false });
    assert.deepEqual(same, mapping);
    const withConstant = applyRowEdit(mapping, tree, 'Case/Channel', { value: { constant: 'Phone' }, each: null, required: false });
    assert.deepEqual(elementAt(withConstant, 'Case/Channel')!.value, { constant: 'Phone' });
    assert.deepEqual(mapping, serviceMapping('fly-tipping.yaml'), 'the original is not changed');

    const built = applyRowEdit({ root: 'FlyTippingReport', namespace: NS, children: [{ element: 'Reporter', children: [] }] }, tree, 'Case/Reference', {
      value: { process: 'reference' },
    });
    const later = applyRowEdit(built, tree, 'Location/Postcode', { value: { answer: 'location.postcode' } });
    assert.deepEqual(
      later.children.map((c) => c.element),
      ['Case', 'Location', 'Reporter'],
    );
    const attribute = applyRowEdit(later, tree, 'Documents/Document/@kind', { value: { item: 'kind' } });
    assert.deepEqual(elementAt(attribute, 'Documents/Document')!.attributes, { kind: { item: 'kind' } });
    const removed = applyRowEdit(attribute, tree, 'Location/Postcode', { value: null, each: null, required: false });
    assert.equal(elementAt(removed, 'Location/Postcode')!.value, undefined);
    // An element of another namespace than the mapping's gets a prefix declared for it.
    const other = applyRowEdit({ root: 'FlyTippingReport', children: [] }, tree, 'Size', { value: { constant: 'SMALL' } });
    assert.deepEqual(other.namespaces, { ns1: NS });
    assert.equal(other.children[0]!.element, 'ns1:Size');
  });

  test('a mapping element the XSD does not have is shown apart and kept through edits', () => {
    const mapping: DraftMapping = {
      root: 'FlyTippingReport',
      namespace: NS,
      children: [
        { element: 'Legacy', value: { constant: 'x' } },
        { element: 'Size', value: { constant: 'SMALL' } },
      ],
    };
    assert.deepEqual(
      unrepresentedRows(tree, mapping).map((r) => r.path),
      ['Legacy'],
    );
    const next = applyRowEdit(mapping, tree, 'Case/Reference', { value: { process: 'reference' } });
    assert.deepEqual(next.children[0], { element: 'Legacy', value: { constant: 'x' } });
    assert.deepEqual(
      next.children.map((c) => c.element),
      ['Legacy', 'Case', 'Size'],
    );
  });
});

describe('requiredElementsNotMapped', () => {
  test('from a definition alone, with links to the rows', async () => {
    const { requiredElementsNotMapped } = await import('../../core/designer/xml-mapping-gaps.ts');
    const def = parse(readFileSync('config/services/fly-tipping.yaml', 'utf8')) as Parameters<typeof requiredElementsNotMapped>[1];
    assert.deepEqual(requiredElementsNotMapped('config/xsd', def), []);
    const gaps = requiredElementsNotMapped('config/xsd', { ...def, xml: { xsd: 'fly-tipping.xsd', mapping: { root: 'FlyTippingReport', children: [] } } });
    assert.equal(gaps[0]!.path, 'Case');
    assert.equal(gaps[0]!.href, '/staff/services/fly-tipping/xml/row?path=Case');
    assert.deepEqual(requiredElementsNotMapped('config/xsd', { ...def, xml: undefined }), []);
  });
});
