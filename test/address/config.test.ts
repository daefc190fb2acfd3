// A council's address settings checked like a binding's: `closeloop check-config` names the file, line and field of an
// unknown provider, a provider setting its schema refuses, a missing seed file and a limit out of range; a running hub's
// finder refuses a broken council the same way, and a seed file with a bad row names the file and line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { checkConfig } from '../../core/check-config.ts';
import { ConfigError } from '../../core/config/index.ts';
import { addressFinder } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const SEED_BLOCK = '  address:\n    provider: gazetteer\n    config:\n      seed: gazetteer/example.csv\n';

describe('check-config and address settings', () => {
  let dir: string;
  let original: string;
  const file = () => join(dir, 'closeloop.yaml');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-address-config-'));
    await cp('config', dir, { recursive: true });
    original = await readFile(file(), 'utf8');
    assert.ok(original.includes(SEED_BLOCK), 'the example council names its seed gazetteer');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function checkWith(block: string): Promise<{ code: number; text: string; line: number }> {
    await writeFile(file(), original.replace(SEED_BLOCK, block));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const code = await checkConfig(file(), out);
    await writeFile(file(), original);
    const line = original.split('\n').indexOf('  address:') + 1;
    return { code, text, line };
  }

  test('the example passes', async () => {
    const { code, text } = await checkWith(SEED_BLOCK);
    assert.equal(code, 0, text);
  });

  test('an unknown provider names the line and field', async () => {
    const { code, text, line } = await checkWith('  address:\n    provider: atlantis\n');
    assert.equal(code, 1, text);
    assert.match(
      text,
      new RegExp(
        `closeloop\\.yaml:${line + 1}: council\\.address\\.provider: plugin "atlantis": no address provider of this name \\(known: gazetteer, os-places`,
      ),
    );
  });

  test("a setting the provider's schema refuses, and a seed file that is not there", async () => {
    let { code, text, line } = await checkWith('  address:\n    config:\n      seed: gazetteer/example.csv\n      sead: x\n');
    assert.equal(code, 1, text);
    // The line of the config map's first setting.
    assert.match(text, new RegExp(`closeloop\\.yaml:${line + 2}: council\\.address\\.config: Unrecognized key: "sead"`));
    ({ code, text, line } = await checkWith('  address:\n    config:\n      seed: gazetteer/missing.csv\n'));
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`closeloop\\.yaml:${line + 2}: council\\.address\\.config\\.seed: no such file: .*gazetteer/missing\\.csv`));
    ({ code, text } = await checkWith('  address:\n    config:\n      seed: gazetteer/example.txt\n'));
    assert.equal(code, 1, text);
    assert.match(text, /council\.address\.config\.seed: must be a \.csv file/);
  });

  test("a provider's setting may come from the environment, like a binding's (an API key)", async () => {
    delete process.env.CLOSELOOP_TEST_GAZETTEER_SEED;
    const unset = await checkWith('  address:\n    config:\n      seed: { env: CLOSELOOP_TEST_GAZETTEER_SEED }\n');
    assert.equal(unset.code, 1, unset.text);
    assert.match(
      unset.text,
      new RegExp(`closeloop\\.yaml:${unset.line + 2}: council\\.address\\.config\\.seed: environment variable CLOSELOOP_TEST_GAZETTEER_SEED is not set`),
    );
    process.env.CLOSELOOP_TEST_GAZETTEER_SEED = 'gazetteer/example.csv';
    try {
      const set = await checkWith('  address:\n    config:\n      seed: { env: CLOSELOOP_TEST_GAZETTEER_SEED }\n');
      assert.equal(set.code, 0, set.text);
    } finally {
      delete process.env.CLOSELOOP_TEST_GAZETTEER_SEED;
    }
  });

  test('limits out of range and unknown settings are refused by the main schema', async () => {
    const { code, text, line } = await checkWith('  address:\n    maxResults: 0\n    timeoutMs: 10\n    colour: red\n');
    assert.equal(code, 1, text);
    assert.match(text, new RegExp(`closeloop\\.yaml:${line + 1}: council\\.address\\.maxResults: `));
    assert.match(text, new RegExp(`closeloop\\.yaml:${line + 2}: council\\.address\\.timeoutMs: `));
    assert.match(text, /council\.address: Unrecognized key: "colour"/);
  });
});

describe('a running hub', () => {
  let t: TestHub;
  let work: string;
  before(async () => {
    t = await startTestHub();
    work = await mkdtemp(join(tmpdir(), 'closeloop-address-seed-'));
  });
  after(async () => {
    await t?.close();
    await rm(work, { recursive: true, force: true });
  });

  test("/schemas/closeloop.json checks a council's address.config by its provider's schema (the gazetteer's by default)", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile((await (await fetch(`${t.url}/schemas/closeloop.json`)).json()) as object);
    const config = parse(await readFile('config/closeloop.yaml', 'utf8')) as { council: { address: Record<string, unknown> } };
    assert.equal(validate(config), true, JSON.stringify(validate.errors));
    config.council.address = { config: { sead: 'x.csv' } };
    assert.equal(validate(config), false);
    assert.ok(
      validate.errors!.some((e) => e.instancePath === '/council/address/config' && /additional/.test(e.message ?? '')),
      JSON.stringify(validate.errors),
    );
    config.council.address = { provider: 'someone-elses', config: { sead: 'x.csv' } };
    assert.equal(validate(config), true, 'another provider’s settings are its own schema’s business');
  });

  test('a council added with a broken provider setting gets a ConfigError naming the field when its finder is asked for', async () => {
    t.config.councils.broken = {
      name: 'Broken Borough Council',
      address: { provider: 'gazetteer', config: { seed: 42 }, maxResults: 10, timeoutMs: 1000, nearestMetres: 100 },
    };
    await assert.rejects(addressFinder(t.hub, 'broken'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems[0]!.path, 'councils.broken.address.config.seed');
      return true;
    });
  });

  test('a seed file with a bad row names the file and line, and nothing of it is imported', async () => {
    const seed = join(work, 'bad.csv');
    await writeFile(seed, 'uprn,address_line_1,postcode,easting,northing\n1,1 Good Road,AA1 1AB,452000,304000\n2,2 Bad Road,NOT A POSTCODE,452000,304000\n');
    t.config.councils.badseed = {
      name: 'Bad Seed Council',
      address: { provider: 'gazetteer', config: { seed }, maxResults: 10, timeoutMs: 1000, nearestMetres: 100 },
    };
    await assert.rejects(addressFinder(t.hub, 'badseed'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual({ file: err.problems[0]!.file, line: err.problems[0]!.line }, { file: seed, line: 3 });
      assert.match(err.problems[0]!.message, /1 bad rows; first: "NOT A POSTCODE" is not a UK postcode/);
      return true;
    });
    assert.deepEqual(await t.hub.db.rows(`select * from gazetteer_imports where council = 'badseed'`), []);
    assert.deepEqual(await t.hub.db.rows(`select * from gazetteer_current where council = 'badseed'`), []);
  });
});
