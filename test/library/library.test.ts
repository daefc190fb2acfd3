// The service library: every definition in config/services/, filled with sample answers and sent through the real API
// (JSON, and multipart with real files for its file questions), reaches the sandbox back office as XML its own XSD
// accepts. Beside it, every option of every question goes through the service's mapping and XSD (a lookup table
// missing a code, or an XSD missing an enumeration, fails here rather than in a citizen's delivery).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadServiceFiles, type Field } from '../../core/services/index.ts';
import { compileMapping, loadXsd, parseXmlSafely, renderXml, selectAll, selectText, validateXml } from '../../core/xml/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { EXAMPLE_CONFIG } from '../helpers/example-backoffices.ts';
import { answersFor, mostOptions, sampleInput } from './variants.ts';

const SERVICES_DIR = 'config/services';
const XSD_DIR = resolve('config/xsd');
const NAMESPACE = { eh: 'urn:example-council:envhealth:v1' };

const { services, problems } = loadServiceFiles(SERVICES_DIR, { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: XSD_DIR });
const definitions = services.map((s) => s.definition);

/** Real bytes of a type the file question accepts (PNG or PDF), or null when it takes neither. */
function sampleFile(field: Extract<Field, { type: 'file' }>): { bytes: Buffer; type: string; name: string } | null {
  if (field.accept.includes('image/png')) return { bytes: pngBytes(), type: 'image/png', name: 'photo.png' };
  if (field.accept.includes('application/pdf')) return { bytes: pdfBytes(), type: 'application/pdf', name: 'evidence.pdf' };
  return null;
}

describe('the service library', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ worker: { sweepAfterMs: 300, sweepIntervalMs: 300 } });
  });
  after(() => t.close());

  test('config/services loads without problems and holds the library', () => {
    assert.deepEqual(problems, []);
    const files = readdirSync(SERVICES_DIR).filter((f) => f.endsWith('.yaml'));
    assert.equal(definitions.length, files.length, 'every file is a service');
    assert.ok(definitions.length >= 12, `the four examples and the library's services (found ${definitions.length})`);
    const prefixes = definitions.map((d) => d.referencePrefix);
    assert.equal(new Set(prefixes).size, prefixes.length, 'reference prefixes are unique');
    for (const def of definitions) {
      assert.ok(t.hub.catalogue.has(def.id), `${def.id} is published`);
      assert.deepEqual(def.bindings, ['sandbox'], `${def.id} goes to the sandbox`);
      assert.ok(def.xml, `${def.id} has an XML mapping`);
    }
  });

  test('no text is cut short by YAML: nothing in a definition is empty', () => {
    // `{ label: Fridges, freezers or white goods }` is YAML for the label "Fridges" and an empty key "freezers or white
    // goods", which the schema drops without a word: quote text with commas inside { }.
    const empty: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null) empty.push(path);
      else if (typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    for (const file of readdirSync(SERVICES_DIR).filter((f) => f.endsWith('.yaml'))) walk(parse(readFileSync(join(SERVICES_DIR, file), 'utf8')), file);
    walk(parse(readFileSync(EXAMPLE_CONFIG, 'utf8')), EXAMPLE_CONFIG);
    assert.deepEqual(empty, []);
  });

  test('every option of every question maps to XML its XSD accepts', () => {
    for (const def of definitions) {
      const mapping = compileMapping(def.xml!.mapping);
      for (let variant = 0; variant < mostOptions(def); variant++) {
        const result = renderXml(mapping, XSD_DIR, def.xml!.xsd, sampleInput(def, variant));
        assert.deepEqual(result.errors, [], `${def.id}, variant ${variant}:\n${result.xml}`);
      }
    }
  });

  test('an empty submission names every required question as the GOV.UK Design System does ("Enter…", "Select…")', async () => {
    for (const def of definitions) {
      const res = await fetch(`${t.url}/api/v1/services/${def.id}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: {} }),
      });
      assert.equal(res.status, 422, def.id);
      const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
      const required = def.fields.filter((f) => f.required && !f.showIf).map((f) => f.id);
      assert.deepEqual(
        errors.map((e) => e.field),
        required,
        `${def.id}: one message per required question`,
      );
      for (const { field, message } of errors) {
        assert.match(message, /^(Enter|Select|Describe|Tell us|Add at least) /, `${def.id}.${field}: "${message}"`);
        assert.doesNotMatch(message, /an answer to ‘/, `${def.id}.${field}: give the question an errorName`);
      }
    }
  });

  for (const def of definitions) {
    test(`${def.id}: JSON and multipart submissions reach the sandbox as XML valid against ${def.xml?.xsd}`, async () => {
      const xsd = loadXsd(XSD_DIR, def.xml!.xsd);
      const asJson = await fetch(`${t.url}/api/v1/services/${def.id}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: answersFor(def, 0) }),
      });
      assert.equal(asJson.status, 201, await asJson.clone().text());

      const form = new FormData();
      form.append('answers', JSON.stringify(answersFor(def, mostOptions(def) - 1)));
      let files = 0;
      for (const field of def.fields) {
        const file = field.type === 'file' ? sampleFile(field) : null;
        if (!file) continue;
        form.append(field.id, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
        files++;
      }
      const asMultipart = await fetch(`${t.url}/api/v1/services/${def.id}/submissions`, { method: 'POST', body: form });
      assert.equal(asMultipart.status, 201, await asMultipart.clone().text());

      for (const [res, evidence] of [
        [asJson, 0],
        [asMultipart, files],
      ] as const) {
        const { processId, reference } = (await res.json()) as { processId: string; reference: string };
        assert.match(reference, new RegExp(`^${def.referencePrefix}-`));
        const status = await deliveryOutcome(t, processId);
        assert.equal(status.status, 'delivered', `${def.id} ${reference}: ${status.last_error ?? ''}`);
        const received = await t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]);
        assert.ok(received, `${reference} is in the sandbox's inbox`);
        const checked = validateXml(received.body, xsd);
        assert.deepEqual(checked.errors, [], `${def.id}: the sandbox's XML is valid against ${def.xml!.xsd}`);
        const doc = parseXmlSafely(Buffer.from(received.body));
        assert.equal(selectText(doc, '/*/eh:Case/eh:Reference', NAMESPACE), reference, 'the XML carries the case reference');
        const mapping = def.xml!.mapping as { root: string };
        assert.equal(doc.root()?.name(), mapping.root);
        assert.equal(selectAll(doc, '//eh:Document[@kind="evidence"]', NAMESPACE).length, evidence, 'each uploaded file is listed');
      }
    });
  }
});

async function deliveryOutcome(t: TestHub, processId: string): Promise<{ status: string; last_error: string | null }> {
  const end = Date.now() + 30_000;
  for (;;) {
    const row = await t.hub.db.row<{ status: string; last_error: string | null }>('select status, last_error from deliveries where process_id = $1', [
      processId,
    ]);
    if (row && (row.status === 'delivered' || row.status === 'dead' || Date.now() > end)) return row;
    if (!row && Date.now() > end) return { status: 'missing', last_error: 'no delivery row' };
    await new Promise((r) => setTimeout(r, 100));
  }
}
