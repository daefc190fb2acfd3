// Bad input, class by class: every refusal is a 4xx application/problem+json with a detail or a field that says what was
// wrong, and NOTHING is stored or changed (row counts and contents of every table a request can write, and the files in
// the document folder, are compared before and after). What is accepted (hostile-looking text, odd file names) is stored
// verbatim or sanitised as documented, and rendered escaped on every page that shows it.
// SOAP answers with a DTD (XXE, external DTD, billion laughs) are in test/connectors/soap.test.ts; parseXmlSafely itself in
// test/xml/xml.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { signUpStaff } from '../staff/support.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { webhookHeaders } from '@closeloop/sdk';
import { loadXsd, parseXmlSafely, UnsafeXmlError, validateXml } from '../../core/xml/index.ts';
import { fixtureNoiseAnswers, startDtdHost } from './support.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';

const XXE_FILE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r><Reference>&xxe;</Reference></r>';
const externalDtd = (url: string) => `<?xml version="1.0"?><!DOCTYPE r SYSTEM "${url}"><r><Reference>&ext;</Reference></r>`;
const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><r><Reference>&lol9;</Reference></r>';

const SQL = "'); drop table processes;--";
const SCRIPT = '<script>alert(1)</script>';

const validAnswers = fixtureNoiseAnswers;

/** Every table a request could write, with its row count and a digest of its contents. */
const TABLES = [
  'processes',
  'documents',
  'tasks',
  'deliveries',
  'timeline_events',
  'notifications',
  'audit_events',
  'tracking_tokens',
  'form_sessions',
  'idempotency_keys',
  'inbound_events',
  'service_versions',
];
/** Tables of plugins, there when a binding uses the plugin (the sandbox connector's inbox in the example council). */
const PLUGIN_TABLES = ['sandbox_inbox'];

interface Snapshot {
  tables: Record<string, string>;
  files: string[];
}

async function snapshot(t: TestHub): Promise<Snapshot> {
  const tables: Record<string, string> = {};
  const present = await t.hub.db.rows('select t from unnest($1::text[]) t where to_regclass(t) is not null', [PLUGIN_TABLES]);
  for (const table of [...TABLES, ...(present as { t: string }[]).map((r) => r.t)]) {
    const rows = await t.hub.db.rows(`select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest from ${table} x`);
    const r = (rows as { n: number; digest: string }[])[0]!;
    tables[table] = `${r.n} rows, ${r.digest}`;
  }
  return { tables, files: await filesUnder(t.config.paths.documents) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/** Runs `fn`; asserts that no table and no file changed meanwhile. */
async function changesNothing(t: TestHub, fn: () => Promise<void>): Promise<void> {
  const before = await snapshot(t);
  await fn();
  assert.deepEqual(await snapshot(t), before, 'nothing was stored or changed');
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  field?: string;
}

/** Asserts a problem+json refusal with this status; `detail` must match, and each of `fields` must be named in `errors`. */
async function refused(res: Response, status: number, expect: { detail?: RegExp; fields?: [string, RegExp?][] } = {}): Promise<Problem> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, text);
  const p = JSON.parse(text) as Problem;
  assert.equal(p.status, status);
  assert.ok(p.title, 'a title');
  if (expect.detail) assert.match(p.detail ?? '', expect.detail, text);
  for (const [field, message] of expect.fields ?? []) {
    const e = p.errors?.find((x) => x.field === field);
    assert.ok(e, `errors names ${field}: ${text}`);
    if (message) assert.match(e.message, message, text);
  }
  return p;
}

/** A multipart body built byte by byte (FormData would clean the names and text we want to send as they are). */
type Part =
  | { name: string; value: string | Buffer; type?: string }
  | { name: string; filename: string | Buffer; type: string; bytes: Buffer }
  | { name: string; filenameStar: string; type: string; bytes: Buffer };

function multipart(parts: Part[]): { body: Buffer; type: string } {
  const boundary = `----closeloop${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filenameStar' in p) {
      // RFC 5987 form, as some clients send non-ASCII names: percent-encoded UTF-8.
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename*=${p.filenameStar}\r\nContent-Type: ${p.type}\r\n\r\n`),
        p.bytes,
        Buffer.from('\r\n'),
      );
    } else if ('bytes' in p) {
      chunks.push(
        Buffer.concat([
          Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="`),
          Buffer.from(p.filename),
          Buffer.from(`"\r\nContent-Type: ${p.type}\r\n\r\n`),
        ]),
      );
      chunks.push(p.bytes, Buffer.from('\r\n'));
    } else {
      const type = p.type ? `Content-Type: ${p.type}\r\n` : '';
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n${type}\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(200, 0x41)]);
const HTML = Buffer.from(`<!DOCTYPE html><html><body>${SCRIPT}</body></html>`);

