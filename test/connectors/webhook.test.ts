// The webhook connector against a real receiving server: what it sends (XML or JSON envelope, signed, idempotency key),
// how it reads the back office's reference, how it classifies failures, the SSRF guard, check() and signed callbacks.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateWebhookSecret,
  PermanentError,
  responseExcerpt,
  RetryableError,
  retryAfterMs,
  verifyWebhook,
  webhookHeaders,
  type ConnectorContext,
  type InboundHandler,
  type ProcessApi,
  type DocumentToAdd,
} from '@closeloop/sdk';
import { connector } from '../../connectors/webhook/index.ts';
import { webhookConfigSchema, type WebhookConfig } from '../../connectors/webhook/config.ts';
import type { PreparedBinding } from '../../connectors/webhook/prepared-binding.ts';
import { webhookJsonBodySchema } from '../../connectors/webhook/body.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { closeOpenedContexts, deliveryJob, inboundRequest, noProcesses, openedContext } from '../contract/delivery-job.ts';

const secret = generateWebhookSecret();
let receiver: WebhookReceiver;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('connectors/webhook', () => {
  before(async () => {
    receiver = await startWebhookReceiver(secret, { referencePrefix: 'EH' });
  });
  after(async () => {
    await closeOpenedContexts();
    await receiver.close();
  });
  beforeEach(() => receiver.reset());

  /** A binding context, opened as the hub opens it; each call is a new binding (its own agent). */
  function binding(config: Record<string, unknown> = {}, processes: ProcessApi = noProcesses): ConnectorContext<WebhookConfig, PreparedBinding> {
    return openedContext(
      connector,
      'backoffice',
      webhookConfigSchema.parse({ url: receiver.url, secret, allowPrivateNetwork: true, timeoutMs: 1000, ...config }),
      processes,
    );
  }

  function rejectsWith<E extends Error>(type: new (...args: never[]) => E, check: (err: E) => void = () => {}) {
    return (err: unknown) => {
      assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
      check(err);
      return true;
    };
  }

  describe('what is sent', () => {
    test('XML: the validated XML as the body, signed, with webhook-id and Idempotency-Key set to the delivery id', async () => {
      const ctx = binding({ headers: { 'X-Api-Gateway-Key': 'gw-123' } });
      const job = deliveryJob();
      const before = Math.floor(Date.now() / 1000);
      await connector.deliver(job, ctx);
      const [got] = receiver.requests;
      assert.ok(got);
      assert.equal(got.method, 'POST');
      assert.equal(got.path, '/inbox');
      assert.equal(got.body, job.xml);
      assert.equal(got.verified, true);
      assert.equal(got.id, job.deliveryId);
      assert.equal(got.idempotencyKey, job.deliveryId);
      assert.equal(got.headers['content-type'], 'application/xml; charset=utf-8');
      assert.equal(got.headers['x-api-gateway-key'], 'gw-123');
      assert.equal(got.headers['user-agent'], 'Closeloop');
      const ts = Number(got.headers['webhook-timestamp']);
      assert.ok(ts >= before && ts <= before + 2);
      assert.equal(verifyWebhook(secret, got.headers, Buffer.from(got.body)), job.deliveryId);
    });

    test('JSON: the envelope with process, answers, XML and document links (no bytes)', async () => {
      const job = deliveryJob();
      await connector.deliver(job, binding({ format: 'json', url: `${receiver.url}?tenant=eh` }));
      const [got] = receiver.requests;
      assert.equal(got!.path, '/inbox?tenant=eh');
      assert.equal(got!.headers['content-type'], 'application/json');
      assert.equal(got!.verified, true);
      const p = job.process;
      const d = job.documents[0]!;
      assert.deepEqual(JSON.parse(got!.body), {
        deliveryId: job.deliveryId,
        binding: 'contract',
        process: {
          id: p.id,
          reference: p.reference,
          serviceId: p.serviceId,
          serviceVersion: p.serviceVersion,
          serviceTitle: p.serviceTitle,
          submittedAt: p.submittedAt,
        },
        answers: p.answers,
        xml: job.xml,
        documents: [{ id: d.id, kind: d.kind, name: d.name, contentType: d.contentType, size: d.size, sha256: d.sha256, url: d.url }],
      });
      // The shape docs/configuration.md documents (a strict schema: nothing more, nothing less).
      assert.ok(
        webhookJsonBodySchema.safeParse(JSON.parse(got!.body)).success,
        JSON.stringify(webhookJsonBodySchema.safeParse(JSON.parse(got!.body)).error?.issues),
      );
    });

    test('every attempt of a delivery carries the same ids, over one kept-alive connection', async () => {
      const ctx = binding();
      const job = deliveryJob();
      for (let attempt = 1; attempt <= 4; attempt++) await connector.deliver({ ...job, attempt }, ctx);
      assert.deepEqual([...receiver.distinctIds()], [job.deliveryId]);
      assert.equal(receiver.records().size, 1);
      assert.equal(new Set(receiver.requests.map((r) => r.remotePort)).size, 1, 'the connection was reused');
    });

    test('the config refuses extra headers that would replace the signature or idempotency headers', () => {
      for (const name of ['webhook-signature', 'Idempotency-Key', 'Content-Type']) {
        const parsed = webhookConfigSchema.safeParse({ url: receiver.url, secret, headers: { [name]: 'x' } });
        assert.equal(parsed.success, false, name);
        assert.deepEqual(
          parsed.error!.issues.map((i) => i.path.join('.')),
          ['headers'],
        );
      }
    });
  });

  describe("the back office's reference", () => {
    test('from a header', async () => {
      const result = await connector.deliver(deliveryJob(), binding({ reference: { header: 'X-Sandbox-Reference' } }));
      assert.match(result.externalRef!, /^EH-\d+$/);
      assert.equal(result.externalRef, receiver.requests[0]!.ref);
    });

    test('from a dotted JSON path', async () => {
      receiver.script([{ status: 201, body: JSON.stringify({ case: { id: 4711, status: 'open' } }) }]);
      assert.equal((await connector.deliver(deliveryJob(), binding({ reference: { jsonPath: 'case.id' } }))).externalRef, '4711');
    });

    test('from an XPath with namespaces', async () => {
      receiver.script([
        { status: 200, body: '<r:Receipt xmlns:r="urn:bo"><r:CaseRef> CR/2025/77 </r:CaseRef></r:Receipt>', headers: { 'content-type': 'application/xml' } },
      ]);
      const result = await connector.deliver(deliveryJob(), binding({ reference: { xpath: '/r:Receipt/r:CaseRef', namespaces: { r: 'urn:bo' } } }));
      assert.equal(result.externalRef, 'CR/2025/77');
    });

    test('absent or unreadable: delivered without one (the case exists)', async () => {
      receiver.script([
        { status: 200, body: 'not json' },
        { status: 200, body: '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>' },
      ]);
      assert.equal((await connector.deliver(deliveryJob(), binding({ reference: { jsonPath: 'case.id' } }))).externalRef, undefined);
      assert.equal(
        (await connector.deliver(deliveryJob(), binding({ reference: { xpath: '/x' } }))).externalRef,
        undefined,
        'a DOCTYPE is refused, not parsed',
      );
      assert.equal((await connector.deliver(deliveryJob(), binding())).externalRef, undefined, 'no reference configured');
    });
  });

  describe('failures', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      test(`${status} is retryable`, async () => {
        receiver.script([status]);
        await assert.rejects(
          connector.deliver(deliveryJob(), binding()),
          rejectsWith(RetryableError, (e) => assert.equal(e.responseExcerpt, `status ${status}`)),
        );
      });
    }

    for (const status of [400, 401, 403, 404, 409, 410, 413, 422, 302]) {
      test(`${status} is permanent`, async () => {
        receiver.script([status]);
        await assert.rejects(
          connector.deliver(deliveryJob(), binding()),
          rejectsWith(PermanentError, (e) => assert.match(e.message, new RegExp(`answered ${status}$`))),
        );
      });
    }

    test('Retry-After in seconds or as an HTTP date becomes retryAfterMs', async () => {
      receiver.script([
        { status: 429, retryAfter: '7' },
        { status: 503, retryAfter: new Date(Date.now() + 90_000).toUTCString() },
      ]);
      await assert.rejects(
        connector.deliver(deliveryJob(), binding()),
        rejectsWith(RetryableError, (e) => assert.equal(e.retryAfterMs, 7000)),
      );
      await assert.rejects(
        connector.deliver(deliveryJob(), binding()),
        rejectsWith(RetryableError, (e) => assert.ok(e.retryAfterMs! > 85_000 && e.retryAfterMs! <= 90_000, String(e.retryAfterMs))),
      );
    });

    test('retryAfterMs: seconds, dates, nonsense and the one-day cap', () => {
      const now = Date.parse('2025-01-01T12:00:00Z');
      assert.equal(retryAfterMs('120', now), 120_000);
      assert.equal(retryAfterMs(' 5 ', now), 5000);
      assert.equal(retryAfterMs('Wed, 01 Jan 2025 12:01:00 GMT', now), 60_000);
      assert.equal(retryAfterMs('Wed, 01 Jan 2025 11:00:00 GMT', now), undefined, 'in the past');
      assert.equal(retryAfterMs('soon', now), undefined);
      assert.equal(retryAfterMs('0', now), undefined);
      assert.equal(retryAfterMs(undefined, now), undefined);
      assert.equal(retryAfterMs('999999', now), 86_400_000);
    });

    test('the response excerpt is at most 2 KB and never splits a character', async () => {
      receiver.script([{ status: 500, body: 'é'.repeat(5000) }]);
      await assert.rejects(
        connector.deliver(deliveryJob(), binding()),
        rejectsWith(RetryableError, (e) => {
          assert.ok(Buffer.byteLength(e.responseExcerpt!) <= 2048);
          assert.equal(e.responseExcerpt, 'é'.repeat(1024));
        }),
      );
      assert.equal(responseExcerpt(Buffer.from('a' + 'é'.repeat(1100))), 'a' + 'é'.repeat(1023));
    });

    test('no answer within timeoutMs is retryable, and does not wait longer', async () => {
      receiver.script(['timeout']);
      const started = Date.now();
      await assert.rejects(
        connector.deliver(deliveryJob(), binding({ timeoutMs: 200 })),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /no response within 200 ms/)),
      );
      const took = Date.now() - started;
      // The receiver never answers: well under its 'forever', with room for a loaded machine.
      assert.ok(took >= 190 && took < 2_000, `${took} ms`);
    });

    test('an answer that starts but never finishes also times out', async () => {
      const slow = http.createServer((_req, res) => {
        res.writeHead(200);
        res.write('partial');
      });
      await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
        await assert.rejects(connector.deliver(deliveryJob(), binding({ url, timeoutMs: 200 })), RetryableError);
      } finally {
        slow.closeAllConnections();
        await new Promise<void>((r) => slow.close(() => r()));
      }
    });

    test('a lost answer and a refused connection are retryable', async () => {
      receiver.script(['drop']);
      await assert.rejects(
        connector.deliver(deliveryJob(), binding()),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /socket hang up|ECONNRESET/)),
      );
      await assert.rejects(
        connector.deliver(deliveryJob(), binding({ url: 'http://127.0.0.1:9/inbox' })),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /ECONNREFUSED/)),
      );
    });
  });

  describe('the SSRF guard', () => {
    test('without allowPrivateNetwork, loopback targets are refused before anything is sent, as permanent', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [receiver.url, `http://localhost:${port}/inbox`, `http://[::ffff:127.0.0.1]:${port}/inbox`]) {
        await assert.rejects(
          connector.deliver(deliveryJob(), binding({ url, allowPrivateNetwork: false })),
          rejectsWith(PermanentError, (e) => assert.match(e.message, /set allowPrivateNetwork on the binding to allow it/)),
          url,
        );
      }
      assert.equal(receiver.requests.length, 0);
    });
  });

  describe('check()', () => {
    test('passes a good binding without sending anything', async () => {
      assert.deepEqual(await connector.check!(binding()), { ok: true, problems: [] });
      assert.equal(receiver.requests.length, 0);
    });

    test('reports a private target and an unresolvable host', async () => {
      const privateTarget = await connector.check!(binding({ allowPrivateNetwork: false }));
      assert.equal(privateTarget.ok, false);
      assert.deepEqual(privateTarget.problems, [
        'url: 127.0.0.1 is a loopback, private or link-local address; set allowPrivateNetwork on the binding to allow it',
      ]);
      const nowhere = await connector.check!(binding({ url: 'http://closeloop-test.invalid/hook' }));
      assert.equal(nowhere.ok, false);
      assert.match(nowhere.problems[0]!, /^url: closeloop-test\.invalid does not resolve/);
    });

    test('the schema refuses a malformed secret and a non-http URL, with defaults for the rest', () => {
      const parsed = webhookConfigSchema.safeParse({ url: 'ftp://example.org/', secret: 'whsec_short' });
      assert.equal(parsed.success, false);
      assert.deepEqual(Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])), {
        url: 'must be an http or https URL',
        secret: 'must be whsec_ followed by base64 of at least 16 bytes',
      });
      const ok = webhookConfigSchema.parse({ url: 'https://example.org/hook', secret });
      assert.deepEqual(ok, { url: 'https://example.org/hook', secret, format: 'xml', timeoutMs: 10_000, allowPrivateNetwork: false, headers: {} });
    });
  });

  describe('signed callbacks (POST /connectors/{binding}/events)', () => {
    const notes: { processId: string; text: string; eventId?: string }[] = [];
    const seen = new Set<string>();
    const processes: ProcessApi = {
      ...noProcesses,
      find: async (ref) => (ref.externalRef === 'EH-9' ? { id: 'p-1', serviceId: 'noise', status: 'delivered', externalRef: 'EH-9' } : null),
      addNote: async (processId, note, _actor, options) => {
        if (options?.eventId && seen.has(options.eventId)) return { applied: false };
        if (options?.eventId) seen.add(options.eventId);
        notes.push({ processId, text: note.text, eventId: options?.eventId });
        return { applied: true };
      },
    };
    let handler: InboundHandler;
    before(() => {
      connector.inbound!(
        { get: () => assert.fail('no GET routes'), post: (path, h) => (assert.equal(path, '/events'), (handler = h)) },
        binding({}, processes),
      );
    });
    const call = (body: string | Buffer, headers: Record<string, string>, type = 'application/json') =>
      handler(inboundRequest({ method: 'POST', path: '/events', headers: { 'content-type': type, ...headers }, rawBody: Buffer.from(body) }));

    test('a signed event is applied once; its redelivery is acknowledged as a duplicate', async () => {
      const body = JSON.stringify({ type: 'note.added', externalRef: 'EH-9', text: 'Officer assigned.', visibleToCitizen: true });
      const headers = webhookHeaders(secret, 'evt_1', body);
      assert.deepEqual(await call(body, headers), { status: 200, body: { processId: 'p-1', applied: true } });
      assert.deepEqual(await call(body, headers), { status: 200, body: { processId: 'p-1', applied: false, duplicate: true } });
      assert.deepEqual(notes, [{ processId: 'p-1', text: 'Officer assigned.', eventId: 'evt_1' }]);
    });

    test('unsigned, wrongly signed and stale events are refused with 401', async () => {
      const body = JSON.stringify({ type: 'note.added', externalRef: 'EH-9', text: 'Forged.', visibleToCitizen: true });
      assert.equal((await call(body, {})).status, 401);
      assert.equal((await call(body, webhookHeaders(generateWebhookSecret(), 'evt_2', body))).status, 401);
      assert.equal((await call(body, webhookHeaders(secret, 'evt_3', body, Date.now() - 10 * 60_000))).status, 401);
      assert.equal(notes.filter((n) => n.text === 'Forged.').length, 0);
    });

    test("document.added hands the document to the hub: inline bytes decoded, a URL with the binding's allowPrivateNetwork", async () => {
      const added: { processId: string; document: DocumentToAdd; eventId?: string }[] = [];
      let documentHandler: InboundHandler | undefined;
      const withDocuments: ProcessApi = {
        ...processes,
        addDocument: async (processId, document, _actor, options) => {
          added.push({ processId, document, eventId: options?.eventId });
          return { applied: true, documentId: 'd-1' };
        },
      };
      for (const allowPrivateNetwork of [true, false]) {
        connector.inbound!(
          {
            get: () => assert.fail('no GET routes'),
            post: (_path, h, options) => {
              assert.ok((options?.maxBodyBytes ?? 0) > 2.7 * 1024 * 1024, 'room for a 2 MB document in base64');
              documentHandler = h;
            },
          },
          binding({ allowPrivateNetwork }, withDocuments),
        );
        const body = JSON.stringify({ type: 'document.added', externalRef: 'EH-9', visibleToCitizen: true, url: 'https://bo.example/files/1.pdf' });
        const res = await documentHandler!(
          inboundRequest({
            method: 'POST',
            path: '/events',
            headers: { 'content-type': 'application/json', ...webhookHeaders(secret, `evt_doc_${allowPrivateNetwork}`, body) },
            rawBody: Buffer.from(body),
          }),
        );
        assert.deepEqual(res, { status: 200, body: { processId: 'p-1', applied: true, documentId: 'd-1' } });
      }
      assert.deepEqual(
        added.map((a) => a.document.allowPrivateNetwork),
        [true, false],
      );
      const inline = JSON.stringify({
        type: 'document.added',
        externalRef: 'EH-9',
        visibleToCitizen: false,
        fileName: 'a.txt',
        contentBase64: Buffer.from('hello').toString('base64'),
      });
      const both = JSON.stringify({ type: 'document.added', externalRef: 'EH-9', visibleToCitizen: true, url: 'https://x/1.pdf', contentBase64: 'aGk=' });
      assert.equal(
        (
          await documentHandler!(
            inboundRequest({
              method: 'POST',
              path: '/events',
              headers: { 'content-type': 'application/json', ...webhookHeaders(secret, 'evt_doc_both', both) },
              rawBody: Buffer.from(both),
            }),
          )
        ).status,
        422,
      );
      const inlineRes = await documentHandler!(
        inboundRequest({
          method: 'POST',
          path: '/events',
          headers: { 'content-type': 'application/json', ...webhookHeaders(secret, 'evt_doc_inline2', inline) },
          rawBody: Buffer.from(inline),
        }),
      );
      assert.equal(inlineRes.status, 200);
      assert.deepEqual(Buffer.from(added.at(-1)!.document.content!), Buffer.from('hello'));
      assert.equal(added.at(-1)!.eventId, 'evt_doc_inline2');
    });

    test('a signed but invalid event: 422; an unknown reference: 404', async () => {
      const invalid = JSON.stringify({ type: 'note.added', externalRef: 'EH-9' });
      assert.equal((await call(invalid, webhookHeaders(secret, 'evt_4', invalid))).status, 422);
      const unknown = JSON.stringify({ type: 'note.added', externalRef: 'EH-404', text: 'x', visibleToCitizen: false });
      assert.equal((await call(unknown, webhookHeaders(secret, 'evt_5', unknown))).status, 404);
    });

    test("a signed event is held to the API's JSON rules: JSON type and UTF-8 only, no key twice, no text XML cannot carry", async () => {
      const event = (text: string) => JSON.stringify({ type: 'note.added', externalRef: 'EH-9', text, visibleToCitizen: true });
      const refused = async (body: string | Buffer, status: number, type?: string) => {
        const res = await call(body, webhookHeaders(secret, `evt_${status}_${notes.length}`, body), type);
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.headers?.['content-type'], 'application/problem+json');
        return res.body as { detail: string; errors?: { field: string; message: string }[] };
      };
      // The last key used to win: the back office's own tools may read the first.
      const twice = await refused(event('Twice.').replace('"visibleToCitizen":true', '"visibleToCitizen":false,"visibleToCitizen":true'), 422);
      assert.deepEqual(twice.errors, [{ field: 'visibleToCitizen', message: 'appears more than once' }]);
      assert.match((await refused(event('Plain text.'), 415, 'text/plain')).detail, /Send application\/json/);
      assert.match((await refused(event('UTF-16 claimed.'), 415, 'application/json; charset=utf-16')).detail, /must be UTF-8, not utf-16/);
      assert.match(
        (await refused(Buffer.concat([Buffer.from(event('a#').split('#')[0]!), Buffer.from([0xff]), Buffer.from('"}')]), 400)).detail,
        /not valid UTF-8/,
      );
      assert.deepEqual((await refused(event('Bell \u0007.'), 422)).errors, [
        { field: 'text', message: 'contains a character that cannot be sent on (U+0007): only tab, line breaks and printable characters are allowed' },
      ]);
      assert.equal(notes.filter((n) => n.text !== 'Officer assigned.').length, 0, 'nothing applied');
      const ok = event('Tab\tand\nlines.');
      assert.equal((await call(ok, webhookHeaders(secret, 'evt_ok', ok), 'application/json; charset=utf-8')).status, 200);
    });
  });

  describe('close()', () => {
    test('releases idle connections; the connector still delivers afterwards', async () => {
      const ctx = binding();
      await connector.deliver(deliveryJob(), ctx);
      await connector.close!(ctx.state);
      await connector.deliver(deliveryJob(), ctx);
      assert.equal(receiver.requests.length, 2);
      assert.notEqual(receiver.requests[0]!.remotePort, receiver.requests[1]!.remotePort, 'a new connection after close');
    });
  });
});
