// Issue 18: documents from the back office to the citizen. A back office adds one over the REST API (multipart) or by
// signed callback (inline base64, or a URL the hub fetches through its SSRF guard); a document visible to the citizen
// is a citizen-visible change (timeline, message, audit) and is downloadable from the tracking page with the tracking
// token; a private one is neither listed nor downloadable there. Bad input is refused with problem+json and stores nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { webhookHeaders } from '@closeloop/sdk';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';

interface DocumentBody {
  id: string;
  kind: string;
  name: string;
  title: string | null;
  visibleToCitizen: boolean;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
}

interface TrackingBody {
  councilDocuments: { id: string; name: string; title: string | null; size: number; url: string }[];
  timeline: { kind: string; text: string }[];
}

const BACKOFFICE_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('documents from the council', () => {
  let t: TestHub;
  let key: string;
  let files: Server;
  let filesUrl: string;
  before(async () => {
    t = await startTestHub({
      configure: (c) => {
        // A webhook back office on this machine, allowed to give document URLs on private addresses (as tests need);
        // the sandbox binding (also delivering noise complaints) is not.
        c.bindings.backoffice = {
          ...c.bindings.sandbox!,
          connector: 'webhook',
          config: { url: 'http://127.0.0.1:9/unused', secret: BACKOFFICE_SECRET, allowPrivateNetwork: true },
        };
        c.serviceBindings['noise-complaint'] = ['sandbox', 'backoffice'];
      },
    });
    key = await t.key(['noise-complaint'], { name: 'Alloy EH' });
    files = createServer((req, res) => {
      if (req.url === '/letters/decision%20letter.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end(pdfBytes('Decision letter'));
      }
      if (req.url === '/big.pdf') {
        // Far more than 10 MB, never ending quickly: the hub must stop reading at its limit.
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.write(pdfBytes('big'));
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 40 && res.write(chunk)) sent++;
          if (sent < 40) res.once('drain', pump);
          else res.end();
        };
        return pump();
      }
      if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise((r) => files?.close(r));
    await t?.close();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });

  const submit = () => submitNoise(t);

  function upload(
    processId: string,
    parts: { file?: { bytes: Buffer; name: string; type?: string }; visibleToCitizen?: string; title?: string; extra?: Record<string, string> },
  ) {
    const form = new FormData();
    if (parts.visibleToCitizen !== undefined) form.set('visibleToCitizen', parts.visibleToCitizen);
    if (parts.title !== undefined) form.set('title', parts.title);
    for (const [k, v] of Object.entries(parts.extra ?? {})) form.set(k, v);
    if (parts.file) form.set('file', new Blob([new Uint8Array(parts.file.bytes)], { type: parts.file.type ?? 'application/octet-stream' }), parts.file.name);
    return api(`/api/v1/processes/${processId}/documents`, { method: 'POST', body: form });
  }

  const track = async (token: string) => {
    const res = await fetch(`${t.url}/api/v1/track/${token}`);
    assert.equal(res.status, 200);
    return (await res.json()) as TrackingBody;
  };

  const count = async (sql: string, values: unknown[]) => ((await t.hub.db.rows(sql, values)) as { n: number }[])[0]!.n;
  const councilDocs = (processId: string) => count(`select count(*)::int as n from documents where process_id = $1 and kind = 'council'`, [processId]);

  async function callback(binding: string, secret: string, event: Record<string, unknown>, id = `msg_${randomUUID()}`) {
    const body = JSON.stringify(event);
    return fetch(`${t.url}/connectors/${binding}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, id, body) },
      body,
    });
  }
  const sandboxSecret = () => String(t.config.bindings.sandbox!.config.secret);

  test('the API adds a document the citizen sees on the timeline, is told about and downloads with the tracking token', async () => {
    const { processId, token } = await submit();
    const pdf = pdfBytes('Abatement notice for 3 Kennel Row');
    const res = await upload(processId, {
      file: { bytes: pdf, name: 'abatement-notice.pdf', type: 'application/pdf' },
      visibleToCitizen: 'true',
      title: 'Abatement notice',
    });
    assert.equal(res.status, 201, await res.clone().text());
    const doc = (await res.json()) as DocumentBody;
    assert.equal(doc.kind, 'council');
    assert.equal(doc.name, 'abatement-notice.pdf');
    assert.equal(doc.title, 'Abatement notice');
    assert.equal(doc.visibleToCitizen, true);
    assert.equal(doc.contentType, 'application/pdf');
    assert.equal(doc.size, pdf.length);
    assert.equal(res.headers.get('location'), `/api/v1/processes/${processId}/documents/${doc.id}`);

    // The back office reads it back like any other document.
    const listed = (await (await api(`/api/v1/processes/${processId}/documents`)).json()) as { documents: DocumentBody[] };
    assert.ok(listed.documents.some((d) => d.id === doc.id && d.kind === 'council' && d.visibleToCitizen));
    const back = await api(`/api/v1/processes/${processId}/documents/${doc.id}`);
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), pdf);

    // Timeline, message and audit, through the single writer of citizen-visible changes.
    const tl = (await (await api(`/api/v1/processes/${processId}/timeline`)).json()) as {
      events: { kind: string; text: string; visibleToCitizen: boolean; by: string }[];
    };
    const entry = tl.events.find((e) => e.kind === 'document');
    assert.deepEqual(entry && { text: entry.text, visible: entry.visibleToCitizen, by: entry.by }, {
      text: 'The council added a document: Abatement notice',
      visible: true,
      by: 'Alloy EH',
    });
    const told = await count(
      `select count(*)::int as n from notifications where process_id = $1 and kind = 'update' and updates::text like '%The council added a document: Abatement notice%'`,
      [processId],
    );
    assert.equal(told, 1, 'the citizen is told by message');
    assert.equal(
      await count(`select count(*)::int as n from audit_events where process_id = $1 and action = 'document.added' and target is null`, [processId]),
      1,
    );

    // The tracking page (JSON and HTML) lists it; the link downloads it as an attachment, never cached.
    const view = await track(token);
    assert.deepEqual(
      view.councilDocuments.map((d) => ({ id: d.id, title: d.title, name: d.name, url: d.url })),
      [{ id: doc.id, title: 'Abatement notice', name: 'abatement-notice.pdf', url: `/track/${token}/documents/${doc.id}` }],
    );
    assert.ok(view.timeline.some((e) => e.kind === 'document' && e.text === 'The council added a document: Abatement notice'));
    const page = await (await fetch(`${t.url}/track/${token}`)).text();
    assert.match(page, /Documents from the council/);
    assert.ok(page.includes(`href="/track/${token}/documents/${doc.id}"`));
    const download = await fetch(`${t.url}/track/${token}/documents/${doc.id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="abatement-notice\.pdf"/);
    assert.equal(download.headers.get('cache-control'), 'no-store');
    assert.equal(download.headers.get('referrer-policy'), 'no-referrer');
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), pdf);

    // The token is checked: a wrong token, or another process's token, does not open it.
    assert.equal((await fetch(`${t.url}/track/${randomBytes(32).toString('base64url')}/documents/${doc.id}`)).status, 404);
    const other = await submit();
    assert.equal((await fetch(`${t.url}/track/${other.token}/documents/${doc.id}`)).status, 404);
  });

  test('a private document is on the case only: neither listed nor downloadable with the tracking link, and no message', async () => {
    const { processId, token } = await submit();
    const res = await upload(processId, {
      file: { bytes: pngBytes(2000, 'private'), name: 'officer-notes.png' },
      visibleToCitizen: 'false',
      title: 'PRIVATE officer photo',
    });
    assert.equal(res.status, 201, await res.clone().text());
    const doc = (await res.json()) as DocumentBody;
    assert.equal(doc.visibleToCitizen, false);
    assert.equal(doc.contentType, 'image/png');

    const view = await track(token);
    assert.deepEqual(view.councilDocuments, []);
    assert.ok(!JSON.stringify(view).includes('PRIVATE'));
    const page = await (await fetch(`${t.url}/track/${token}`)).text();
    assert.ok(!page.includes('PRIVATE') && !page.includes(doc.id) && !page.includes('Documents from the council'));
    const download = await fetch(`${t.url}/track/${token}/documents/${doc.id}`);
    assert.equal(download.status, 404);
    assert.ok(!(await download.text()).includes('PNG'));
    // Nor may the tracking link reach the citizen's own evidence or the form copies by id.
    const formCopy = ((await t.hub.db.rows(`select id from documents where process_id = $1 and kind = 'form-html'`, [processId])) as { id: string }[])[0]!;
    assert.equal((await fetch(`${t.url}/track/${token}/documents/${formCopy.id}`)).status, 404);
    assert.equal(
      await count(`select count(*)::int as n from notifications where process_id = $1 and updates::text like '%PRIVATE%'`, [processId]),
      0,
      'no message names it',
    );
    const tl = (await (await api(`/api/v1/processes/${processId}/timeline`)).json()) as { events: { kind: string; visibleToCitizen: boolean }[] };
    assert.ok(
      tl.events.some((e) => e.kind === 'document' && !e.visibleToCitizen),
      'on the case timeline, private',
    );
  });

  test('bad uploads are refused with problem+json and store nothing', async () => {
    const { processId } = await submit();
    const before = await t.hub.db.rows('select count(*)::int as n from documents');
    const refused = async (res: Response, status: number, detail: RegExp) => {
      assert.equal(res.status, status, await res.clone().text());
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const body = (await res.json()) as { detail: string; errors?: { field: string; message: string }[] };
      assert.match(`${body.detail} ${JSON.stringify(body.errors ?? [])}`, detail);
    };
    // Mistyped: HTML bytes named .pdf, and a PDF sent as an image.
    await refused(
      await upload(processId, { file: { bytes: Buffer.from('<html><script>alert(1)</script></html>'), name: 'letter.pdf' }, visibleToCitizen: 'true' }),
      415,
      /text\/plain/,
    );
    await refused(
      await upload(processId, { file: { bytes: pdfBytes(), name: 'photo.png', type: 'image/png' }, visibleToCitizen: 'true' }),
      415,
      /application\/pdf/,
    );
    await refused(
      await upload(processId, {
        file: { bytes: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]), name: 'x.exe' },
        visibleToCitizen: 'true',
      }),
      415,
      /x\.exe/,
    );
    // Oversized: over 10 MB.
    await refused(
      await upload(processId, { file: { bytes: pngBytes(10 * 1024 * 1024 + 10), name: 'huge.png' }, visibleToCitizen: 'true' }),
      413,
      /larger than/,
    );
    // Missing parts, unknown parts, not multipart.
    await refused(await upload(processId, { visibleToCitizen: 'true' }), 422, /"field":"file"/);
    await refused(await upload(processId, { file: { bytes: pdfBytes(), name: 'a.pdf' } }), 422, /"field":"visibleToCitizen"/);
    await refused(await upload(processId, { file: { bytes: pdfBytes(), name: 'a.pdf' }, visibleToCitizen: 'yes' }), 422, /true or false/);
    await refused(
      await upload(processId, { file: { bytes: pdfBytes(), name: 'a.pdf' }, visibleToCitizen: 'true', extra: { colour: 'red' } }),
      422,
      /"field":"colour"/,
    );
    await refused(
      await upload(processId, { file: { bytes: pdfBytes(), name: 'a.pdf' }, visibleToCitizen: 'true', title: 'x'.repeat(201) }),
      422,
      /"field":"title"/,
    );
    await refused(
      await api(`/api/v1/processes/${processId}/documents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"visibleToCitizen":true}',
      }),
      415,
      /multipart/,
    );
    // Council scoping as every process route: another service's key sees no such process.
    const otherKey = await t.key(['pest-control']);
    const form = new FormData();
    form.set('visibleToCitizen', 'true');
    form.set('file', new Blob([new Uint8Array(pdfBytes())]), 'a.pdf');
    const scoped = await fetch(`${t.url}/api/v1/processes/${processId}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${otherKey}` },
      body: form,
    });
    assert.equal(scoped.status, 404);
    assert.equal((await fetch(`${t.url}/api/v1/processes/${processId}/documents`, { method: 'POST', body: form })).status, 401);
    assert.deepEqual(await t.hub.db.rows('select count(*)::int as n from documents'), before, 'nothing stored');
  });

  test('an Idempotency-Key replays the first answer with no second document', async () => {
    const { processId } = await submit();
    const idem = randomUUID();
    const send = () => {
      const form = new FormData();
      form.set('visibleToCitizen', 'true');
      form.set('file', new Blob([new Uint8Array(pdfBytes('once'))]), 'once.pdf');
      return api(`/api/v1/processes/${processId}/documents`, { method: 'POST', headers: { 'idempotency-key': idem }, body: form });
    };
    const first = await send();
    const second = await send();
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await second.json(), await first.json());
    assert.equal(await councilDocs(processId), 1);
  });

  test('a signed document.added callback with inline base64 adds it once; over 2 MB is refused', async () => {
    const { processId, token } = await submit();
    const png = pngBytes(5000, 'inline');
    const event = {
      type: 'document.added',
      processId,
      visibleToCitizen: true,
      title: 'Photo of the site',
      fileName: 'site.png',
      contentBase64: png.toString('base64'),
    };
    const id = `msg_${randomUUID()}`;
    const ok = await callback('sandbox', sandboxSecret(), event, id);
    assert.equal(ok.status, 200, await ok.clone().text());
    const body = (await ok.json()) as { applied: boolean; documentId: string };
    assert.equal(body.applied, true);
    const again = await callback('sandbox', sandboxSecret(), event, id);
    assert.equal(((await again.json()) as { duplicate?: boolean }).duplicate, true);
    assert.equal(await councilDocs(processId), 1, 'a repeated webhook-id adds nothing');
    const view = await track(token);
    assert.deepEqual(
      view.councilDocuments.map((d) => [d.id, d.name, d.title]),
      [[body.documentId, 'site.png', 'Photo of the site']],
    );
    const download = await fetch(`${t.url}${view.councilDocuments[0]!.url}`);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), png);

    // Limits: just over 2 MB inline is 413 (the body still fits the route); far over, the body itself is 413; bad base64 422.
    const over = await callback('sandbox', sandboxSecret(), { ...event, contentBase64: pngBytes(2 * 1024 * 1024 + 100).toString('base64') });
    assert.equal(over.status, 413, await over.clone().text());
    assert.match(((await over.json()) as { detail: string }).detail, /2 MB/);
    const huge = await callback('sandbox', sandboxSecret(), { ...event, contentBase64: pngBytes(3 * 1024 * 1024).toString('base64') });
    assert.equal(huge.status, 413);
    const notBase64 = await callback('sandbox', sandboxSecret(), { ...event, contentBase64: 'not base64!' });
    assert.equal(notBase64.status, 422);
    const both = await callback('sandbox', sandboxSecret(), { ...event, url: `${filesUrl}/letters/decision%20letter.pdf` });
    assert.equal(both.status, 422);
    const neither = await callback('sandbox', sandboxSecret(), { type: 'document.added', processId, visibleToCitizen: true });
    assert.equal(neither.status, 422);
    const mistyped = await callback('sandbox', sandboxSecret(), { ...event, contentBase64: Buffer.from('<svg onload="alert(1)"/>').toString('base64') });
    assert.equal(mistyped.status, 415);
    const unsigned = await fetch(`${t.url}/connectors/sandbox/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    assert.equal(unsigned.status, 401);
    assert.equal(await councilDocs(processId), 1, 'nothing more stored');
  });

  test('a document.added URL is fetched through the SSRF guard: private addresses refused, allowed only for a binding that allows them', async () => {
    const { processId, token } = await submit();
    const event = (url: string) => ({ type: 'document.added', processId, visibleToCitizen: true, url });

    // The sandbox binding does not allow private networks: loopback and the cloud metadata address are refused, clearly.
    for (const url of [
      'http://127.0.0.1/',
      `${filesUrl}/letters/decision%20letter.pdf`,
      'http://169.254.169.254/',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:1/x.pdf',
    ]) {
      const res = await callback('sandbox', sandboxSecret(), event(url));
      assert.equal(res.status, 422, `${url}: ${await res.clone().text()}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as { detail: string; errors: { field: string; message: string }[] };
      assert.match(problem.detail, /loopback, private or link-local/, url);
      assert.equal(problem.errors[0]!.field, 'url');
    }
    for (const url of ['file:///etc/passwd', 'not a url', 'gopher://127.0.0.1/']) {
      const res = await callback('sandbox', sandboxSecret(), event(url));
      assert.equal(res.status, 422, url);
    }
    assert.equal(await councilDocs(processId), 0, 'nothing fetched, nothing stored');

    // A binding that allows its private network fetches it, named after the URL's last segment.
    const ok = await callback('backoffice', BACKOFFICE_SECRET, event(`${filesUrl}/letters/decision%20letter.pdf`));
    assert.equal(ok.status, 200, await ok.clone().text());
    const view = await track(token);
    assert.equal(view.councilDocuments.length, 1);
    assert.equal(view.councilDocuments[0]!.name, 'decision letter.pdf');
    const download = await fetch(`${t.url}${view.councilDocuments[0]!.url}`);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), pdfBytes('Decision letter'));

    // Even then: no redirect is followed (it could lead to the metadata address), a missing file and a too-large one are refused.
    const moved = await callback('backoffice', BACKOFFICE_SECRET, event(`${filesUrl}/moved`));
    assert.equal(moved.status, 422);
    assert.match(((await moved.json()) as { detail: string }).detail, /302.*redirects are not followed/);
    const missing = await callback('backoffice', BACKOFFICE_SECRET, event(`${filesUrl}/nothing.pdf`));
    assert.equal(missing.status, 422);
    const big = await callback('backoffice', BACKOFFICE_SECRET, event(`${filesUrl}/big.pdf`));
    assert.equal(big.status, 413, await big.clone().text());
    assert.equal(await councilDocs(processId), 1);
  });

  test('erasure takes a council document with the rest: its bytes, name and title; then none can be added', async () => {
    const { processId, token } = await submit();
    const added = await upload(processId, {
      file: { bytes: pdfBytes('Letter to Alex Citizen'), name: 'letter-to-alex-citizen.pdf' },
      visibleToCitizen: 'true',
      title: 'Letter to Alex Citizen',
    });
    assert.equal(added.status, 201);
    const doc = (await added.json()) as DocumentBody;
    const admin = await t.key([], { admin: true });
    const erase = await fetch(`${t.url}/api/v1/admin/processes/${processId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Erasure request' }),
    });
    assert.equal(erase.status, 200, await erase.clone().text());
    const row = ((await t.hub.db.rows(`select name, title, storage_key, size from documents where id = $1`, [doc.id])) as Record<string, unknown>[])[0]!;
    assert.deepEqual(row, { name: 'erased', title: null, storage_key: null, size: '0' });
    const texts = (
      (await t.hub.db.rows(`select text from timeline_events where process_id = $1 and kind = 'document'`, [processId])) as { text: string }[]
    ).map((e) => e.text);
    assert.deepEqual(texts, ['The council added a document']);
    assert.equal((await fetch(`${t.url}/track/${token}/documents/${doc.id}`)).status, 404);
    const again = await upload(processId, { file: { bytes: pdfBytes(), name: 'more.pdf' }, visibleToCitizen: 'true' });
    assert.equal(again.status, 410);
  });
});
