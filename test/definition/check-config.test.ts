// `closeloop check-config` on a copy of the example config with a service using every newer part of the definition
// language (test/fixtures/definition/blocked-drain.yaml): it passes as written; each mistake in a content or exit page,
// a goTo, money, a list, a category or the XML mapping of a list is a problem naming the file, the line and the field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkConfig } from '../../core/check-config.ts';

let dir: string;
let service: string;
let original: string;

async function check(): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const code = await checkConfig(join(dir, 'closeloop.yaml'), out);
  return { code, text };
}

/** Checks the service file with one piece of its text replaced; answers the output and the line `lineText` (by default
 * the new text) is on in the changed file. */
async function checkWith(from: string, to: string, lineText = to): Promise<{ code: number; text: string; line: number }> {
  assert.ok(original.includes(from), `the fixture has "${from}"`);
  const changed = original.replace(from, to);
  await writeFile(service, changed);
  const line = changed.slice(0, changed.indexOf(lineText)).split('\n').length;
  return { ...(await check()), line };
}

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('definition/check-config', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-definition-'));
    await cp('config', dir, { recursive: true });
    service = join(dir, 'services', 'blocked-drain.yaml');
    original = await readFile('test/fixtures/definition/blocked-drain.yaml', 'utf8');
    await copyFile('test/fixtures/xsd/drain-fixture.xsd', join(dir, 'xsd', 'drain-fixture.xsd'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('check-config and the definition language', () => {
    test('the service with every newer part passes: its sample list item and money reach valid XML', async () => {
      await writeFile(service, original);
      const { code, text } = await check();
      assert.equal(code, 0, text);
    });

    // [what is wrong, text replaced, its replacement, the problem, the text on the line the problem names (default: the replacement)]
    const cases: [string, string, string, RegExp, string?][] = [
      [
        'a mapping reading a content page',
        '{ element: ReporterName, value: { answer: fullName } }',
        '{ element: ReporterName, value: { answer: safety } }',
        /xml\.mapping\.children\.4\.value\.answer: "safety" is a content page: it asks nothing, so it has no answer/,
      ],
      [
        'a mapping reading an exit page',
        '{ element: ReporterName, value: { answer: fullName } }',
        '{ element: ReporterName, value: { answer: waterCompany } }',
        /xml\.mapping\.children\.4\.value\.answer: "waterCompany" is an exit page: it asks nothing, so it has no answer/,
      ],
      [
        'an item that is not a question of the list',
        '{ element: Age, value: { item: age, format: integer } }',
        '{ element: Age, value: { item: shoeSize } }',
        /xml\.mapping\.children\.3\.children\.1\.value\.item: "shoeSize" is not a question of the list "people" \(its questions: name, age, paid\)/,
      ],
      [
        'a list read as one value',
        '{ element: ReporterName, value: { answer: fullName } }',
        '{ element: ReporterName, value: { answer: people } }',
        /xml\.mapping\.children\.4\.value\.answer: "people" is an "add another" list: repeat an element for each item/,
      ],
      [
        'a list item’s text where the XSD wants a number',
        '{ element: Age, value: { item: age, format: integer } }',
        '{ element: Age, value: { item: name } }',
        /xml\.mapping: sample XML fails drain-fixture\.xsd at line \d+ <Age>: .*'Sample text' is not a valid value/,
        '    root: DrainReport',
      ],
      [
        'money written as a whole number where the XSD wants pence',
        '{ element: ContractorFee, value: { answer: fee } }',
        '{ element: ContractorFee, value: { answer: fee, format: integer } }',
        /xml\.mapping: sample XML fails drain-fixture\.xsd at line \d+ <ContractorFee>: .*'1' is not accepted by the pattern/,
        '    root: DrainReport',
      ],
      [
        'a goTo to a page that does not exist',
        'goTo: waterCompany }',
        'goTo: sewer }',
        /fields\.0\.options\.1\.goTo: "sewer" is not a page of this service \(use a page id, or check-answers\)/,
      ],
      [
        'a goTo back to an earlier page',
        'goTo: people }',
        'goTo: where }',
        /fields\.0\.options\.2\.goTo: "where" does not come after this question's page: goTo only leads forward/,
      ],
      [
        'a content page that is required',
        '    warning: If sewage',
        '    required: true\n    warning: If sewage',
        /fields\.1\.required: a page that asks nothing cannot be required/,
      ],
      ['a content page without a body', '    body: |\n      Keep children', '    bodyText: |\n      Keep children', /fields\.1\.body: /, '- id: safety'],
      [
        'an exit page sharing its page',
        '    label: Contact your water company',
        '    page: where\n    label: Contact your water company',
        /fields\.4\.page: an exit page must be alone on its page: "where" has other questions/,
      ],
      ['money whose least is more than its most', '    max: 5000', '    max: 0.5', /fields\.2\.max: max must not be less than min/],
      ['a list of too many items', '    maxItems: 5', '    maxItems: 60', /fields\.3\.maxItems: /],
      [
        'a list question that cannot be in a list',
        '{ id: paid, type: money, label: Amount they paid, required: false }',
        '{ id: paid, type: file, label: Photo, accept: [image/jpeg] }',
        /fields\.3\.fields\.2\.type: /,
      ],
      ['a declaration without its checkbox label', '    confirm: I confirm', '    confirmation: I confirm', /fields\.6\.confirm: /, '- id: agree'],
      ['an unknown category', 'category: waste-and-streets', 'category: parking', /category: must be one of noise-and-nuisance/],
    ];
    for (const [name, from, to, message, lineText] of cases) {
      test(`${name}: file, line and field`, async () => {
        const { code, text, line } = await checkWith(from, to, lineText);
        assert.equal(code, 1, text);
        const problem = text.split('\n').find((l) => message.test(l));
        assert.ok(problem, `${name}: ${text}`);
        assert.match(problem, new RegExp(`blocked-drain\\.yaml:${line}: `), `the problem names the file and line ${line}`);
      });
    }
  });
});