describe('bad input (test council)', () => {
  let t: TestHub;
  let key: string;
  let admin: string;
  const sub = () => `${t.url}/api/v1/services/noise/submissions`;
  const postJson = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const postMultipart = (url: string, m: { body: Buffer; type: string }) =>
    fetch(url, { method: 'POST', headers: { 'content-type': m.type }, body: new Uint8Array(m.body) });
  const asKey = (k: string) => ({ authorization: `Bearer ${k}` });

  async function submitted(answers: Record<string, unknown> = validAnswers()): Promise<{ processId: string; token: string }> {
    const res = await postJson(sub(), JSON.stringify({ answers }));
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { processId: string; trackingUrl: string };
    return { processId: created.processId, token: created.trackingUrl.split('/track/')[1]! };
  }
  const processOf = async (id: string) =>
    (await (await fetch(`${t.url}/api/v1/processes/${id}`, { headers: asKey(key) })).json()) as {
      answers: Record<string, any>;
      documents: { kind: string; name: string; contentType: string; url: string }[];
    };

  before(async () => {
    t = await startTestHub({ configFile: CONFIG });
    key = await t.key(['noise', 'pests'], { name: 'Bad input back office' });
    admin = await t.key(['*'], { admin: true, name: 'Bad input admin' });
  });
  after(async () => {
    await t?.close();
  });

  describe('XML', () => {
    test('no API route takes an XML body: the document declares none, and XML sent to a JSON route is 415', async () => {
      const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
      };
      const types = Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => Object.keys(op.requestBody?.content ?? {})));
      assert.ok(types.length > 0);
      assert.deepEqual(
        types.filter((x) => /xml/i.test(x)),
        [],
        'no XML request bodies',
      );
      await changesNothing(t, async () => {
        for (const body of [XXE_FILE, BILLION_LAUGHS]) {
          await refused(await fetch(sub(), { method: 'POST', headers: { 'content-type': 'application/xml' }, body }), 415, { detail: /application\/json/ });
          await refused(
            await fetch(`${t.url}/api/v1/admin/services/noise/xml-preview`, { method: 'POST', headers: { 'content-type': 'text/xml', ...asKey(admin) }, body }),
            415,
          );
        }
      });
    });

    test('XXE, external-DTD and entity-bomb text inside answers is data: escaped into the XML, never expanded or fetched', async () => {
      const dtdHost = await startDtdHost();
      const dtdUrl = dtdHost.url;
      try {
        await changesNothing(t, async () => {
          for (const evil of [XXE_FILE, externalDtd(dtdUrl), BILLION_LAUGHS]) {
            const res = await postJson(`${t.url}/api/v1/admin/services/noise/xml-preview`, JSON.stringify({ answers: { description: evil } }), asKey(admin));
            assert.equal(res.status, 200);
            const preview = (await res.json()) as { xml: string };
            assert.match(preview.xml, /&lt;!DOCTYPE/, 'the markup is escaped text');
            assert.ok(!preview.xml.includes('<!DOCTYPE'), 'no DOCTYPE in the XML built');
            assert.ok(!/root:x:0:0/.test(preview.xml) && !preview.xml.includes('EXPANDED-FROM-DTD') && !preview.xml.includes('lollollol'), 'nothing expanded');
            assert.ok(preview.xml.length < 5000, 'no growth');
          }
        });
      } finally {
        await dtdHost.close();
      }
      assert.deepEqual(dtdHost.hits, [], 'the DTD host was never contacted');
    });

    test('a draft naming an XSD outside the XSD folder: the preview is 422 (was 500), publishing is refused, nothing is read', async () => {
      const draft = (xsd: string) => ({
        id: 'bonfire',
        title: 'Report a bonfire',
        referencePrefix: 'BON',
        fields: [{ id: 'where', type: 'text', label: 'Where?' }],
        tasks: [{ key: 'triage', title: 'Triage' }],
        bindings: ['backoffice'],
        xml: { xsd, mapping: { root: 'Bonfire', children: [{ element: 'Where', value: { answer: 'where' } }] } },
      });
      for (const xsd of ['../../../../../../etc/passwd', '/etc/passwd', '../services/noise.yaml', 'missing.xsd']) {
        const saved = await postJson(`${t.url}/api/v1/admin/services/bonfire/versions`, JSON.stringify(draft(xsd)), asKey(admin));
        assert.equal(saved.status, 201);
        const { version, problems } = (await saved.json()) as { version: number; problems: { field: string }[] };
        assert.deepEqual(
          problems.map((p) => p.field),
          ['xml.xsd'],
          xsd,
        );
        await changesNothing(t, async () => {
          await refused(
            await postJson(`${t.url}/api/v1/admin/services/bonfire/xml-preview?version=${version}`, '{"answers":{"where":"x"}}', asKey(admin)),
            422,
            { fields: [['xml.xsd']] },
          );
          await refused(await fetch(`${t.url}/api/v1/admin/services/bonfire/versions/${version}/publish`, { method: 'POST', headers: asKey(admin) }), 422, {
            fields: [['xml.xsd']],
          });
        });
      }
      assert.equal(t.hub.catalogue.has('bonfire'), false, 'nothing was published');
    });

    test('every XML entry point of core/xml refuses a DOCTYPE before libxml2 sees it', () => {
      for (const evil of [XXE_FILE, externalDtd('http://127.0.0.1:9/evil.dtd'), BILLION_LAUGHS]) {
        assert.throws(() => parseXmlSafely(evil), UnsafeXmlError);
        const checked = validateXml(evil, loadXsd(t.config.paths.xsd, 'noise.xsd'));
        assert.equal(checked.valid, false);
        assert.match(checked.errors[0]!.message, /DOCTYPE or ENTITY declaration is refused/);
      }
    });

    test('a signed webhook callback carrying XML (XXE, billion laughs) is 415 (400 when it claims to be JSON) and applies nothing', async () => {
      const { processId } = await submitted();
      await changesNothing(t, async () => {
        for (const body of [XXE_FILE, BILLION_LAUGHS, `<note processId="${processId}">&xxe;</note>`]) {
          const headers = { 'content-type': 'application/xml', ...webhookHeaders(t.env.TEST_WEBHOOK_SECRET!, `msg_${randomUUID()}`, body) };
          await refused(await fetch(`${t.url}/connectors/backoffice/events`, { method: 'POST', headers, body }), 415, { detail: /application\/json/ });
          await refused(
            await fetch(`${t.url}/connectors/backoffice/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }),
            400,
            { detail: /not valid JSON|must be a JSON object/ },
          );
          await refused(await fetch(`${t.url}/connectors/backoffice/events`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body }), 401, {
            detail: /signature/,
          });
        }
      });
    });
  });

  describe('bodies', () => {
    test('oversized JSON (server.limits.jsonBytes) is 413 before it is parsed', async () => {
      const { processId } = await submitted();
      const limit = t.config.server.limits.jsonBytes;
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), JSON.stringify({ answers: { description: 'x'.repeat(limit) } })), 413, { detail: /too large/ });
        await refused(
          await postJson(`${t.url}/api/v1/processes/${processId}/notes`, JSON.stringify({ text: 'x'.repeat(limit), visibleToCitizen: true }), asKey(key)),
          413,
        );
      });
    });

    test('oversized multipart (server.limits.multipartBytes, files, field size) is 413, with or without a Content-Length, and no file is kept', async () => {
      const limits = t.config.server.limits;
      const big = pngBytes(limits.multipartBytes + 1000, 'too-big');
      await changesNothing(t, async () => {
        const declared = await postMultipart(
          sub(),
          multipart([
            { name: 'answers', value: JSON.stringify(validAnswers()) },
            { name: 'evidence', filename: 'big.png', type: 'image/png', bytes: big },
          ]),
        );
        await refused(declared, 413, { detail: new RegExp(`larger than ${limits.multipartBytes} bytes`) });

        // Chunked: no Content-Length to refuse up front, so the limit is enforced while streaming.
        const m = multipart([
          { name: 'answers', value: JSON.stringify(validAnswers()) },
          { name: 'evidence', filename: 'a.png', type: 'image/png', bytes: pngBytes(90_000, 'chunk-a') },
          ...Array.from({ length: 40 }, (_, i) => ({ name: `filler${i}`, value: 'y'.repeat(60_000) })),
          { name: 'evidence', filename: 'b.png', type: 'image/png', bytes: pngBytes(90_000, 'chunk-b') },
        ]);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < m.body.length; i += 64 * 1024) controller.enqueue(new Uint8Array(m.body.subarray(i, i + 64 * 1024)));
            controller.close();
          },
        });
        const chunked = await fetch(sub(), { method: 'POST', headers: { 'content-type': m.type }, body: stream, duplex: 'half' } as RequestInit);
        await refused(chunked, 413, { detail: /larger than|too long|Too many/ });

        const tooMany = multipart([
          { name: 'answers', value: JSON.stringify(validAnswers()) },
          ...Array.from({ length: limits.files + 1 }, (_, i) => ({
            name: 'evidence',
            filename: `p${i}.png`,
            type: 'image/png',
            bytes: pngBytes(500, `many-${i}`),
          })),
        ]);
        await refused(await postMultipart(sub(), tooMany), 413, { detail: new RegExp(`At most ${limits.files} files`) });

        await refused(await postMultipart(sub(), multipart([{ name: 'description', value: 'z'.repeat(70 * 1024) }])), 413, {
          detail: /"description" is too long/,
        });
      });
    });

    test('deeply nested JSON (10,000 levels) is 422 naming where, on every JSON route (the XML preview answered 500 before)', async () => {
      const { processId } = await submitted();
      const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
      const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
      await changesNothing(t, async () => {
        const p = await refused(await postJson(sub(), `{"answers":{"description":${deepObject(10_000)}}}`), 422);
        assert.match(p.errors![0]!.field, /^answers\.description(\.a)+$/);
        assert.match(p.errors![0]!.message, /nested more than 64 levels/);
        await refused(await postJson(sub(), `{"answers":${deepArray(10_000)}}`), 422, { detail: /not valid/ });
        await refused(
          await postJson(`${t.url}/api/v1/admin/services/noise/xml-preview`, `{"answers":{"description":${deepObject(10_000)}}}`, asKey(admin)),
          422,
        );
        await refused(await postJson(`${t.url}/api/v1/processes/${processId}/notes`, `{"text":${deepArray(10_000)},"visibleToCitizen":true}`, asKey(key)), 422);
        await refused(await postJson(`${t.url}/api/v1/admin/services/bonfire/versions`, `{"id":"bonfire","title":${deepArray(10_000)}}`, asKey(admin)), 422);
        // Within the limit a nested answer is an ordinary validation error.
        await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), description: { a: { b: 'c' } } } })), 422, {
          fields: [['description', /must be text/]],
        });
      });
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'still alive');
    });

    test('malformed JSON and JSON that is not an object are 400 problems', async () => {
      await changesNothing(t, async () => {
        for (const body of ['{"answers":', '{"answers" {}}', "{'answers':{}}", '{"answers":{}}}', '"just a string"', 'null', '42']) {
          await refused(await postJson(sub(), body), 400, { detail: /not valid JSON|must be a JSON object/ });
        }
        await refused(await postJson(sub(), '[]'), 422, { fields: [['body', /expected object/]] });
      });
    });

    test('an object key __proto__ is refused (400) and pollutes nothing', async () => {
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), '{"answers":{"__proto__":{"polluted":true}}}'), 400);
        await refused(await postMultipart(sub(), multipart([{ name: 'source[__proto__]', value: 'yes' }])), 400, {
          detail: /field name "source\[__proto__\]" is not valid/,
        });
        await refused(await postMultipart(sub(), multipart([{ name: 'source.constructor', value: 'yes' }])), 400, { detail: /is not valid/ });
        // Part names starting with "_" are form plumbing (_csrf) and ignored: this one is dropped, not applied.
        const ignored = await refused(
          await postMultipart(
            sub(),
            multipart([
              { name: '__proto__.polluted', value: 'yes' },
              { name: 'noiseType', value: 'music' },
            ]),
          ),
          422,
        );
        assert.ok(!ignored.errors!.some((e) => e.field.includes('proto')), JSON.stringify(ignored.errors));
        // In an answers part, JSON.parse makes "__proto__" an ordinary key: an unknown question.
        await refused(await postMultipart(sub(), multipart([{ name: 'answers', value: '{"__proto__":{"polluted":true},"noiseType":"music"}' }])), 422, {
          fields: [['__proto__', /not a question/]],
        });
      });
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    });
  });

  describe('content types', () => {
    test('a JSON route refuses text/plain, form encoding, XML, multipart and no type with 415', async () => {
      const { processId } = await submitted();
      const notes = `${t.url}/api/v1/processes/${processId}/notes`;
      const note = JSON.stringify({ text: 'hello', visibleToCitizen: true });
      await changesNothing(t, async () => {
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
          await refused(await fetch(notes, { method: 'POST', headers: { 'content-type': type, ...asKey(key) }, body: note }), 415, {
            detail: /application\/json/,
          });
        }
        // Multipart went through to the route (the parser leaves it for the routes that stream it) and was a 422 before: now 415.
        const m = multipart([
          { name: 'text', value: 'hello' },
          { name: 'visibleToCitizen', value: 'true' },
        ]);
        await refused(await fetch(notes, { method: 'POST', headers: { 'content-type': m.type, ...asKey(key) }, body: new Uint8Array(m.body) }), 415, {
          detail: /Send application\/json/,
        });
        await refused(await fetch(notes, { method: 'POST', headers: asKey(key), body: new Uint8Array(Buffer.from(note)) }), 415);
        // Submissions take JSON or multipart, nothing else.
        await refused(
          await fetch(sub(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ answers: validAnswers() }) }),
          415,
        );
        await refused(await fetch(sub(), { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'no boundary' }), 400, {
          detail: /no boundary/,
        });
        await refused(
          await fetch(sub(), {
            method: 'POST',
            headers: { 'content-type': 'multipart/form-data; boundary=x' },
            body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
          }),
          400,
          { detail: /malformed|Unexpected end/ },
        );
      });
    });
  });

  describe('files', () => {
    test('bytes that are not their declared type are 415 naming the file, and nothing is kept', async () => {
      await changesNothing(t, async () => {
        for (const [name, bytes, type, detail] of [
          ['photo.png', EXE, 'image/png', /photo\.png.*sent as image\/png but its bytes are application\/x-msdownload/],
          ['photo.png', HTML, 'image/png', /photo\.png.*sent as image\/png but its bytes are text\/plain/],
          ['scan.pdf', pngBytes(800, 'pdf-claim'), 'application/pdf', /scan\.pdf.*sent as application\/pdf but its bytes are image\/png/],
          ['setup.exe', EXE, 'application/octet-stream', /setup\.exe.*application\/x-msdownload, which this question does not accept/],
          ['page.html', HTML, 'text/html', /page\.html/],
        ] as const) {
          const m = multipart([
            { name: 'answers', value: JSON.stringify(validAnswers()) },
            { name: 'evidence', filename: 'ok.png', type: 'image/png', bytes: pngBytes(700, `ok-${name}`) },
            { name: 'evidence', filename: name, type, bytes },
          ]);
          const p = await refused(await postMultipart(sub(), m), 415, { detail });
          assert.equal(p.field, 'evidence');
        }
      });
    });

    test('file names with raw control characters (NUL, BEL, ESC, DEL) in the part header are refused (400), nothing kept', async () => {
      await changesNothing(t, async () => {
        for (const raw of ['a\u0000b.pdf', 'a\u0007b.pdf', 'a\u001bb.pdf', 'a\u007fb.pdf']) {
          const m = multipart([
            { name: 'answers', value: JSON.stringify(validAnswers()) },
            { name: 'evidence', filename: Buffer.from(raw), type: 'application/pdf', bytes: pdfBytes(raw) },
          ]);
          await refused(await postMultipart(sub(), m), 400, { detail: /multipart body is malformed: Malformed part header/ });
        }
      });
    });

    test('file names: paths, encoded NUL and control characters, bidi overrides are removed; the name is stored so, the bytes under their hash', async () => {
      const cases: [Part, string][] = [
        [{ name: 'evidence', filename: '../../etc/passwd.png', type: 'application/pdf', bytes: pdfBytes('1') }, 'passwd.png'],
        [{ name: 'evidence', filename: '..\\..\\windows\\system32\\evil.png', type: 'application/pdf', bytes: pdfBytes('2') }, 'evil.png'],
        [{ name: 'evidence', filenameStar: "UTF-8''a%00b%07c%1Bd%0D%0A.png", type: 'application/pdf', bytes: pdfBytes('3') }, 'abcd.png'],
        [{ name: 'evidence', filenameStar: "UTF-8''..%2F..%2F%2Fetc%2Fshadow", type: 'application/pdf', bytes: pdfBytes('4') }, 'shadow'],
        [{ name: 'evidence', filename: 'night\tphoto.png', type: 'application/pdf', bytes: pdfBytes('5') }, 'nightphoto.png'],
        [{ name: 'evidence', filename: 'photo\u202egnp.exe', type: 'application/pdf', bytes: pdfBytes('6') }, 'photognp.exe'],
        [{ name: 'evidence', filename: '.htaccess', type: 'application/pdf', bytes: pdfBytes('7') }, 'htaccess'],
        [{ name: 'evidence', filename: `a${'😀'.repeat(250)}.png`, type: 'application/pdf', bytes: pdfBytes('8') }, `a${'😀'.repeat(199)}`],
        [{ name: 'evidence', filename: '<img src=x onerror=alert(1)>.pdf', type: 'application/pdf', bytes: pdfBytes('9') }, '<img src=x onerror=alert(1)>.pdf'],
      ];
      const parts = cases.map(([part]) => part);
      const names: string[] = [];
      for (let i = 0; i < parts.length; i += 3) {
        const m = multipart([{ name: 'answers', value: JSON.stringify(validAnswers()) }, ...parts.slice(i, i + 3)]);
        const created = await postMultipart(sub(), m);
        assert.equal(created.status, 201, await created.clone().text());
        const proc = await processOf(((await created.json()) as { processId: string }).processId);
        names.push(
          ...proc.documents
            .filter((d) => d.kind === 'evidence')
            .map((d) => d.name)
            .sort((a, b) => a.localeCompare(b)),
        );
        for (const d of proc.documents.filter((x) => x.kind === 'evidence')) {
          const dl = await fetch(d.url.replace(t.config.server.publicBaseUrl, t.url), { headers: asKey(key) });
          assert.equal(dl.status, 200, 'downloadable, whatever its name');
          assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''/);
          assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
          await dl.arrayBuffer();
        }
      }
      assert.deepEqual(names.sort(), cases.map(([, expected]) => expected).sort());
      for (const name of names) {
        // eslint-disable-next-line no-control-regex -- control characters are what this asserts are gone
        assert.ok(!/[\u0000-\u001f\u007f\u202e/\\]/.test(name), `clean: ${JSON.stringify(name)}`);
        assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(name), 'no half a character');
      }
      for (const f of await filesUnder(t.config.paths.documents))
        assert.match(f, /^(tmp\/)?[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/, `stored by hash only: ${f}`);
    });
  });

  describe('patterns from a service definition (ReDoS)', () => {
    const REDOS = ['(a+)+b', '(a|aa)+$', '(.*a){12}'];
    const service = (id: string, prefix: string, patterns: string[]) => ({
      id,
      title: 'Pattern check',
      referencePrefix: prefix,
      tasks: [{ key: 'triage', title: 'Triage' }],
      fields: patterns.map((pattern, i) => ({
        id: `p${i}`,
        type: 'text',
        label: `Code ${i}`,
        required: false,
        pattern,
        patternMessage: `Enter code ${i} in the right format`,
      })),
    });
    const saveDraft = async (def: ReturnType<typeof service>) => {
      const res = await postJson(`${t.url}/api/v1/admin/services/${def.id}/versions`, JSON.stringify(def), asKey(admin));
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { version: number; problems: { field: string; message: string }[] };
    };

    test('(a+)+b, (a|aa)+$ and (.*a){12} against 10,000 characters answer at once through the server (backtracking never ends)', async () => {
      const { version, problems } = await saveDraft(service('redos', 'RDS', REDOS));
      assert.deepEqual(problems, []);
      assert.equal((await fetch(`${t.url}/api/v1/admin/services/redos/versions/${version}/publish`, { method: 'POST', headers: asKey(admin) })).status, 200);
      const url = `${t.url}/api/v1/services/redos/submissions`;
      // Each answer fails its pattern only at its end: the worst case for a backtracking engine (2^10000 ways to try).
      const worst = { p0: 'a'.repeat(10_000), p1: `${'a'.repeat(9_999)}!`, p2: `${'a'.repeat(11)}${'b'.repeat(9_989)}` };
      // Generous for a loaded 2-core machine; JavaScript's RegExp did not finish any of these in minutes.
      const BUDGET_MS = 10_000;
      for (const [field, text] of Object.entries(worst)) {
        const started = performance.now();
        const p = await refused(await postJson(url, JSON.stringify({ answers: { [field]: text } })), 422, { fields: [[field, /right format/]] });
        const ms = performance.now() - started;
        assert.equal(p.errors!.length, 1);
        assert.ok(ms < BUDGET_MS, `${field} answered in ${Math.round(ms)} ms`);
      }
      const started = performance.now();
      await refused(await postJson(url, JSON.stringify({ answers: worst })), 422, { fields: [['p0'], ['p1'], ['p2']] });
      assert.ok(performance.now() - started < BUDGET_MS, 'all three at once');
      // Matching answers are accepted, also at the length limit; one character more is refused before any matching.
      const ok = await postJson(url, JSON.stringify({ answers: { p0: `${'a'.repeat(9_999)}b`, p1: 'a'.repeat(10_000), p2: 'a'.repeat(10_000) } }));
      assert.equal(ok.status, 201, await ok.clone().text());
      await refused(await postJson(url, JSON.stringify({ answers: { p1: 'a'.repeat(10_001) } })), 422, { fields: [['p1', /10000 characters or less/]] });
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'still alive');
    });

    test('a pattern RE2 cannot run (backreference, lookaround) is a problem naming the field at draft save and publish', async () => {
      const unsupported = ['(a)\\1', '(?=a)a', '(?!a)b', '(?<=a)b', '(?<!a)b', '[a-z'];
      const { version, problems } = await saveDraft(service('lookaround', 'LKA', ['[A-Z]{2}[0-9]{4}', ...unsupported]));
      assert.deepEqual(
        problems.map((p) => p.field),
        unsupported.map((_, i) => `fields.${i + 1}.pattern`),
        JSON.stringify(problems),
      );
      for (const p of problems.slice(0, 5)) assert.match(p.message, /cannot be used: .*RE2 syntax, which has no backreferences/);
      await changesNothing(t, async () => {
        const p = await refused(
          await fetch(`${t.url}/api/v1/admin/services/lookaround/versions/${version}/publish`, { method: 'POST', headers: asKey(admin) }),
          422,
        );
        assert.deepEqual(
          p.errors!.map((e) => e.field),
          unsupported.map((_, i) => `fields.${i + 1}.pattern`),
        );
      });
      assert.equal(t.hub.catalogue.has('lookaround'), false, 'nothing was published');
    });

    test('check-config names the file, line and field of a pattern RE2 cannot run', () => {
      const dir = mkdtempSync(join(tmpdir(), 'closeloop-patterns-'));
      cpSync('test/fixtures/config', dir, { recursive: true });
      writeFileSync(
        join(dir, 'services', 'lookbehind.yaml'),
        [
          'id: lookbehind',
          'title: Lookbehind',
          'referencePrefix: LKB',
          'fields:',
          '  - id: code',
          '    type: text',
          '    label: Code',
          "    pattern: '(?<=x)y'",
          'tasks:',
          '  - { key: triage, title: Triage }',
          '',
        ].join('\n'),
      );
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'check-config', '--config', join(dir, 'closeloop.yaml')], {
        encoding: 'utf8',
        env: { ...process.env, ...t.env },
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /lookbehind\.yaml:8: fields\.0\.pattern: cannot be used: .*RE2 syntax/);
      assert.doesNotMatch(r.stdout, /(noise|pests)\.yaml/, 'patterns RE2 can run are no problem');
    });
  });

  describe('text that cannot be stored', () => {
    test('NUL characters and lone surrogates are 422 naming the field, in JSON, multipart and notes (answered 500 before)', async () => {
      const { processId } = await submitted();
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), description: 'a\u0000b' } })), 422, {
          fields: [['answers.description', /NUL/]],
        });
        await refused(await postJson(sub(), JSON.stringify({ answers: validAnswers() }).replace('"Loud music', '"\\ud800Loud music')), 422, {
          fields: [['answers.description', /lone surrogate/]],
        });
        await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), ['bad\u0000key']: 1 } })), 422, {
          fields: [['answers.bad\u0000key', /NUL/]],
        });
        const withFile = multipart([
          { name: 'answers', value: JSON.stringify({ ...validAnswers(), description: 'a\u0000b' }) },
          { name: 'evidence', filename: 'photo.png', type: 'image/png', bytes: pngBytes(900, 'nul-case') },
        ]);
        await refused(await postMultipart(sub(), withFile), 422, { fields: [['description', /NUL/]] });
        await refused(
          await postMultipart(
            sub(),
            multipart([
              { name: 'noiseType', value: 'music' },
              { name: 'description', value: 'x\u0000y' },
            ]),
          ),
          422,
          { fields: [['description', /NUL/]] },
        );
        const notes = `${t.url}/api/v1/processes/${processId}/notes`;
        await refused(await postJson(notes, JSON.stringify({ text: 'a\u0000b', visibleToCitizen: true }), asKey(key)), 422, { fields: [['text', /NUL/]] });
        await refused(await postJson(notes, '{"text":"a\\udc00b","visibleToCitizen":true}', asKey(key)), 422, { fields: [['text', /lone surrogate/]] });
        await refused(await postJson(`${t.url}/api/v1/processes/${processId}/close`, JSON.stringify({ reason: 'done\u0000' }), asKey(key)), 422, {
          fields: [['reason', /NUL/]],
        });
        await refused(await fetch(`${t.url}/api/v1/processes?service=%00`, { headers: asKey(key) }), 400, { fields: [['service', /NUL/]] });
      });
    });

    test('invalid UTF-8 bytes are 400 and a charset other than UTF-8 is 415, in JSON, multipart and notes (they were stored as U+FFFD)', async () => {
      const { processId } = await submitted();
      const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);
      const [head, tail] = JSON.stringify({ answers: { ...validAnswers(), description: 'ab#c' } }).split('#') as [string, string];
      const json = Buffer.concat([Buffer.from(head), bad, Buffer.from(tail)]);
      const utf8 = JSON.stringify({ answers: { ...validAnswers(), description: 'Café, 20 € a night' } });
      const notes = `${t.url}/api/v1/processes/${processId}/notes`;
      const description = Buffer.concat([Buffer.from('ab'), bad, Buffer.from('c')]);
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), json), 400, { detail: /not valid UTF-8/ });
        await refused(await postJson(sub(), json, { 'content-type': 'application/json; charset=utf-8' }), 400, { detail: /not valid UTF-8/ });
        await refused(await postJson(notes, Buffer.concat([Buffer.from('{"text":"a'), bad, Buffer.from('","visibleToCitizen":true}')]), asKey(key)), 400, {
          detail: /not valid UTF-8/,
        });
        for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"windows-1252"']) {
          await refused(await postJson(sub(), utf8, { 'content-type': `application/json; charset=${charset}` }), 415, { detail: /must be UTF-8/ });
        }
        await refused(
          await postJson(notes, '{"text":"hi","visibleToCitizen":true}', { 'content-type': 'application/json; charset=utf-16', ...asKey(key) }),
          415,
        );
        // Multipart: a text part of its own, the answers part, and a part declaring UTF-8 (as .NET's StringContent does).
        const parts = (p: Part) => multipart([{ name: 'answers', value: JSON.stringify({ ...validAnswers(), description: undefined }) }, p]);
        await refused(await postMultipart(sub(), parts({ name: 'description', value: description })), 400, { fields: [['description', /not valid UTF-8/]] });
        await refused(await postMultipart(sub(), parts({ name: 'description', value: description, type: 'text/plain; charset=utf-8' })), 400, {
          fields: [['description']],
        });
        await refused(await postMultipart(sub(), multipart([{ name: 'answers', value: json.subarray(11, -1) }])), 400, {
          fields: [['answers', /not valid UTF-8/]],
        });
        const utf16 = await refused(
          await postMultipart(sub(), parts({ name: 'description', value: Buffer.from('hello', 'utf16le'), type: 'text/plain; charset=utf-16le' })),
          415,
          { detail: /"description" must be UTF-8, not utf-16le/ },
        );
        assert.equal(utf16.field, 'description');
        await refused(await postMultipart(sub(), parts({ name: 'description', value: 'x', type: 'text/plain; charset=shift_jis' })), 415);
      });
      // Valid UTF-8 is accepted however it is labelled, and stored as sent.
      for (const res of [
        await postJson(sub(), utf8, { 'content-type': 'application/json; charset=UTF-8' }),
        await postJson(sub(), utf8, { 'content-type': 'application/json;charset="utf8"' }),
        await postMultipart(
          sub(),
          multipart([
            { name: 'answers', value: JSON.stringify({ ...validAnswers(), description: undefined }) },
            { name: 'description', value: 'Café, 20 € a night', type: 'text/plain; charset=utf-8' },
          ]),
        ),
      ]) {
        assert.equal(res.status, 201, await res.clone().text());
        assert.equal((await processOf(((await res.json()) as { processId: string }).processId)).answers.description, 'Café, 20 € a night');
      }
      const rows = await t.hub.db.rows(`select count(*)::int as n from processes where position(chr(65533) in answers::text) > 0`);
      assert.equal((rows as { n: number }[])[0]!.n, 0, 'no U+FFFD stored');
    });

    test('characters XML 1.0 cannot carry (C0 controls, U+FFFE, U+FFFF) are 422 naming the field; tab, CR and LF are text', async () => {
      const { processId } = await submitted();
      const notes = `${t.url}/api/v1/processes/${processId}/notes`;
      await changesNothing(t, async () => {
        for (const [char, code] of [
          ['\u0001', 'U+0001'],
          ['\u000b', 'U+000B'],
          ['\u001f', 'U+001F'],
          ['\ufffe', 'U+FFFE'],
          ['\uffff', 'U+FFFF'],
        ] as const) {
          const message = new RegExp(`cannot be sent on \\(${code.replace('+', '\\+')}\\)`);
          await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), description: `a${char}b` } })), 422, {
            fields: [['answers.description', message]],
          });
          await refused(
            await postMultipart(
              sub(),
              multipart([
                { name: 'noiseType', value: 'music' },
                { name: 'description', value: `x${char}y` },
              ]),
            ),
            422,
            { fields: [['description', message]] },
          );
          await refused(await postJson(notes, JSON.stringify({ text: `a${char}b`, visibleToCitizen: true }), asKey(key)), 422, { fields: [['text', message]] });
        }
        // Raw (not escaped) U+FFFE in the JSON text, and a control character in a key.
        await refused(await postJson(sub(), `{"answers":${JSON.stringify({ ...validAnswers(), description: 'a\ufffeb' })}}`), 422, {
          fields: [['answers.description']],
        });
        await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), 'k\u0002': 1 } })), 422, {
          fields: [['answers.k\u0002', /U\+0002/]],
        });
        await refused(await postJson(`${t.url}/api/v1/processes/${processId}/close`, JSON.stringify({ reason: 'done\u0007' }), asKey(key)), 422, {
          fields: [['reason', /U\+0007/]],
        });
      });
      const ok = await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), description: 'Line one,\tthen a tab.\r\nLine two.\nLine three.' } }));
      assert.equal(ok.status, 201, await ok.clone().text());
      assert.equal(
        (await processOf(((await ok.json()) as { processId: string }).processId)).answers.description,
        'Line one,\tthen a tab.\nLine two.\nLine three.',
      );
    });

    test('signed callbacks follow the same rules: 400 for invalid UTF-8, 415 for another type or charset, 422 for a duplicate key or a control character', async () => {
      const { processId } = await submitted();
      const events = `${t.url}/connectors/backoffice/events`;
      const signed = (body: string | Buffer, type = 'application/json') =>
        fetch(events, {
          method: 'POST',
          headers: { 'content-type': type, ...webhookHeaders(t.env.TEST_WEBHOOK_SECRET!, `msg_${randomUUID()}`, body) },
          body: typeof body === 'string' ? body : new Uint8Array(body),
        });
      const note = (text: string) => JSON.stringify({ type: 'note.added', processId, text, visibleToCitizen: true });
      await changesNothing(t, async () => {
        await refused(await signed(Buffer.concat([Buffer.from(note('a#').split('#')[0]!), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), 400, {
          detail: /not valid UTF-8/,
        });
        await refused(await signed(note('hello'), 'text/plain'), 415, { detail: /application\/json/ });
        await refused(await signed(note('hello'), 'application/json; charset=utf-16'), 415, { detail: /must be UTF-8/ });
        await refused(await signed(note('hello').replace('"visibleToCitizen":true', '"visibleToCitizen":false,"visibleToCitizen":true')), 422, {
          fields: [['visibleToCitizen', /more than once/]],
        });
        await refused(await signed(note('a\u000bb')), 422, { fields: [['text', /U\+000B/]] });
        await refused(await signed(note('a\uffffb')), 422, { fields: [['text', /U\+FFFF/]] });
      });
      const ok = await signed(note('Signed and plain.'), 'application/json; charset=utf-8');
      assert.equal(ok.status, 200, await ok.clone().text());
    });
  });

  describe('unknown and duplicate fields', () => {
    test('unknown fields are 422 naming the field itself, on bodies, answers and the query', async () => {
      const { processId } = await submitted();
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), JSON.stringify({ answers: validAnswers(), extra: 1 })), 422, { fields: [['extra', /not a known field/]] });
        await refused(await postJson(sub(), JSON.stringify({ answers: { ...validAnswers(), unknownField: 1 } })), 422, {
          fields: [['unknownField', /not a question/]],
        });
        await refused(
          await postJson(
            `${t.url}/api/v1/processes/${processId}/notes`,
            JSON.stringify({ text: 'hi', visibleToCitizen: true, sneaky: true, also: 2 }),
            asKey(key),
          ),
          422,
          { fields: [['sneaky'], ['also']] },
        );
        const task = await fetch(`${t.url}/api/v1/processes/${processId}/tasks/triage`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', ...asKey(key) },
          body: JSON.stringify({ status: 'completed', admin: true }),
        });
        await refused(task, 422, { fields: [['admin', /not a known field/]] });
        await refused(await fetch(`${t.url}/api/v1/processes?foo=1`, { headers: asKey(key) }), 400, { fields: [['foo', /not a known field/]] });
      });
    });

    test('duplicate JSON keys are 422 naming the duplicate (JSON.parse would silently keep the last)', async () => {
      const { processId } = await submitted();
      const answers = JSON.stringify(validAnswers());
      await changesNothing(t, async () => {
        await refused(await postJson(sub(), `{"answers":${answers.replace('{', '{"noiseType":"dog",')}}`), 422, {
          fields: [['answers.noiseType', /more than once/]],
        });
        await refused(await postJson(sub(), `{"answers":{},"answers":${answers}}`), 422, { fields: [['answers', /more than once/]] });
        await refused(await postJson(sub(), `{"answers":${answers.replace('"line1"', '"line1":"x","line1"')}}`), 422, { fields: [['answers.source.line1']] });
        await refused(
          await postJson(`${t.url}/api/v1/processes/${processId}/notes`, '{"text":"private","visibleToCitizen":false,"visibleToCitizen":true}', asKey(key)),
          422,
          { fields: [['visibleToCitizen', /more than once/]] },
        );
        await refused(await postMultipart(sub(), multipart([{ name: 'answers', value: answers.replace('{', '{"email":"other@example.com",') }])), 422, {
          fields: [['email', /more than once/]],
        });
        await refused(
          await postMultipart(
            sub(),
            multipart([
              { name: 'answers', value: answers },
              { name: 'answers', value: answers },
            ]),
          ),
          400,
          { detail: /only once/ },
        );
        // An answer in the answers part and as a part of its own, or a part inside an answer twice: which should win is a guess.
        const p = await refused(
          await postMultipart(
            sub(),
            multipart([
              { name: 'answers', value: answers },
              { name: 'description', value: 'Overridden.' },
              { name: 'source.postcode', value: 'EX9 9ZZ' },
            ]),
          ),
          422,
          {
            fields: [
              ['description', /both in the answers part and as a part of its own/],
              ['source.postcode', /both in the answers part/],
            ],
          },
        );
        assert.equal(p.errors!.length, 2);
        const { description: _d, source: _s, times: _t, ...rest } = validAnswers();
        const separate = (extra: Part[]) => multipart([{ name: 'answers', value: JSON.stringify(rest) }, { name: 'description', value: 'Loud.' }, ...extra]);
        await refused(
          await postMultipart(
            sub(),
            separate([
              { name: 'source.line1', value: '1 A Road' },
              { name: 'source.line1', value: '2 B Road' },
              { name: 'source.postcode', value: 'EX1 2AB' },
            ]),
          ),
          422,
          { fields: [['source.line1', /more than once/]] },
        );
        await refused(
          await postMultipart(
            sub(),
            separate([
              { name: 'source[line1]', value: '1 A Road' },
              { name: 'source.line1', value: '2 B Road' },
              { name: 'source.postcode', value: 'EX1 2AB' },
            ]),
          ),
          422,
          { fields: [['source.line1', /more than once/]] },
        );
        await refused(
          await postMultipart(
            sub(),
            separate([
              { name: 'source.line1', value: '1 A Road' },
              { name: 'source', value: 'x' },
            ]),
          ),
          422,
          { fields: [['source', /more than once/]] },
        );
        await refused(await postMultipart(sub(), separate([{ name: 'description', value: 'Twice.' }])), 422, {
          fields: [['description', /more than once|must be text/]],
        });
        // Keys that only look alike are different keys.
        const distinct = await postJson(`${t.url}/api/v1/admin/services/noise/xml-preview`, '{"answers":{"a":1,"A":2,"a\\u0301":3,"\\u00e1":4}}', asKey(admin));
        assert.equal(distinct.status, 200);
      });
      // Parts that each give a different answer, or a repeated plain part (ticked checkboxes), are fine.
      const { description: _d, source: _s, times: _t, ...rest } = validAnswers();
      const merged = multipart([
        { name: 'answers', value: JSON.stringify(rest) },
        { name: 'description', value: 'Loud.' },
        { name: 'source.line1', value: '1 A Road' },
        { name: 'source[postcode]', value: 'EX1 2AB' },
        { name: 'times', value: 'day' },
        { name: 'times', value: 'night' },
      ]);
      const res = await postMultipart(sub(), merged);
      assert.equal(res.status, 201, await res.clone().text());
      const stored = (await processOf(((await res.json()) as { processId: string }).processId)).answers;
      assert.deepEqual([stored.description, stored.source, stored.times], ['Loud.', { line1: '1 A Road', postcode: 'EX1 2AB' }, ['day', 'night']]);
    });
  });

  describe('hostile text is stored verbatim and shown escaped', () => {
    test('SQL and script strings: verbatim in the API, escaped on the tracking page and in the form copy', async () => {
      const answers = { ...validAnswers(), description: `${SQL} ${SCRIPT}`, source: { line1: SCRIPT, town: SQL, postcode: 'EX1 2AB' } };
      const m = multipart([
        { name: 'answers', value: JSON.stringify(answers) },
        { name: 'evidence', filename: '<svg onload=alert(1)>.png', type: 'image/png', bytes: pngBytes(600, 'xss-name') },
      ]);
      const res = await postMultipart(sub(), m);
      assert.equal(res.status, 201, await res.clone().text());
      const { processId, trackingUrl } = (await res.json()) as { processId: string; trackingUrl: string };
      const note = `${SCRIPT} & "quotes" '${SQL}`;
      assert.equal(
        (await postJson(`${t.url}/api/v1/processes/${processId}/notes`, JSON.stringify({ text: note, visibleToCitizen: true }), asKey(key))).status,
        201,
      );
      const reason = `<img src=x onerror=alert(1)> ${SQL}`;
      assert.equal((await postJson(`${t.url}/api/v1/processes/${processId}/close`, JSON.stringify({ reason }), asKey(key))).status, 200);

      const proc = await processOf(processId);
      assert.equal(proc.answers.description, answers.description, 'stored verbatim');
      assert.deepEqual(proc.answers.source, { ...answers.source, postcode: 'EX1 2AB' });
      const tables = await t.hub.db.rows(`select count(*)::int as n from processes`);
      assert.ok((tables as { n: number }[])[0]!.n > 0, 'the processes table is still there');
      const track = (await (await fetch(trackingUrl.replace(t.config.server.publicBaseUrl, `${t.url}/api/v1`))).json()) as {
        timeline: { text: string }[];
        closedReason: string;
        documents: { name: string }[];
      };
      assert.ok(
        track.timeline.some((e) => e.text === note),
        'the note verbatim in the JSON view',
      );
      assert.equal(track.closedReason, reason);
      assert.deepEqual(
        track.documents.map((d) => d.name),
        ['<svg onload=alert(1)>.png'],
      );

      const page = await (await fetch(trackingUrl.replace(t.config.server.publicBaseUrl, t.url), { headers: { accept: 'text/html' } })).text();
      for (const raw of [SCRIPT, '<img src=x', '<svg onload']) assert.ok(!page.includes(raw), `tracking page has no raw ${raw}`);
      assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;&#39;); drop table processes;--'), 'the note, escaped');
      assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the reason, escaped');
      assert.ok(page.includes('&lt;svg onload=alert(1)&gt;.png'), 'the file name, escaped');

      const copy = proc.documents.find((d) => d.kind === 'form-html')!;
      const html = await (await fetch(copy.url.replace(t.config.server.publicBaseUrl, t.url), { headers: asKey(key) })).text();
      assert.ok(!html.includes(SCRIPT) && html.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && html.includes('&#39;); drop table processes;--'));
    });

    test('the form journey: hostile answers escaped on the question page (with errors) and on check your answers', async () => {
      const cookies = new Map<string, string>();
      const jar = (r: Response) => {
        for (const c of r.headers.getSetCookie()) {
          const [kv] = c.split(';');
          const i = kv!.indexOf('=');
          cookies.set(kv!.slice(0, i), kv!.slice(i + 1));
        }
      };
      const headers = () => ({ cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html' });
      const get = async (path: string) => {
        const r = await fetch(`${t.url}${path}`, { headers: headers(), redirect: 'manual' });
        jar(r);
        return { status: r.status, html: await r.text(), location: r.headers.get('location') };
      };
      const post = async (page: string, fields: Record<string, string | Buffer>) => {
        const form = await get(`/services/noise/${page}`);
        assert.equal(form.status, 200, `${page}: ${form.html.slice(0, 200)}`);
        const action = /<form[^>]*action="([^"]+)"/.exec(form.html)![1]!.replace(/&amp;/g, '&');
        const m = multipart(Object.entries(fields).map(([name, value]) => ({ name, value })));
        const r = await fetch(`${t.url}${action}`, {
          method: 'POST',
          headers: { ...headers(), 'content-type': m.type },
          body: new Uint8Array(m.body),
          redirect: 'manual',
        });
        jar(r);
        return { status: r.status, html: await r.text(), location: r.headers.get('location') };
      };
      const longScript = `${'x'.repeat(500)}"><script>alert(2)</script>`;
      const tooLong = await post('description', { description: longScript });
      assert.equal(tooLong.status, 422);
      assert.ok(!tooLong.html.includes('<script>alert(2)'), 'the re-shown value is escaped');
      assert.ok(tooLong.html.includes('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
      const before = await snapshot(t);
      const nul = await post('description', { description: 'a\u0000b' });
      assert.equal(nul.status, 422, 'NUL in a form field is refused (it was a 500)');
      assert.match(nul.html, /NUL character/);
      // A character XML cannot carry (it was kept in the session and sent on), and bytes that are not UTF-8.
      const control = await post('description', { description: 'a\u000bb' });
      assert.equal(control.status, 422);
      assert.match(control.html, /U\+000B/);
      const invalid = await post('description', { description: Buffer.from([0x61, 0xff, 0x62]) });
      assert.equal(invalid.status, 400);
      assert.match(invalid.html, /not valid UTF-8/);
      assert.deepEqual(await snapshot(t), before, 'the form session did not change');

      assert.equal((await post('noiseType', { noiseType: 'music' })).status, 302);
      assert.equal((await post('description', { description: `${SQL} ${SCRIPT}` })).status, 302);
      assert.equal(
        // The address question, alone on its page, opens on the finder: typed lines go to its manual entry.
        (await post('source?manual=1', { 'source.line1': SCRIPT, 'source.town': `<b onmouseover=alert(3)>${SQL}`, 'source.postcode': 'EX1 2AB' })).status,
        302,
      );
      assert.equal((await post('started', { 'started-day': '1', 'started-month': '10', 'started-year': '2026' })).status, 302);
      const check = await get('/services/noise/check-answers');
      assert.equal(check.status, 200);
      assert.match(check.html, /Check your answers/);
      for (const raw of [SCRIPT, '<b onmouseover']) assert.ok(!check.html.includes(raw), `no raw ${raw}`);
      assert.ok(check.html.includes(`&#39;); drop table processes;-- &lt;script&gt;alert(1)&lt;/script&gt;`), 'the description, escaped');
      assert.ok(check.html.includes('&lt;b onmouseover=alert(3)&gt;&#39;); drop table processes;--'), 'the town, escaped');
    });
  });
});

describe('bad input (example council: the sandbox back office)', () => {
  let t: TestHub;
  let secret: string;
  const inbox = (body: string, signed = true) =>
    fetch(`${t.url}/sandbox/inbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', ...(signed ? webhookHeaders(secret, `msg_${randomUUID()}`, body) : {}) },
      body,
    });

  before(async () => {
    t = await startTestHub({ configFile: 'config/closeloop.yaml' });
    secret = String(t.hub.config.bindings.sandbox!.config.secret);
    assert.match(secret, /^whsec_/);
  });
  after(async () => {
    await t?.close();
  });

  test('signed XML with XXE, an external DTD or a billion laughs is refused before parsing; nothing stored, nothing fetched', async () => {
    const dtdHost = await startDtdHost();
    const dtdUrl = dtdHost.url;
    try {
      await changesNothing(t, async () => {
        for (const body of [XXE_FILE, externalDtd(dtdUrl), BILLION_LAUGHS, '<!doctype r><r/>']) {
          await refused(await inbox(body), 422, { detail: /DOCTYPE or ENTITY/ });
          await refused(await inbox(body, false), 401);
        }
      });
    } finally {
      await dtdHost.close();
    }
    assert.deepEqual(dtdHost.hits, [], 'the DTD host was never contacted');
  });

  test('a reference with script and SQL is stored verbatim and shown escaped on /sandbox', async () => {
    const reference = `${SCRIPT}${SQL}`;
    const xml = `<?xml version="1.0"?><Delivery><Reference>${reference.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</Reference></Delivery>`;
    const res = await inbox(xml);
    assert.equal(res.status, 202, await res.clone().text());
    const rows = await t.hub.db.rows('select reference from sandbox_inbox');
    assert.deepEqual(
      (rows as { reference: string }[]).map((r) => r.reference),
      [reference],
    );
    // The sandbox's page is behind staff sign-in.
    const { browser } = await signUpStaff(t, { role: 'operator' });
    const page = await (await fetch(`${t.url}/staff/connectors/sandbox/`, { headers: { cookie: `closeloop_staff=${browser.sessionCookie()}` } })).text();
    assert.match(page, /Sandbox back office/);
    assert.ok(!page.includes(SCRIPT), 'no raw script');
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;&#39;); drop table processes;--'), 'escaped');
  });
});
