// `closeloop check-config` on a copy of the example config with a bad task target and a council day off that is not a
// date: each is a problem naming the file and the field, and the exit code is 1.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkConfig } from '../../core/check-config.ts';

let dir: string;

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  assert.ok(text.includes(from), `${file} has the text this test changes`);
  await writeFile(file, text.replace(from, to));
}

async function check(): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const code = await checkConfig(join(dir, 'closeloop.yaml'), out);
  return { code, text };
}

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('targets/check-config', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-targets-'));
    await cp('config', dir, { recursive: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the example config with its targets passes', async () => {
    const { code, text } = await check();
    assert.equal(code, 0, text);
  });

  test("a council's bank holidays that are no region and a day off that does not exist are refused", async () => {
    const file = join(dir, 'closeloop.yaml');
    const original = await readFile(file, 'utf8');
    await edit(file, '  name: Example District Council\n', "  name: Example District Council\n  bankHolidays: wales\n  extraHolidays: ['2026-02-30']\n");
    const { code, text } = await check();
    await writeFile(file, original);
    assert.equal(code, 1, text);
    assert.match(text, /closeloop\.yaml:8: council\.bankHolidays: must be england-and-wales, scotland or northern-ireland/);
    assert.match(text, /closeloop\.yaml:9: council\.extraHolidays\.0: must be a date written YYYY-MM-DD/);
  });

  test('a target of 0 working days, counted from an unknown point, or of half a day with an unknown setting is refused', async () => {
    const service = join(dir, 'services', 'noise-complaint.yaml');
    await edit(service, 'target: { workingDays: 5, from: submission }', 'target: { workingDays: 0, from: tomorrow }');
    await edit(service, 'target: { workingDays: 10, from: taskStart }', 'target: { workingDays: 2.5, within: 3 }');
    const { code, text } = await check();
    assert.equal(code, 1, text);
    assert.match(text, /noise-complaint\.yaml[^\n]*tasks\.0\.target\.workingDays[^\n]*must be at least 1 working day/);
    assert.match(text, /noise-complaint\.yaml[^\n]*tasks\.0\.target\.from[^\n]*must be submission or taskStart/);
    assert.match(text, /noise-complaint\.yaml[^\n]*tasks\.2\.target\.workingDays[^\n]*must be a whole number of working days/);
    assert.match(text, /noise-complaint\.yaml[^\n]*tasks\.2\.target[^\n]*within/);
  });
});
