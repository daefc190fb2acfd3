// The template connector against its fake back office; loaded by path through the plugin loader; and end to end in a
// real hub (config names it by path), where a real submission is delivered and an XSD failure is dead at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PermanentError, RetryableError } from '@closeloop/sdk';
import { Registry, PROJECT_ROOT } from '../../core/plugins/index.ts';
import { contextFor, deliveryJob } from '../../test/contract/delivery-job.ts';
import { startTestHub, type TestHub } from '../../test/helpers/hub.ts';
import { startFakeCaseApi, type FakeCaseApi } from './fake-case-api.ts';
import { configSchema, connector, type Config } from './index.ts';

const token = randomBytes(24).toString('base64url');

describe('connector template against its fake case API', () => {
  let api: FakeCaseApi;
  let config: Config;
  before(async () => {
    api = await startFakeCaseApi(token);
    // A generous timeout: the first request of a busy CI machine's run once took more than 500 ms to be answered.
    config = configSchema.parse({ baseUrl: api.url, token, timeoutMs: 10_000 });
  });
  after(() => api.close());

  test('posts the case with the bearer token and the delivery id as Idempotency-Key, and returns the case id', async () => {
    const job = deliveryJob();
    const result = await connector.deliver(job, contextFor('casework', config));
    const sent = api.cases.get(job.deliveryId);
    assert.ok(sent, 'the case is keyed by the delivery id');
    assert.equal(result.externalRef, sent.id);
    assert.equal(sent.body.reference, 'NOI-ABCD2345');
    assert.equal(sent.body.payloadXml, job.xml);
    assert.equal(sent.body.queue, 'environmental-health');
    assert.deepEqual(sent.body.attachments, [{ name: 'photo.png', type: 'image/png', size: 4, sha256: job.documents[0]!.sha256, url: job.documents[0]!.url }]);
    assert.match(result.responseExcerpt ?? '', /"id":"CASE-\d+"/);
  });

  test('a 503 with Retry-After is retryable after that delay; a 422 is permanent with the answer kept', async () => {
    api.script([{ status: 503, retryAfter: '30' }, 422]);
    await assert.rejects(
      connector.deliver(deliveryJob(), contextFor('casework', config)),
      (err: unknown) => err instanceof RetryableError && err.retryAfterMs === 30_000,
    );
    await assert.rejects(
      connector.deliver(deliveryJob(), contextFor('casework', config)),
      (err: unknown) => err instanceof PermanentError && /422/.test(err.responseExcerpt ?? ''),
    );
  });

  test('check() names the field at fault', async () => {
    assert.deepEqual(await connector.check!(contextFor('casework', config)), { ok: true, problems: [] });
    const wrongToken = await connector.check!(contextFor('casework', { ...config, token: 'not-the-token-at-all' }));
    assert.deepEqual(wrongToken, { ok: false, problems: ['token: the case API refused the token (401)'] });
    const unreachable = await connector.check!(contextFor('casework', { ...config, baseUrl: 'http://127.0.0.1:9/api/' }));
    assert.equal(unreachable.ok, false);
    assert.match(unreachable.problems[0]!, /^baseUrl: the case API is unreachable/);
  });

  test('the config schema explains its rules', () => {
    const parsed = configSchema.safeParse({ baseUrl: 'http://127.0.0.1/api', token: 'short' });
    assert.equal(parsed.success, false);
    const messages = Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join('.'), i.message]));
    assert.deepEqual(messages, { baseUrl: 'must end with "/"', token: 'the API token looks too short' });
  });
});

describe('connector template loaded by path', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a path relative to the config folder registers it under its name', async () => {
    const registry = new Registry();
    const spec = `./${relative(dir, join(PROJECT_ROOT, 'connectors', 'template'))}`;
    const loaded = await registry.loadPlugins([spec], dir).then(() => registry.connector('case-api-template'));
    assert.equal(loaded, connector, 'the same module as a static import');
    assert.ok(registry.connectorNames().includes('case-api-template'));
  });
});

describe('connector template in a running hub', () => {
  let api: FakeCaseApi;
  let t: TestHub;
  before(async () => {
    api = await startFakeCaseApi(token);
    // test/fixtures/config/closeloop.yaml lists the template under plugins: by path, as a council would its own connector.
    t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { TEST_CASE_API_URL: api.url, TEST_CASE_API_TOKEN: token },
      worker: true,
    });
  });
  after(async () => {
    await t.close();
    await api.close();
  });

  async function submit(pest: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/services/pests/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { pest } }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { processId: string }).processId;
  }

  async function delivery(processId: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const rows = await t.hub.db.rows('select status, external_ref, last_error from deliveries where process_id = $1', [processId]);
      const d = (rows as { status: string; external_ref: string; last_error: string }[])[0]!;
      if (d.status === status) return d;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`delivery never became ${status}`);
  }

  test('delivers a real submission through the connector loaded by path', async () => {
    const processId = await submit('rats');
    const d = await delivery(processId, 'delivered');
    assert.match(d.external_ref, /^CASE-\d+$/);
    const sent = [...api.cases.values()].find((c) => c.id === d.external_ref)!;
    assert.match(String(sent.body.payloadXml), /<Pest>RATS<\/Pest>/);
  });

  test('XML that fails the XSD: dead at once with the XSD message, nothing sent', async () => {
    const before = api.requests;
    const processId = await submit('bees');
    const d = await delivery(processId, 'dead');
    assert.match(d.last_error, /does not match pests\.xsd: line \d+ <Pest>: .*BEES/);
    assert.equal(api.requests, before, 'nothing was sent to the back office');
    const docs = await t.hub.db.rows(`select count(*)::int as n from documents where process_id = $1 and kind = 'xml'`, [processId]);
    assert.equal((docs as { n: number }[])[0]!.n, 0, 'invalid XML is not kept as if it had been sent');
  });
});
