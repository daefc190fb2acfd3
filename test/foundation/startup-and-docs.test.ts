// Issue 2 acceptance: the README's start command brings the hub up with the example council; Swagger UI lists every
// route offline; check-config names the file and field of a broken service; keys are created by the CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/hub.ts';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleAnswers } from '../../core/services/sample-answers.ts';
import type { ServiceDefinition } from '../../core/services/index.ts';

const run = promisify(execFile);
/** The compiled CLI, as an operator runs it (`closeloop …`); `npm start` in before() has built dist/. */
const CLI = ['dist/core/cli.js'];

describe('start, docs and CLI', () => {
  let db: TestDatabase;
  let hub: ChildProcess;
  let base: string;
  let browser: Browser;
  let env: NodeJS.ProcessEnv;
  let docs: string;

  before(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    docs = await mkdtemp(join(tmpdir(), 'closeloop-start-'));
    base = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DOCUMENTS_PATH: docs,
      REDIS_PREFIX: `cltest-start-${port}`,
      LOG_LEVEL: 'warn',
    };
    // The README's command itself: `npm start` builds dist/ (prestart) and runs the compiled hub.
    hub = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const started = Date.now();
    for (;;) {
      const ok = await fetch(`${base}/healthz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() - started > 180_000) throw new Error('the hub did not build and answer /healthz within 180 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (hub && hub.exitCode === null) {
      const exited = new Promise((r) => hub.once('exit', r));
      hub.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    await rm(docs, { recursive: true, force: true });
  });

  test('the example council is served and /openapi.json documents every route', async () => {
    const services = (await (await fetch(`${base}/api/v1/services`)).json()) as { services: { id: string }[] };
    const files = (await readdir('config/services')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
    assert.deepEqual(services.services.map((s) => s.id).sort(), files.sort(), 'every service in config/services');
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.equal(spec.openapi, '3.1.0');
    for (const path of [
      '/api/v1/services',
      '/api/v1/services/{serviceId}/submissions',
      '/api/v1/track/{token}',
      '/api/v1/processes',
      '/api/v1/processes/{id}',
      '/api/v1/processes/{id}/documents',
      '/api/v1/processes/{id}/documents/{documentId}',
      '/api/v1/processes/{id}/notes',
      '/api/v1/processes/{id}/tasks',
      '/api/v1/processes/{id}/tasks/{taskKey}',
      '/api/v1/processes/{id}/timeline',
      '/api/v1/processes/{id}/messages',
      '/api/v1/admin/deliveries',
      '/api/v1/admin/alerts',
      '/api/v1/admin/updates/{id}/replay',
      '/api/v1/admin/subscriptions',
      '/api/v1/admin/subscriptions/{id}',
      '/api/v1/admin/subscriptions/{id}/deliveries',
      '/api/v1/admin/subscriptions/{id}/deliveries/{deliveryId}/replay',
    ]) {
      assert.ok(spec.paths[path], `${path} is documented`);
    }
    assert.ok(spec.components.securitySchemes.bearerAuth);
  });

  test('a submission reaches the sandbox back office through the compiled built-in connector', async () => {
    const { definition } = (await (await fetch(`${base}/api/v1/services/noise-complaint`)).json()) as { definition: ServiceDefinition };
    const res = await fetch(`${base}/api/v1/services/noise-complaint/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: sampleAnswers(definition) }),
    });
    assert.equal(res.status, 201);
    const { reference, processId } = (await res.json()) as { reference: string; processId: string };
    // The sandbox connector is imported from dist/ by the registry and delivers to /sandbox/inbox; the sandbox answers
    // with its reference (SBX-…), which the process keeps. (Its page is behind staff sign-in: test/loop/sandbox.test.ts.)
    const { stdout } = await run(process.execPath, [...CLI, 'keys', 'create', '--name', 'Sandbox check', '--services', 'noise-complaint'], { env });
    const key = /clk_[A-Za-z0-9_-]{43}/.exec(stdout)![0];
    await waitFor(
      async () => {
        const r = await fetch(`${base}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } });
        return r.status === 200 && /^SBX-\d+$/.test(((await r.json()) as { externalRef: string | null }).externalRef ?? '');
      },
      `${reference} received by the sandbox`,
      30_000,
    );
    const page = await fetch(`${base}/sandbox`, { redirect: 'manual' });
    assert.equal(page.headers.get('location'), '/staff/connectors/sandbox/', 'the sandbox page is behind staff sign-in');
  });

  test('Swagger UI renders every operation with all outside requests blocked, and Authorize takes a bearer key', async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    assert.deepEqual(
      html.match(/\b(?:href|src)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/gi),
      null,
      'the page refers to no outside host (swagger-ui hard-codes Google Fonts)',
    );
    assert.ok(!/googleapis|gstatic/.test(html));
    assert.match(html, /"persistAuthorization":false/, 'the key is not kept in localStorage');
    const guarded = await newPage(browser);
    try {
      await guarded.page.goto(`${base}/docs`);
      await guarded.page.waitForSelector('.opblock', { timeout: 30_000 });
      const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const expected = Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      assert.equal(await guarded.page.locator('.opblock').count(), expected, 'every operation is listed');
      assert.ok(await guarded.page.getByText('/api/v1/services/{serviceId}/submissions').first().isVisible());
      await guarded.page.click('button.authorize');
      await guarded.page.waitForSelector('input[type=text], input[type=password]');
      assert.ok(await guarded.page.locator('.modal-ux').getByText('bearerAuth').first().isVisible());
      const key = `clk_${'k'.repeat(43)}`;
      await guarded.page.locator('.modal-ux input').first().fill(key);
      await guarded.page.locator('.modal-ux button.authorize').first().click();
      await guarded.page.locator('.modal-ux').getByRole('button', { name: 'Remove authorization' }).waitFor();
      const stored = await guarded.page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
      assert.ok(!stored.includes(key), `the API key is not stored in the browser: ${stored}`);
      await guarded.page.reload();
      await guarded.page.waitForSelector('.opblock', { timeout: 30_000 });
      await guarded.page.click('button.authorize');
      await guarded.page.locator('.modal-ux input#auth-bearer-value').waitFor();
      assert.equal(await guarded.page.locator('.modal-ux').getByText('Authorized', { exact: true }).count(), 0, 'after a reload the key is gone');
      assert.deepEqual(guarded.blocked, [], 'nothing is requested from outside');
      assert.deepEqual(guarded.consoleErrors, [], 'no console error (no CSP violation either)');
    } finally {
      await guarded.close();
    }
  });

  test('closeloop keys create prints a key once and stores only its hash', async () => {
    const { stdout } = await run(process.execPath, [...CLI, 'keys', 'create', '--name', 'Alloy EH', '--services', 'noise-complaint,pest-control'], { env });
    const key = /clk_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
    assert.ok(key, 'the key is printed');
    const res = await fetch(`${base}/api/v1/processes?service=noise-complaint`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const other = await fetch(`${base}/api/v1/processes?service=fly-tipping`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(other.status, 403);
    const { stdout: list } = await run(process.execPath, [...CLI, 'keys', 'list'], { env });
    assert.match(list, /Alloy EH/);
    assert.ok(!list.includes(key!), 'the key itself is never shown again');
  });

  test('closeloop keys create refuses an expiry date in the past or that is not a date, and makes no key', async () => {
    const cases: [string, RegExp][] = [
      ['2026-01-01', /--expires "2026-01-01" is in the past: the key would never work\. Give a date after today, like \d{4}-\d{2}-\d{2}/],
      ['2027-02-30', /--expires "2027-02-30" is not a date: give it as YYYY-MM-DD/],
      ['next tuesday', /--expires "next tuesday" is not a date: give it as YYYY-MM-DD/],
    ];
    for (const [expires, message] of cases) {
      const refused = await run(
        process.execPath,
        [...CLI, 'keys', 'create', '--name', `Refused key ${expires}`, '--services', 'noise-complaint', '--expires', expires],
        { env },
      ).then(
        () => assert.fail(`--expires ${expires} should be refused`),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      assert.equal(refused.code, 1, expires);
      assert.match(refused.stderr, message);
      assert.ok(!/clk_/.test(refused.stdout), 'no key is printed');
    }
    const { stdout: list } = await run(process.execPath, [...CLI, 'keys', 'list'], { env });
    assert.ok(!list.includes('Refused key'), 'no key was made');
    const future = await run(
      process.execPath,
      [...CLI, 'keys', 'create', '--name', 'Expiring key', '--services', 'noise-complaint', '--expires', '2099-04-01'],
      { env },
    );
    assert.match(future.stdout, /clk_/, 'a future date is accepted');
  });

  test('check-config passes on the example and names the file, line and field of a broken service', async () => {
    const ok = await run(process.execPath, [...CLI, 'check-config'], { env });
    assert.match(ok.stdout, /Config OK/);

    const dir = await mkdtemp(join(tmpdir(), 'closeloop-config-'));
    try {
      await cp('config', dir, { recursive: true });
      const file = join(dir, 'services', 'pest-control.yaml');
      const text = await readFile(file, 'utf8');
      await writeFile(
        file,
        text.replace('    type: radios\n    page: the-pest', '    type: radio\n    page: the-pest').replace('referencePrefix: PST', 'referencePrefix: pst'),
      );
      const broken = await run(process.execPath, [...CLI, 'check-config', '--config', join(dir, 'closeloop.yaml')], { env }).then(
        () => assert.fail('check-config should exit non-zero'),
        (err: { code: number; stdout: string }) => err,
      );
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, /services\/pest-control\.yaml:\d+: referencePrefix: use 2 to 6 capital letters/);
      assert.match(broken.stdout, /services\/pest-control\.yaml:\d+: fields\.0\.type: /);

      // A mapping that can never produce valid XML is caught before any citizen submits.
      const noise = join(dir, 'services', 'noise-complaint.yaml');
      await writeFile(noise, (await readFile(noise, 'utf8')).replace('lookup: { music: NS01,', 'lookup: { music: not-a-code,'));
      const badXml = await run(process.execPath, [...CLI, 'check-config', '--config', join(dir, 'closeloop.yaml')], { env }).then(
        () => assert.fail('check-config should exit non-zero'),
        (err: { stdout: string }) => err,
      );
      assert.match(badXml.stdout, /noise-complaint\.yaml:\d+: xml\.mapping: sample XML fails noise-complaint\.xsd .*NoiseCategory/);

      // Problems about XSD files name them relative to the config folder, not by the server's absolute path.
      const fly = join(dir, 'services', 'fly-tipping.yaml');
      await writeFile(fly, (await readFile(fly, 'utf8')).replace('xsd: fly-tipping.xsd', 'xsd: no-such-schema.xsd'));
      await writeFile(
        join(dir, 'xsd', 'includes-missing.xsd'),
        '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n  <xs:include schemaLocation="common/missing.xsd"/>\n</xs:schema>\n',
      );
      const food = join(dir, 'services', 'food-hygiene-complaint.yaml');
      await writeFile(food, (await readFile(food, 'utf8')).replace('xsd: food-hygiene-complaint.xsd', 'xsd: includes-missing.xsd'));
      const badFiles = await run(process.execPath, [...CLI, 'check-config', '--config', join(dir, 'closeloop.yaml')], { env }).then(
        () => assert.fail('check-config should exit non-zero'),
        (err: { stdout: string }) => err,
      );
      assert.match(badFiles.stdout, /fly-tipping\.yaml:\d+: xml\.xsd: XSD file no-such-schema\.xsd not found in xsd\/ \(the XSD folder\)/);
      assert.match(
        badFiles.stdout,
        /food-hygiene-complaint\.yaml:\d+: xml\.xsd: xsd\/includes-missing\.xsd includes "common\/missing\.xsd": there is no xsd\/common\/missing\.xsd/,
      );
      // Each line starts with the file it is about; what follows (the problem itself) names no absolute path.
      for (const line of badFiles.stdout.split('\n').filter((l) => l.includes('xml.xsd'))) {
        const message = line.slice(line.indexOf(': xml.xsd:'));
        assert.ok(!message.includes(dir) && !message.includes(process.cwd()), `no server path in: ${message}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
