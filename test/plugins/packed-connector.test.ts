// A connector written outside this repository installs like any npm package. The sample in
// test/fixtures/third-party-connector (plain JavaScript, @closeloop/sdk and zod as peer dependencies) is packed to a
// tarball, @closeloop/sdk is packed too (as a registry would serve it) and zod from the hub's own copy, all three are
// installed with `npm install --offline` into a temporary council folder (nothing is fetched), the council's
// closeloop.yaml names the package under plugins: (one line), and a real hub delivers through it. Its errors come from
// its own copy of the SDK, not the hub's: a PermanentError still dead-letters the delivery at once and a RetryableError
// is retried, because the hub recognises them by brand, not by class.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isPermanentError, PermanentError } from '@closeloop/sdk';
import { PROJECT_ROOT } from '../../core/plugins/index.ts';
import { startFakeCaseApi, type FakeCaseApi } from '../../connectors/template/fake-case-api.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const run = promisify(execFile);
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures');
const token = randomBytes(24).toString('base64url');

/** Runs npm (the one on PATH, as a council's operator would) and returns its output. */
async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, timeout: 180_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return stdout;
}

describe('a third-party connector packed, installed offline and named in closeloop.yaml', () => {
  let council: string;
  let api: FakeCaseApi;
  let t: TestHub;

  before(async () => {
    council = await mkdtemp(join(tmpdir(), 'closeloop-council-'));
    // The SDK as published (its prepack builds dist/), the sample connector, and zod (a peer of both) from the hub's copy.
    await npm(['pack', '--workspace', '@closeloop/sdk', '--pack-destination', council, '--silent'], PROJECT_ROOT);
    await npm(['pack', join(FIXTURES, 'third-party-connector'), '--pack-destination', council, '--silent'], PROJECT_ROOT);
    await npm(['pack', join(PROJECT_ROOT, 'node_modules/zod'), '--ignore-scripts', '--pack-destination', council, '--silent'], PROJECT_ROOT);
    const tarballs = (await readdir(council)).filter((f) => f.endsWith('.tgz')).sort();
    assert.deepEqual(
      tarballs.map((f) => f.replace(/-\d[\w.-]*\.tgz$/, '')),
      ['closeloop-connector-casebook', 'closeloop-sdk', 'zod'],
    );
    await writeFile(join(council, 'package.json'), JSON.stringify({ name: 'council', private: true }));
    await npm(['install', '--offline', '--no-audit', '--no-fund', ...tarballs.map((f) => `./${f}`)], council);

    await mkdir(join(council, 'services'));
    await copyFile(join(FIXTURES, 'config/services/pests.yaml'), join(council, 'services/pests.yaml'));
    await writeFile(
      join(council, 'closeloop.yaml'),
      [
        'council:',
        '  name: Packed Connector Borough Council',
        'server:',
        '  port: 0',
        '  publicBaseUrl: http://127.0.0.1:1',
        'database:',
        '  url: postgres://postgres@127.0.0.1:5432/unused',
        'redis:',
        '  url: redis://127.0.0.1:6379',
        'servicesDir: services',
        `xsdDir: ${JSON.stringify(join(FIXTURES, 'config/xsd'))}`,
        'plugins:',
        '  - closeloop-connector-casebook',
        'bindings:',
        '  casework:',
        '    connector: casebook',
        '    retry: { attempts: 4, scheduleSeconds: [0.2] }',
        '    config:',
        '      baseUrl: { env: TEST_CASE_API_URL }',
        '      token: { env: TEST_CASE_API_TOKEN }',
        '',
      ].join('\n'),
    );
    api = await startFakeCaseApi(token);
    t = await startTestHub({ configFile: join(council, 'closeloop.yaml'), env: { TEST_CASE_API_URL: api.url, TEST_CASE_API_TOKEN: token }, worker: true });
  });

  after(async () => {
    await t?.close();
    await api?.close();
    if (council) await rm(council, { recursive: true, force: true });
  });

  async function submit(pest: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/services/pests/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { pest } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { processId: string }).processId;
  }

  async function delivery(processId: string, status: string) {
    for (let i = 0; i < 300; i++) {
      const rows = await t.hub.db.rows(
        `select d.status, d.external_ref, d.last_error, (select count(*)::int from delivery_attempts a where a.delivery_id = d.id) as attempts
         from deliveries d where d.process_id = $1`,
        [processId],
      );
      const d = (rows as { status: string; external_ref: string; last_error: string; attempts: number }[])[0]!;
      if (d.status === status) return d;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`delivery never became ${status}`);
  }

  test('the hub loaded the package from the council folder, and the package uses the SDK copy installed with it', async () => {
    const installed = await import(pathToFileURL(join(council, 'node_modules/closeloop-connector-casebook/index.js')).href);
    assert.equal(await t.hub.registry.connector('casebook'), installed.connector, 'the connector the hub runs is the installed package');
    assert.ok(String(installed.sdkUrl).startsWith(pathToFileURL(join(council, 'node_modules/@closeloop/sdk/')).href), String(installed.sdkUrl));
    const copy = await import(installed.sdkUrl);
    assert.notEqual(copy.PermanentError, PermanentError, "its PermanentError is not the hub's class");
    assert.ok(isPermanentError(new copy.PermanentError('x')), "the hub's isPermanentError recognises it by brand");
  });

  test('delivers a real submission through it', async () => {
    const processId = await submit('rats');
    const d = await delivery(processId, 'delivered');
    assert.match(d.external_ref, /^CASE-\d+$/);
    const sent = [...api.cases.values()].find((c) => c.id === d.external_ref)!;
    assert.match(String(sent.body.payloadXml), /<Pest>RATS<\/Pest>/);
    assert.equal(d.attempts, 1);
  });

  test('a PermanentError thrown by its own SDK copy dead-letters the delivery at once; a RetryableError is retried', async () => {
    api.script([422]);
    const refused = await submit('wasps');
    const dead = await delivery(refused, 'dead');
    assert.equal(dead.attempts, 1, 'no retry for a permanent failure (4 attempts were allowed)');
    assert.match(dead.last_error, /^PermanentError: casebook answered 422/);

    api.script([503]);
    const retried = await submit('rats');
    const delivered = await delivery(retried, 'delivered');
    assert.equal(delivered.attempts, 2, 'the 503 was retried');
    const attempts = await t.hub.db.rows(
      'select a.outcome, a.error from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.process_id = $1 order by a.number',
      [retried],
    );
    assert.deepEqual(
      (attempts as { outcome: string; error: string | null }[]).map((a) => [a.outcome, a.error?.replace(/ \(.*$/, '') ?? null]),
      [
        ['retry', 'RetryableError: casebook answered 503'],
        ['delivered', null],
      ],
    );
  });
});
