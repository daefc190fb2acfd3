// Issue 6 acceptance 3: an admin publishes a new version through the API; new submissions use it on every API process
// (no restart); older processes keep their own version's questions. Publishing checks definition, mapping and XSD.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { startTestHub, freePort, type TestHub } from '../helpers/hub.ts';

const answers = {
  pest: 'rats',
  whereSeen: ['garden'],
  premisesType: 'domestic',
  propertyAddress: { line1: '9 Orchard Way', postcode: 'EX3 1PL' },
  preferredDays: ['tue'],
  concession: 'no',
  fullName: 'Jo Tenant',
  email: 'jo@example.com',
  phone: '07700 900123',
};

describe('service management', () => {
  let t: TestHub;
  let admin: string;
  let other: ChildProcess;
  let otherUrl: string;
  before(async () => {
    t = await startTestHub();
    admin = await t.key([], { admin: true, name: 'Forms team' });
    // A second API process against the same database.
    const port = await freePort();
    otherUrl = `http://127.0.0.1:${port}`;
    other = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'serve'], {
      env: { ...t.env, PORT: String(port), PUBLIC_BASE_URL: otherUrl },
      stdio: 'ignore',
    });
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`${otherUrl}/healthz`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    if (other && other.exitCode === null) {
      const exited = new Promise((r) => other.once('exit', r));
      other.kill('SIGTERM');
      await exited;
    }
    await t.close();
  });

  const adminApi = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });

  test('publish a new version: new submissions use it everywhere, old processes keep theirs', async () => {
    const v1 = (await (await fetch(`${t.url}/api/v1/services/pest-control`)).json()) as { version: number };
    const first = (await (
      await fetch(`${t.url}/api/v1/services/pest-control/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      })
    ).json()) as { processId: string };

    const def = parse(await readFile('config/services/pest-control.yaml', 'utf8')) as { fields: Record<string, unknown>[] };
    def.fields.splice(2, 0, { id: 'roomsAffected', type: 'number', page: 'the-pest', label: 'How many rooms are affected?', integer: true, min: 0, max: 50 });
    (def.fields.find((f) => f.id === 'pest') as { label: string }).label = 'Which pest needs treating?';

    const noKey = await fetch(`${t.url}/api/v1/admin/services/pest-control/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(def),
    });
    assert.equal(noKey.status, 401);
    const notAdmin = await fetch(`${t.url}/api/v1/admin/services/pest-control/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.key(['pest-control'])}`, 'content-type': 'application/json' },
      body: JSON.stringify(def),
    });
    assert.equal(notAdmin.status, 403);

    const bad = await adminApi('/api/v1/admin/services/pest-control/versions', {
      method: 'POST',
      body: JSON.stringify({ ...def, fields: [{ id: 'x', type: 'radios', label: 'X' }] }),
    });
    assert.equal(bad.status, 422, 'an invalid definition is refused');

    const draft = await adminApi('/api/v1/admin/services/pest-control/versions', { method: 'POST', body: JSON.stringify(def) });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version, problems } = (await draft.json()) as { version: number; problems: unknown[] };
    assert.equal(version, v1.version + 1);
    assert.deepEqual(problems, []);
    // A draft is not live yet.
    assert.equal(((await (await fetch(`${t.url}/api/v1/services/pest-control`)).json()) as { version: number }).version, v1.version);
    const preview = (await (
      await adminApi(`/api/v1/admin/services/pest-control/xml-preview?version=${version}`, { method: 'POST', body: '{"answers":{}}' })
    ).json()) as { valid: boolean };
    assert.equal(preview.valid, true, JSON.stringify(preview));

    const published = await adminApi(`/api/v1/admin/services/pest-control/versions/${version}/publish`, { method: 'POST' });
    assert.equal(published.status, 200);

    // Every API process serves the new version without a restart.
    for (const base of [t.url, otherUrl]) {
      let seen = 0;
      for (let i = 0; i < 100 && seen !== version; i++) {
        seen = ((await (await fetch(`${base}/api/v1/services/pest-control`)).json()) as { version: number }).version;
        if (seen !== version) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(seen, version, `${base} serves version ${version}`);
    }
    const second = await fetch(`${otherUrl}/api/v1/services/pest-control/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { ...answers, roomsAffected: '3' } }),
    });
    assert.equal(second.status, 201, await second.clone().text());
    const { processId } = (await second.json()) as { processId: string };

    const key = await t.key(['pest-control']);
    const get = async (id: string) =>
      (await (await fetch(`${t.url}/api/v1/processes/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        serviceVersion: number;
        questions: { id: string; label: string }[];
      };
    const newer = await get(processId);
    assert.equal(newer.serviceVersion, version);
    assert.ok(newer.questions.some((q) => q.id === 'roomsAffected'));
    assert.equal(newer.questions.find((q) => q.id === 'pest')!.label, 'Which pest needs treating?');
    const older = await get(first.processId);
    assert.equal(older.serviceVersion, v1.version);
    assert.ok(!older.questions.some((q) => q.id === 'roomsAffected'), 'the old process keeps its own questions');
    assert.equal(older.questions.find((q) => q.id === 'pest')!.label, 'What pest do you need treated?');

    const versions = (await (await adminApi('/api/v1/admin/services/pest-control/versions')).json()) as { versions: { version: number; state: string }[] };
    assert.deepEqual(
      versions.versions.slice(0, 2).map((v) => [v.version, v.state]),
      [
        [version, 'published'],
        [v1.version, 'retired'],
      ],
    );
  });

  test('publishing refuses a version whose mapping cannot produce valid XML', async () => {
    const def = parse(await readFile('config/services/fly-tipping.yaml', 'utf8')) as { xml: { mapping: { children: { element: string; value?: unknown }[] } } };
    def.xml.mapping.children.splice(1, 0, { element: 'Unexpected', value: { constant: 'x' } });
    const draft = (await (await adminApi('/api/v1/admin/services/fly-tipping/versions', { method: 'POST', body: JSON.stringify(def) })).json()) as {
      version: number;
      problems: { field: string; message: string }[];
    };
    assert.match(draft.problems[0]!.message, /fly-tipping\.xsd.*Unexpected/);
    const refused = await adminApi(`/api/v1/admin/services/fly-tipping/versions/${draft.version}/publish`, { method: 'POST' });
    assert.equal(refused.status, 422);
  });

  test("a draft's problems name files relative to the config folder, never the server's own paths", async () => {
    const def = parse(await readFile('config/services/fly-tipping.yaml', 'utf8')) as { xml: { xsd: string } };
    def.xml.xsd = 'no-such-schema.xsd';
    const draft = await adminApi('/api/v1/admin/services/fly-tipping/versions', { method: 'POST', body: JSON.stringify(def) });
    assert.equal(draft.status, 201);
    const { problems } = (await draft.json()) as { problems: { field: string; message: string }[] };
    assert.deepEqual(problems, [{ field: 'xml.xsd', message: 'XSD file no-such-schema.xsd not found in xsd/ (the XSD folder)' }]);
    const text = JSON.stringify(problems);
    for (const serverPath of [t.config.dir, process.cwd(), t.config.paths.xsd]) assert.ok(!text.includes(serverPath), `${serverPath} is not shown`);
  });

  test('the definition format is published as JSON Schema', async () => {
    const res = await fetch(`${t.url}/schemas/service.json`);
    assert.equal(res.status, 200);
    const schema = (await res.json()) as { properties: Record<string, unknown>; required: string[] };
    assert.ok(schema.properties.fields && schema.properties.referencePrefix);
    assert.ok(schema.required.includes('id'));
  });
});
