// Several councils on one hub: each owns its services, bindings, keys and branding; a key or admin of one council never
// sees another council's processes (404, as if they did not exist).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

describe('councils sharing a hub', () => {
  let t: TestHub;
  let smtp: SmtpPeer;
  let receiver: WebhookReceiver;
  const ids: Record<'south' | 'north', { processId: string; reference: string }> = {} as never;

  before(async () => {
    smtp = await startSmtpPeer();
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    receiver = await startWebhookReceiver(secret);
    t = await startTestHub({
      configFile: CONFIG,
      env: { SMTP_PORT: String(smtp.port), TEST_WEBHOOK_SECRET: secret, TEST_WEBHOOK_URL: receiver.url },
      worker: true,
    });
    const submit = async (service: string, answers: Record<string, unknown>) => {
      const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { processId: string; reference: string };
    };
    ids.south = await submit('noise', {
      noiseType: 'music',
      description: 'Loud',
      source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
      started: '2026-10-01',
      times: ['night'],
      email: 'south@example.com',
    });
    ids.north = await submit('pests', { pest: 'rats', email: 'north@example.com' });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
    await smtp?.close();
  });

  const get = (path: string, key: string) => fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  test("a key of council A gets 404 for council B's process, its documents and its timeline; its own are visible", async () => {
    const northKey = await t.key(['*'], { council: 'north', name: 'North back office' });
    const southKey = await t.key(['*'], { council: 'south', name: 'South back office' });
    for (const suffix of ['', '/documents', '/timeline', '/tasks']) {
      const res = await get(`/api/v1/processes/${ids.south.processId}${suffix}`, northKey);
      assert.equal(res.status, 404, `north key on south process${suffix}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal((await get(`/api/v1/processes/${ids.north.processId}${suffix}`, northKey)).status, 200, `north key on its own process${suffix}`);
      assert.equal((await get(`/api/v1/processes/${ids.north.processId}${suffix}`, southKey)).status, 404);
    }
    const note = await fetch(`${t.url}/api/v1/processes/${ids.south.processId}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${northKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'cross-council note', visibleToCitizen: true }),
    });
    assert.equal(note.status, 404, 'no writes across councils either');
    const list = (await (await get('/api/v1/processes', northKey)).json()) as { processes: { id: string }[] };
    assert.deepEqual(
      list.processes.map((p) => p.id),
      [ids.north.processId],
      'the list holds only its council',
    );
    // A key naming the other council's service explicitly sees nothing of it.
    const sneaky = await t.key(['noise', 'pests'], { council: 'north' });
    assert.equal((await get(`/api/v1/processes/${ids.south.processId}`, sneaky)).status, 404);
    assert.deepEqual(
      ((await (await get('/api/v1/processes', sneaky)).json()) as { processes: { id: string }[] }).processes.map((p) => p.id),
      [ids.north.processId],
    );
  });

  test("a key for another service gets the same 404 as another council's key, on every process route (no existence leak)", async () => {
    const own = await t.key(['pests'], { council: 'north' });
    const otherService = await t.key(['not-pests'], { council: 'north', name: 'Another service of North' });
    const operatorOtherService = await t.key(['noise'], { name: 'Operator key for noise only' });
    const otherCouncil = await t.key(['*'], { council: 'south' });
    const id = ids.north.processId;
    const docs = (await (await get(`/api/v1/processes/${id}/documents`, own)).json()) as { documents: { id: string }[] };
    assert.ok(docs.documents.length > 0);
    const json = { 'content-type': 'application/json' };
    const routes: [string, string, string?][] = [
      ['GET', ''],
      ['GET', '/documents'],
      ['GET', `/documents/${docs.documents[0]!.id}`],
      ['GET', '/timeline'],
      ['GET', '/tasks'],
      ['POST', '/notes', JSON.stringify({ text: 'Should not land', visibleToCitizen: false })],
      ['PATCH', '/tasks/treatment', JSON.stringify({ status: 'in_progress' })],
      ['POST', '/close', JSON.stringify({ reason: 'Should not close' })],
    ];
    for (const [method, suffix, body] of routes) {
      const answer = async (key: string) => {
        const res = await fetch(`${t.url}/api/v1/processes/${id}${suffix}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body ? json : {}) },
          body,
        });
        const problem = (await res.json()) as { title: string; detail: string };
        return { status: res.status, type: res.headers.get('content-type'), title: problem.title, detail: problem.detail };
      };
      const baseline = await answer(otherCouncil);
      assert.equal(baseline.status, 404, `${method} ${suffix}: another council's key`);
      assert.deepEqual(
        await answer(otherService),
        baseline,
        `${method} ${suffix}: a key of the same council for another service answers exactly as another council's key`,
      );
      assert.deepEqual(await answer(operatorOtherService), baseline, `${method} ${suffix}: an operator key for another service too`);
    }
    const view = (await (await get(`/api/v1/processes/${id}`, own)).json()) as { status: string; tasks: { key: string; status: string }[] };
    assert.notEqual(view.status, 'closed', 'nothing changed');
    assert.equal(view.tasks.find((x) => x.key === 'treatment')!.status, 'open');
    const timeline = (await (await get(`/api/v1/processes/${id}/timeline`, own)).json()) as { events: { text: string }[] };
    assert.ok(!timeline.events.some((e) => e.text === 'Should not land'));
  });

  test("a council's admin sees only its own deliveries and services; the hub operator's admin sees both", async () => {
    const northAdmin = await t.key([], { admin: true, council: 'north' });
    const operator = await t.key([], { admin: true });
    const deliveries = async (key: string) =>
      ((await (await get('/api/v1/admin/deliveries', key)).json()) as { deliveries: { processId: string }[] }).deliveries.map((d) => d.processId).sort();
    assert.deepEqual(await deliveries(northAdmin), [ids.north.processId]);
    assert.deepEqual(await deliveries(operator), [ids.north.processId, ids.south.processId].sort());
    assert.equal((await get(`/api/v1/processes/${ids.south.processId}`, northAdmin)).status, 404);
    assert.equal((await get(`/api/v1/processes/${ids.south.processId}`, operator)).status, 200);
    assert.equal((await get('/api/v1/admin/services/noise/versions', northAdmin)).status, 404);
    assert.equal((await get('/api/v1/admin/services/pests/versions', northAdmin)).status, 200);
    const preview = await fetch(`${t.url}/api/v1/admin/services/noise/xml-preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${northAdmin}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(preview.status, 404);
    // The queue dashboard holds every council's jobs: the operator's admin keys only.
    assert.equal((await get('/admin/queues/api/queues', northAdmin)).status, 403);
    assert.equal((await get('/admin/queues/api/queues', operator)).status, 200);
  });

  test("messages and pages carry the service's council: name, sender address, logo", async () => {
    await smtp.waitFor((ms) => ms.some((m) => m.to.includes('north@example.com')) && ms.some((m) => m.to.includes('south@example.com')));
    const north = smtp.messages.find((m) => m.to.includes('north@example.com'))!;
    const south = smtp.messages.find((m) => m.to.includes('south@example.com'))!;
    assert.match(north.raw, /From: North District Council <pests@north\.example\.gov\.uk>/);
    assert.match(south.raw, /From: South Borough Council <eh@south\.example\.gov\.uk>/);
    assert.ok(north.text.includes('North District Council') && !north.text.includes('South Borough'));
    const link = /http:\/\/127\.0\.0\.1:\d+\/track\/[A-Za-z0-9_-]{43}/.exec(north.text)![0];
    const page = await (await fetch(link)).text();
    assert.ok(page.includes('North District Council') && page.includes('src="/councils/north/logo"'));
    const logo = await fetch(`${t.url}/councils/north/logo`);
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml');
    const form = await (await fetch(`${t.url}/services/noise`)).text();
    assert.ok(form.includes('South Borough Council') && !form.includes('/councils/north/logo'));
  });

  test("check-config refuses a service that uses another council's binding, and an unknown council", () => {
    const dir = mkdtempSync(join(tmpdir(), 'closeloop-councils-'));
    cpSync('test/fixtures/councils', dir, { recursive: true });
    cpSync('test/fixtures/config/xsd', join(dir, 'xsd'), { recursive: true });
    const yaml = readFileSync(join(dir, 'closeloop.yaml'), 'utf8').replace('xsdDir: ../config/xsd', 'xsdDir: xsd');
    writeFileSync(
      join(dir, 'closeloop.yaml'),
      yaml.replace('  north-casework:\n    connector: webhook\n    council: north', '  north-casework:\n    connector: webhook\n    council: east'),
    );
    writeFileSync(
      join(dir, 'services', 'noise.yaml'),
      readFileSync(join(dir, 'services', 'noise.yaml'), 'utf8').replace('bindings: [backoffice]', 'bindings: [backoffice, north-casework]'),
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'check-config', '--config', join(dir, 'closeloop.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, TEST_WEBHOOK_URL: 'http://127.0.0.1:9/x', TEST_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 1).toString('base64')}` },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /closeloop\.yaml:\d+: bindings\.north-casework\.council: no council "east"/);
  });
});
