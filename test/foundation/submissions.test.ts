// Issue 2 acceptance: submissions become trackable processes; back offices read them with scoped keys; bad input is
// refused with problem+json and leaves nothing behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';

const validAnswers = {
  noiseType: 'music',
  description: 'Loud music & shouting after midnight <every> night.',
  source: { line1: '12 High Street', town: 'Exampleton', postcode: 'ex1 2ab' },
  started: '2026-10-01',
  times: ['night'],
  email: 'resident@example.com',
};

async function countRows(hub: TestHub): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['processes', 'documents', 'tasks', 'deliveries', 'timeline_events', 'tracking_tokens']) {
    const rows = await hub.hub.db.rows(`select count(*)::int as n from ${table}`);
    out[table] = (rows as { n: number }[])[0]!.n;
  }
  return out;
}

async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) {
        if (e.name !== 'tmp') await walk(join(d, e.name));
      } else out.push(e.name);
    }
  };
  await walk(dir);
  return out.sort();
}

function form(answers: Record<string, unknown>, files: { name: string; bytes: Buffer; type: string; field?: string }[]): FormData {
  const fd = new FormData();
  fd.append('answers', JSON.stringify(answers));
  for (const f of files) fd.append(f.field ?? 'evidence', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  return fd;
}

describe('submissions', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configFile: CONFIG });
  });
  after(async () => {
    await t.close();
  });

  test('a multipart submission with two files is tracked and readable by a key for its service only', async () => {
    const png = pngBytes(5000, 'photo');
    const pdf = pdfBytes('diary sheet');
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form(validAnswers, [
        { name: 'photo.png', bytes: png, type: 'image/png' },
        { name: '../../etc/diary.pdf', bytes: pdf, type: 'application/pdf' },
      ]),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { processId: string; reference: string; trackingUrl: string };
    assert.match(created.reference, /^NOI-[A-HJ-NP-Z2-9]{8}$/);
    const token = created.trackingUrl.split('/track/')[1]!;
    assert.equal(created.trackingUrl, `${t.config.server.publicBaseUrl}/track/${token}`);
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'tracking token has at least 128 bits');

    // The token itself is never stored, only its hash.
    const stored = await t.hub.db.rows(`select count(*)::int as n from tracking_tokens where encode(hash, 'escape') like $1`, [`%${token}%`]);
    assert.equal((stored as { n: number }[])[0]!.n, 0);

    const track = await fetch(`${t.url}/api/v1/track/${token}`);
    assert.equal(track.status, 200);
    const view = (await track.json()) as Record<string, any>;
    assert.equal(view.reference, created.reference);
    assert.equal(view.serviceTitle, 'Report a noise problem');
    assert.equal(view.status, 'submitted');
    assert.deepEqual(
      view.tasks.map((x: { key: string; status: string }) => [x.key, x.status]),
      [
        ['triage', 'open'],
        ['officer-visit', 'open'],
      ],
    );
    assert.equal(view.timeline[0].kind, 'submitted');
    assert.deepEqual(view.documents.map((d: { name: string }) => d.name).sort(), ['diary.pdf', 'photo.png']);
    assert.equal(view.answers, undefined, 'the citizen view carries no answers');

    const noiseKey = await t.key(['noise'], { name: 'Noise back office' });
    const pestKey = await t.key(['pests'], { name: 'Pest back office' });

    const noKey = await fetch(`${t.url}/api/v1/processes/${created.processId}`);
    assert.equal(noKey.status, 401);
    assert.match(noKey.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const badKey = await fetch(`${t.url}/api/v1/processes/${created.processId}`, { headers: { authorization: 'Bearer clk_not-a-real-key' } });
    assert.equal(badKey.status, 401);
    const otherService = await fetch(`${t.url}/api/v1/processes/${created.processId}`, { headers: { authorization: `Bearer ${pestKey}` } });
    assert.equal(otherService.status, 404, "another service's process answers as if it did not exist");
    const otherDocs = await fetch(`${t.url}/api/v1/processes/${created.processId}/documents`, { headers: { authorization: `Bearer ${pestKey}` } });
    assert.equal(otherDocs.status, 404);

    const auth = { authorization: `Bearer ${noiseKey}` };
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${created.processId}`, { headers: auth })).json()) as Record<string, any>;
    assert.equal(proc.reference, created.reference);
    assert.equal(proc.answers.source.postcode, 'EX1 2AB');
    assert.equal(proc.answers.description, validAnswers.description);
    assert.equal(proc.answers.evidence.length, 2);

    const docs = (await (await fetch(`${t.url}/api/v1/processes/${created.processId}/documents`, { headers: auth })).json()) as { documents: any[] };
    assert.deepEqual(docs.documents.map((d) => d.kind).sort(), ['evidence', 'evidence', 'form-html', 'form-json']);
    for (const [name, bytes, type] of [
      ['photo.png', png, 'image/png'],
      ['diary.pdf', pdf, 'application/pdf'],
    ] as const) {
      const doc = docs.documents.find((d) => d.name === name);
      assert.ok(doc, `document ${name} listed`);
      const dl = await fetch(doc.url.replace(t.config.server.publicBaseUrl, t.url), { headers: auth });
      assert.equal(dl.status, 200);
      assert.equal(dl.headers.get('content-type'), type);
      assert.match(dl.headers.get('content-disposition') ?? '', new RegExp(`filename="${name.replace('.', '\\.')}"`));
      assert.deepEqual(Buffer.from(await dl.arrayBuffer()), bytes, `${name} downloads byte-identical`);
    }
    const html = docs.documents.find((d) => d.kind === 'form-html');
    const page = await (await fetch(html.url.replace(t.config.server.publicBaseUrl, t.url), { headers: auth })).text();
    assert.match(page, /Loud music &amp; shouting after midnight &lt;every&gt; night\./, 'the form copy escapes answers');
    const noKeyDoc = await fetch(html.url.replace(t.config.server.publicBaseUrl, t.url));
    assert.equal(noKeyDoc.status, 401);
  });

  test('a JSON submission works and hidden conditional answers are refused as unknown only when not asked', async () => {
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { ...validAnswers, noiseType: 'other', otherNoise: 'A generator' } }),
    });
    assert.equal(res.status, 201);
    const { processId } = (await res.json()) as { processId: string };
    const key = await t.key(['*']);
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, any>;
    assert.equal(proc.answers.otherNoise, 'A generator');
    // When the condition is not met the question is not asked, so its answer is dropped rather than kept.
    const res2 = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { ...validAnswers, otherNoise: 'ignored' } }),
    });
    assert.equal(res2.status, 201);
    const p2 = (await res2.json()) as { processId: string };
    const proc2 = (await (await fetch(`${t.url}/api/v1/processes/${p2.processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<
      string,
      any
    >;
    assert.equal(proc2.answers.otherNoise, undefined);
  });

  test('invalid answers, an oversized file and a file whose bytes lie are refused and nothing is stored', async () => {
    const before = await countRows(t);
    const filesBefore = await storedFiles(t.config.paths.documents);

    const invalid = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: {
          noiseType: 'karaoke',
          description: 'x'.repeat(501),
          source: { line1: '1 A Road', postcode: 'NOT A POSTCODE' },
          started: '2999-01-01',
          email: 'nope',
          unknownField: 1,
        },
      }),
    });
    assert.equal(invalid.status, 422);
    assert.match(invalid.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await invalid.json()) as { errors: { field: string; message: string }[]; status: number; title: string };
    assert.equal(problem.status, 422);
    const fields = problem.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['description', 'email', 'noiseType', 'source.postcode', 'started', 'unknownField'].sort());

    const missing = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: {} }),
    });
    assert.equal(missing.status, 422);
    const missingFields = ((await missing.json()) as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    assert.deepEqual(missingFields, ['description', 'noiseType', 'source', 'started']);

    // Invalid answers in a multipart body with a valid file: the file is not kept either.
    const invalidWithFile = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form({ ...validAnswers, noiseType: 'karaoke' }, [{ name: 'kept-nowhere.png', bytes: pngBytes(3000, 'unique-1'), type: 'image/png' }]),
    });
    assert.equal(invalidWithFile.status, 422);

    const tooBig = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form(validAnswers, [
        { name: 'ok.png', bytes: pngBytes(2000, 'unique-2'), type: 'image/png' },
        { name: 'huge.png', bytes: pngBytes(150_000, 'unique-3'), type: 'image/png' },
      ]),
    });
    assert.equal(tooBig.status, 413);
    assert.match(((await tooBig.json()) as { detail: string }).detail, /huge\.png/);

    const lying = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form(validAnswers, [{ name: 'photo.png', bytes: Buffer.from('MZ\x90\x00 this is really an executable'.repeat(20)), type: 'image/png' }]),
    });
    assert.equal(lying.status, 415);
    const renamed = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form(validAnswers, [{ name: 'photo.png', bytes: pdfBytes(), type: 'image/png' }]),
    });
    assert.equal(renamed.status, 415, 'a PDF sent as image/png is refused');

    const wrongField = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      body: form(validAnswers, [{ name: 'photo.png', bytes: pngBytes(), type: 'image/png', field: 'description' }]),
    });
    assert.equal(wrongField.status, 422);

    const wrongType = await fetch(`${t.url}/api/v1/services/noise/submissions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(wrongType.status, 415);
    const malformed = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"answers":',
    });
    assert.equal(malformed.status, 400);
    const oversized = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { description: 'x'.repeat(70_000) } }),
    });
    assert.equal(oversized.status, 413);

    assert.deepEqual(await countRows(t), before, 'no rows were written');
    assert.deepEqual(await storedFiles(t.config.paths.documents), filesBefore, 'no files were kept');
  });

  test('unknown services, routes and tokens are 404 problems', async () => {
    const svc = await fetch(`${t.url}/api/v1/services/nope/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"answers":{}}',
    });
    assert.equal(svc.status, 404);
    assert.match(svc.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const route = await fetch(`${t.url}/api/v1/nothing-here`);
    assert.equal(route.status, 404);
    assert.match(route.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const token = await fetch(`${t.url}/api/v1/track/${'A'.repeat(43)}`);
    assert.equal(token.status, 404);
    const key = await t.key(['*']);
    const proc = await fetch(`${t.url}/api/v1/processes/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(proc.status, 404);
  });

  test('expired and revoked keys are refused', async () => {
    const expired = await t.key(['*'], { expiresAt: new Date(Date.now() - 1000) });
    const res = await fetch(`${t.url}/api/v1/processes?limit=1`, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(res.status, 401);
    const key = await t.key(['*'], { name: 'to revoke' });
    assert.equal((await fetch(`${t.url}/api/v1/processes?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    const { revokeApiKey } = await import('../../core/auth/api-keys.ts');
    assert.equal(await revokeApiKey(t.hub.db, key.slice(0, 10)), 1);
    assert.equal((await fetch(`${t.url}/api/v1/processes?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
  });

  test('a key revoked by another process stops working here at once (valid keys are cached; the revocation NOTIFY clears them)', async () => {
    const key = await t.key(['*'], { name: 'revoked elsewhere' });
    const get = () => fetch(`${t.url}/api/v1/processes?limit=1`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    assert.equal(await get(), 200);
    // What `closeloop api-key revoke` in another process does to the database; this process's cache is not touched.
    await t.hub.db.run(`update api_clients set revoked_at = now() where name = 'revoked elsewhere'`);
    assert.equal(await get(), 200, 'the cached key still works until the revocation is announced');
    await t.hub.db.run(`select pg_notify('closeloop_api_keys', '')`);
    const until = Date.now() + 5000;
    let status = 200;
    while (status === 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      status = await get();
    }
    assert.equal(status, 401);
  });
});
