// The SOAP connector against a real SOAP server (the `soap` package's own, test/peers/soap-backoffice): WS-Security,
// what a case receives (mapped fields, delivery id, evidence inline or by AddAttachment), SOAP 1.1 and 1.2, document
// mode, fault and failure classification, idempotent retries, a DTD-carrying answer, check(), and the config schema.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { PermanentError, RetryableError, type ConnectorContext, type DeliveryJob } from '@closeloop/sdk';
import { connector } from '../../connectors/soap/index.ts';
import { soapConfigSchema, type SoapConfig } from '../../connectors/soap/config.ts';
import type { SoapBinding } from '../../connectors/soap/binding.ts';
import { hasDtd } from '../../connectors/soap/http.ts';
import { startSoapBackoffice, type SoapBackoffice, type SoapStep } from '../peers/soap-backoffice/index.ts';
import { passwordDigest, wsseVerifier } from '../peers/soap-backoffice/wsse.ts';
import { closeOpenedContexts, deliveryJob, openedContext, testDocument } from '../contract/delivery-job.ts';
import { checkConfig } from '../../core/check-config.ts';

let bo: SoapBackoffice;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('connectors/soap', () => {
  before(async () => {
    bo = await startSoapBackoffice({ slowMs: 3000 });
  });
  after(async () => {
    await closeOpenedContexts();
    await bo.close();
  });
  beforeEach(() => bo.reset());

  /** A noise complaint as the hub's service XML (already XSD-valid), with characters that need escaping. */
  const NOISE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<NoiseComplaint xmlns="urn:council:noise:1">
  <Reference>NOI-7KX3M9QP</Reference>
  <NoiseType>music</NoiseType>
  <Description>Bass &amp; drums &lt;every night&gt; after 11pm</Description>
  <Address><Line>12 High Street, Anytown</Line><Postcode>AN1 2BC</Postcode></Address>
  <Reporter><Name>Ann Example</Name><Email>ann@example.org</Email></Reporter>
</NoiseComplaint>`;

  const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const RECORDING = Buffer.from('ID3 a few bytes of a recording');

  /** A job with two evidence files and a form copy (which is not evidence, so not sent). */
  function noiseJob(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
    const job = deliveryJob({ xml: NOISE_XML, process: { reference: 'NOI-7KX3M9QP' } });
    job.documents = [
      testDocument(job.process.id, { name: 'photo.png', contentType: 'image/png', content: PHOTO }),
      testDocument(job.process.id, { name: 'recording.mp3', contentType: 'audio/mpeg', content: RECORDING }),
      testDocument(job.process.id, { name: 'form.json', contentType: 'application/json', content: Buffer.from('{}'), kind: 'form-json' }),
    ];
    return { ...job, ...overrides };
  }

  /** Written deliberately out of the WSDL's order: the connector orders them as the xs:sequence (the server validates). */
  const NOISE_ARGUMENTS = {
    'Contact.Email': '/n:NoiseComplaint/n:Reporter/n:Email',
    'Contact.Name': '/n:NoiseComplaint/n:Reporter/n:Name',
    Description: '/n:NoiseComplaint/n:Description',
    'Location.Postcode': '/n:NoiseComplaint/n:Address/n:Postcode',
    'Location.Address': '/n:NoiseComplaint/n:Address/n:Line',
    ExternalReference: '/n:NoiseComplaint/n:Reference',
    ServiceCode: { value: 'EH-NOISE' },
  };

  function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      // Relative paths resolve from the working directory (the project root when tests run).
      wsdl: relative(process.cwd(), bo.wsdlPath),
      operation: 'CreateServiceRequest',
      endpoint: bo.url,
      timeoutMs: 1000,
      auth: { type: 'wsse', username: bo.username, password: bo.password },
      request: { mode: 'arguments', arguments: NOISE_ARGUMENTS, namespaces: { n: 'urn:council:noise:1' }, idempotencyArgument: 'IdempotencyKey' },
      reference: 'CaseReference',
      attachments: { mode: 'inline' },
      checkOperation: { operation: 'GetStatus', arguments: { CaseReference: 'PING' } },
      ...overrides,
    };
  }

  /** A binding context; each call is a new binding (its own soap client). */
  function binding(overrides: Record<string, unknown> = {}): ConnectorContext<SoapConfig, SoapBinding> {
    return openedContext(connector, 'envhealth', soapConfigSchema.parse(config(overrides)));
  }

  function rejectsWith<E extends Error>(type: new (...args: never[]) => E, check: (err: E) => void = () => {}) {
    return (err: unknown) => {
      assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
      check(err);
      return true;
    };
  }

  const onlyCase = () => {
    assert.equal(bo.cases.size, 1, 'exactly one case');
    return [...bo.cases.values()][0]!;
  };

  describe('delivery with WS-Security', () => {
    test('inline mode: the case holds the mapped fields, the delivery id and both evidence files', async () => {
      const job = noiseJob();
      const result = await connector.deliver(job, binding());
      const c = onlyCase();
      assert.equal(result.externalRef, c.reference);
      assert.match(c.reference, /^EH-\d{5}$/);
      assert.deepEqual(c.fields, {
        ServiceCode: 'EH-NOISE',
        ExternalReference: 'NOI-7KX3M9QP',
        Description: 'Bass & drums <every night> after 11pm',
        Location: { Address: '12 High Street, Anytown', Postcode: 'AN1 2BC' },
        Contact: { Name: 'Ann Example', Email: 'ann@example.org' },
        IdempotencyKey: job.deliveryId,
      });
      assert.deepEqual(
        c.attachments.map((a) => [a.fileName, a.contentType, a.content.toString('hex'), a.via]),
        [
          ['photo.png', 'image/png', PHOTO.toString('hex'), 'inline'],
          ['recording.mp3', 'audio/mpeg', RECORDING.toString('hex'), 'inline'],
        ],
        'evidence only: the form copy is not sent',
      );
      const [req] = bo.requests;
      assert.equal(bo.requests.length, 1);
      assert.equal(req!.soapVersion, '1.1');
      assert.equal(req!.answeredWith, 'ok');
      assert.equal(req!.httpHeaders['idempotency-key'], job.deliveryId);
      assert.equal(req!.security?.username, bo.username);
      assert.equal(req!.security?.passwordType, 'PasswordDigest');
      assert.notEqual(req!.security?.password, bo.password, 'the password itself is not sent');
      assert.ok(result.responseExcerpt!.includes(c.reference) && Buffer.byteLength(result.responseExcerpt!) <= 2048);
    });

    test('operation mode: the case, then one AddAttachment per evidence file with its own idempotency key', async () => {
      const job = noiseJob();
      const ctx = binding({
        attachments: { mode: 'operation', operation: 'AddAttachment', referenceArgument: 'CaseReference', idempotencyArgument: 'IdempotencyKey' },
      });
      const result = await connector.deliver(job, ctx);
      const c = onlyCase();
      assert.equal(result.externalRef, c.reference);
      assert.equal(c.fields.IdempotencyKey, job.deliveryId);
      assert.equal(c.fields.Attachments, undefined, 'nothing inline');
      assert.deepEqual(
        bo.requests.map((r) => r.operation),
        ['CreateServiceRequest', 'AddAttachment', 'AddAttachment'],
      );
      const [photo, recording] = job.documents;
      assert.deepEqual(
        c.attachments.map((a) => [a.fileName, a.contentType, a.content.toString('hex'), a.idempotencyKey, a.via]),
        [
          ['photo.png', 'image/png', PHOTO.toString('hex'), `${job.deliveryId}:${photo!.id}`, 'operation'],
          ['recording.mp3', 'audio/mpeg', RECORDING.toString('hex'), `${job.deliveryId}:${recording!.id}`, 'operation'],
        ],
      );
    });

    test('every call carries a fresh nonce and a current Created time', async () => {
      const ctx = binding();
      await connector.deliver(noiseJob(), ctx);
      await connector.deliver(noiseJob(), ctx);
      const [a, b] = bo.requests.map((r) => r.security!);
      assert.ok(a && b);
      assert.notEqual(a.nonce, b.nonce);
      for (const t of [a, b]) {
        assert.equal(Buffer.from(t.nonce!, 'base64').length, 16);
        assert.ok(Math.abs(Date.parse(t.created!) - Date.now()) < 10_000);
      }
      assert.equal(bo.cases.size, 2);
    });

    test('SOAP 1.2: the 1.2 port gets a 1.2 envelope; Sender faults are permanent, Receiver faults retried', async () => {
      const ctx = binding({ endpoint: bo.url12, port: 'EnvHealthSoap12', soapVersion: '1.2' });
      const result = await connector.deliver(noiseJob(), ctx);
      assert.equal(result.externalRef, onlyCase().reference);
      assert.equal(bo.requests[0]!.soapVersion, '1.2');
      assert.match(String(bo.requests[0]!.httpHeaders['content-type']), /^application\/soap\+xml/);
      bo.script(['client-fault', 'server-fault']);
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /soap:Sender \/ tns:ValidationError/)),
      );
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /soap:Receiver/)),
      );
      assert.equal(bo.cases.size, 1);
    });

    test('basic auth: the Authorization header, and a wrong password is refused as credentials', async () => {
      const basic = await startSoapBackoffice({ auth: 'basic' });
      try {
        const ok = openedContext(
          connector,
          'basic',
          soapConfigSchema.parse(config({ endpoint: basic.url, auth: { type: 'basic', username: basic.username, password: basic.password } })),
        );
        assert.ok((await connector.deliver(noiseJob(), ok)).externalRef);
        assert.equal(basic.requests[0]!.security, null, 'no UsernameToken');
        const wrong = openedContext(
          connector,
          'basic',
          soapConfigSchema.parse(config({ endpoint: basic.url, auth: { type: 'basic', username: basic.username, password: 'wrong' } })),
        );
        await assert.rejects(
          connector.deliver(noiseJob(), wrong),
          rejectsWith(PermanentError, (e) => assert.match(e.message, /refused the credentials/)),
        );
        assert.equal(basic.cases.size, 1);
      } finally {
        await basic.close();
      }
    });
  });

  describe('document mode', () => {
    test('wrapped: the validated XML inside the input element, as is; the delivery id in the idempotency header', async () => {
      const ctx = binding({ operation: 'SubmitCaseDocument', request: { mode: 'document' }, attachments: { mode: 'none' } });
      const job = noiseJob();
      bo.script(['drop']);
      await assert.rejects(connector.deliver(job, ctx), RetryableError);
      const result = await connector.deliver({ ...job, attempt: 2 }, ctx);
      const c = onlyCase();
      assert.equal(result.externalRef, c.reference);
      assert.equal(c.idempotencyKey, job.deliveryId);
      assert.deepEqual(
        bo.requests.map((r) => r.idempotencyHeader),
        [job.deliveryId, job.deliveryId],
      );
      assert.match(c.document!, /^<NoiseComplaint xmlns="urn:council:noise:1">/);
      assert.ok(c.document!.includes('<Description>Bass &amp; drums &lt;every night&gt; after 11pm</Description>'));
    });

    test('body: a root that is the input element is sent as the whole Body', async () => {
      const xml = `<CaseDocument xmlns="urn:example:envhealth:cases:v1">${NOISE_XML.replace(/^<\?xml[^>]*>\s*/, '')}</CaseDocument>`;
      const ctx = binding({ operation: 'SubmitCaseDocument', request: { mode: 'document', placement: 'body' }, attachments: { mode: 'none' } });
      const result = await connector.deliver(noiseJob({ xml }), ctx);
      assert.equal(result.externalRef, onlyCase().reference);
      assert.match(onlyCase().document!, /^<NoiseComplaint xmlns="urn:council:noise:1">/);
    });

    test('body: a root that is not the input element is refused before anything is sent', async () => {
      const ctx = binding({ operation: 'SubmitCaseDocument', request: { mode: 'document', placement: 'body' }, attachments: { mode: 'none' } });
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) =>
          assert.match(
            e.message,
            /\{urn:council:noise:1\}NoiseComplaint is not SubmitCaseDocument's input element \{urn:example:envhealth:cases:v1\}CaseDocument/,
          ),
        ),
      );
      assert.equal(bo.requests.length, 0);
    });
  });

  describe('failures', () => {
    test('a Client fault is permanent at once, with an excerpt of the fault', async () => {
      bo.script(['client-fault']);
      await assert.rejects(
        connector.deliver(noiseJob(), binding()),
        rejectsWith(PermanentError, (e) => {
          assert.match(e.message, /SOAP fault soap:Client: ServiceCode NOISE-X is not a service this system knows \(HTTP 500\)/);
          assert.match(e.responseExcerpt!, /<faultcode>soap:Client<\/faultcode>/);
        }),
      );
      assert.equal(bo.requests.length, 1);
      assert.equal(bo.cases.size, 0);
    });

    test('a Server fault is retryable, and the retry delivers', async () => {
      const ctx = binding();
      const job = noiseJob();
      bo.script(['server-fault']);
      await assert.rejects(
        connector.deliver(job, ctx),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /soap:Server: The case database is not available/)),
      );
      assert.equal(bo.cases.size, 0);
      const result = await connector.deliver({ ...job, attempt: 2 }, ctx);
      assert.equal(result.externalRef, onlyCase().reference);
    });

    test('a slow answer is retryable within about timeoutMs', async () => {
      bo.script(['slow']);
      const started = Date.now();
      await assert.rejects(
        connector.deliver(noiseJob(), binding({ timeoutMs: 500 })),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /no answer within 500 ms/)),
      );
      const elapsed = Date.now() - started;
      // The slow answer would come after 3 s: giving up before it, with room for a loaded machine.
      assert.ok(elapsed >= 450 && elapsed < 2_500, `gave up after ${elapsed} ms`);
    });

    test('a lost answer, then retries: exactly one case, the same reference every time', async () => {
      const ctx = binding();
      const job = noiseJob();
      bo.script(['drop']);
      await assert.rejects(connector.deliver(job, ctx), RetryableError);
      assert.equal(bo.cases.size, 1, 'the back office acted');
      const second = await connector.deliver({ ...job, attempt: 2 }, ctx);
      const third = await connector.deliver({ ...job, attempt: 3 }, ctx);
      assert.equal(second.externalRef, onlyCase().reference);
      assert.equal(third.externalRef, second.externalRef);
      assert.equal(onlyCase().attachments.length, 2, 'the inline files were stored once');
    });

    test('an answer carrying a DOCTYPE/ENTITY is refused and nothing from it is used', async () => {
      bo.script(['dtd']);
      await assert.rejects(
        connector.deliver(noiseJob(), binding()),
        rejectsWith(PermanentError, (e) => {
          assert.match(e.message, /back office answered with a DTD, refused/);
          assert.equal(e.responseExcerpt, undefined);
          assert.ok(!e.message.includes('EH-FROM-DTD'));
        }),
      );
      assert.equal(bo.requests[0]!.answeredWith, 'dtd');
      assert.ok(hasDtd('<!doctype x>') && hasDtd('<!ENTITY a "b">') && !hasDtd('<soap:Envelope/>'));
    });

    test('HTTP statuses without a fault: 5xx and 429 retried with Retry-After, 4xx and redirects permanent, 401 refused credentials', async () => {
      const ctx = binding();
      const steps: [SoapStep, new (...args: never[]) => Error, number | undefined][] = [
        [{ status: 503, retryAfter: '7' }, RetryableError, 7000],
        [{ status: 429, retryAfter: '2' }, RetryableError, 2000],
        [502, RetryableError, undefined],
        [408, RetryableError, undefined],
        [400, PermanentError, undefined],
        [404, PermanentError, undefined],
        [302, PermanentError, undefined],
        [401, PermanentError, undefined],
      ];
      for (const [step, type, retryAfter] of steps) {
        bo.script([step]);
        await assert.rejects(connector.deliver(noiseJob(), ctx), (err: unknown) => {
          assert.ok(err instanceof type, `${JSON.stringify(step)}: got ${String(err)}`);
          if (err instanceof RetryableError) assert.equal(err.retryAfterMs, retryAfter);
          if (step === 401) assert.match((err as Error).message, /refused the credentials \(HTTP 401\)/);
          return true;
        });
      }
      assert.equal(bo.cases.size, 0);
    });

    test('a refused connection is retryable', async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/envhealth/soap11`;
      await new Promise((r) => closed.close(r));
      await assert.rejects(
        connector.deliver(noiseJob(), binding({ endpoint: url })),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /ECONNREFUSED/)),
      );
    });

    test('concurrent deliveries on one binding keep their own idempotency keys and nonces', async () => {
      const ctx = binding({ operation: 'SubmitCaseDocument', request: { mode: 'document' }, attachments: { mode: 'none' } });
      const jobs = Array.from({ length: 8 }, () => noiseJob());
      const results = await Promise.all(jobs.map((job) => connector.deliver(job, ctx)));
      assert.equal(bo.cases.size, 8);
      jobs.forEach((job, i) => assert.equal(bo.cases.get(results[i]!.externalRef!)!.idempotencyKey, job.deliveryId));
      assert.equal(new Set(bo.requests.map((r) => r.security!.nonce)).size, 8);
    });

    test('a request the back office finds invalid against its schema is permanent', async () => {
      // The description's XPath selects nothing: the required Description element is missing.
      const args = { ...NOISE_ARGUMENTS, Description: '/n:NoiseComplaint/n:Nothing' };
      const ctx = binding({ request: { mode: 'arguments', arguments: args, namespaces: { n: 'urn:council:noise:1' }, idempotencyArgument: 'IdempotencyKey' } });
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /soap:Client.*Description/)),
      );
      assert.equal(bo.cases.size, 0);
    });

    test('an answer without the reference is permanent and names the path', async () => {
      await assert.rejects(
        connector.deliver(noiseJob(), binding({ reference: 'Result.CaseId' })),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /no case reference at "Result\.CaseId"/)),
      );
    });

    test('a wrong password is permanent: the back office refused the credentials', async () => {
      const ctx = binding({ auth: { type: 'wsse', username: bo.username, password: 'not-the-password' } });
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /refused the credentials \(SOAP fault wsse:FailedAuthentication/)),
      );
      assert.equal(bo.requests[0]!.answeredWith, 'auth-refused');
      assert.equal(bo.cases.size, 0);
    });
  });

  describe('attachment operation retries', () => {
    const operationMode = { mode: 'operation', operation: 'AddAttachment', referenceArgument: 'CaseReference', idempotencyArgument: 'IdempotencyKey' };

    test('a failed file is retried without a second case or a second copy of the files already added', async () => {
      const ctx = binding({ attachments: operationMode });
      const job = noiseJob();
      bo.script(['ok', 'ok', 'server-fault']);
      await assert.rejects(
        connector.deliver(job, ctx),
        rejectsWith(RetryableError, (e) => assert.match(e.message, /^case EH-\d+ was created, but recording\.mp3 was not added: .*soap:Server/)),
      );
      assert.equal(onlyCase().attachments.length, 1);
      const result = await connector.deliver({ ...job, attempt: 2 }, ctx);
      const c = onlyCase();
      assert.equal(result.externalRef, c.reference);
      assert.deepEqual(
        c.attachments.map((a) => a.fileName),
        ['photo.png', 'recording.mp3'],
      );
      assert.equal(bo.requests.filter((r) => r.operation === 'CreateServiceRequest').length, 2, 'the create was sent again and answered from the first case');
    });

    test('a lost answer to a file: the retry adds it once', async () => {
      const ctx = binding({ attachments: operationMode });
      const job = noiseJob();
      bo.script(['ok', 'drop']);
      await assert.rejects(connector.deliver(job, ctx), RetryableError);
      await connector.deliver({ ...job, attempt: 2 }, ctx);
      assert.deepEqual(
        onlyCase().attachments.map((a) => a.fileName),
        ['photo.png', 'recording.mp3'],
      );
      assert.equal(bo.attachments.length, 2);
    });

    test('without an idempotency argument the per-file key travels in the idempotency header', async () => {
      const ctx = binding({ attachments: { ...operationMode, idempotencyArgument: undefined } });
      // AddAttachment's IdempotencyKey element is required by the schema, so this back office faults: the header is
      // still the one the connector sent (what a WSDL without such an element would rely on).
      await assert.rejects(connector.deliver(noiseJob(), ctx), PermanentError);
      const add = bo.requests.find((r) => r.operation === 'AddAttachment')!;
      assert.match(add.idempotencyHeader!, /^[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    });
  });

  describe('check()', () => {
    test('a good binding passes, calling the check operation', async () => {
      assert.deepEqual(await connector.check!(binding()), { ok: true, problems: [] });
      assert.deepEqual(
        bo.requests.map((r) => r.operation),
        ['GetStatus'],
      );
    });

    test('a wrong password: the back office refused the credentials', async () => {
      const result = await connector.check!(binding({ auth: { type: 'wsse', username: bo.username, password: 'wrong-password' } }));
      assert.equal(result.ok, false);
      assert.equal(result.problems.length, 1);
      assert.match(result.problems[0]!, /^auth: the back office refused the credentials \(SOAP fault wsse:FailedAuthentication: .*wrong password\)$/);
      assert.equal(bo.cases.size, 0);
    });

    test('unknown operations and elements are named, without calling the back office', async () => {
      const result = await connector.check!(binding({ operation: 'CreateCase', checkOperation: { operation: 'Ping' } }));
      assert.equal(result.ok, false);
      assert.deepEqual(result.problems, [
        'operation: port EnvHealthSoap11 of service EnvHealthService has no operation "CreateCase" (it has: CreateServiceRequest, AddAttachment, AddNote, GetStatus, SubmitCaseDocument)',
        'checkOperation.operation: port EnvHealthSoap11 of service EnvHealthService has no operation "Ping" (it has: CreateServiceRequest, AddAttachment, AddNote, GetStatus, SubmitCaseDocument)',
      ]);
      const elements = await connector.check!(
        binding({
          request: {
            mode: 'arguments',
            arguments: { ...NOISE_ARGUMENTS, 'Contact.Mobile': '/n:x' },
            namespaces: { n: 'urn:council:noise:1' },
            idempotencyArgument: 'IdempotencyKey',
          },
        }),
      );
      assert.deepEqual(elements.problems, [
        `request.arguments.Contact.Mobile: CreateServiceRequest's input has no element "Contact.Mobile" (it has: ServiceCode, ExternalReference, Description, Location, Contact, IdempotencyKey, Attachments)`,
      ]);
      assert.match(
        (await connector.check!(binding({ port: 'Soap13' }))).problems[0]!,
        /^port: service EnvHealthService has no port "Soap13" \(it has: EnvHealthSoap11, EnvHealthSoap12\)$/,
      );
      assert.equal(bo.requests.length, 0);
    });

    test('an unreadable TLS file is named', async () => {
      const result = await connector.check!(binding({ tls: { caFile: '/nonexistent/ca.pem' } }));
      assert.equal(result.ok, false);
      assert.match(result.problems[0]!, /^tls: ENOENT.*\/nonexistent\/ca\.pem/);
    });

    test('a missing WSDL file is named', async () => {
      const result = await connector.check!(binding({ wsdl: '/nonexistent/backoffice.wsdl' }));
      assert.equal(result.ok, false);
      assert.match(result.problems[0]!, /^wsdl: \/nonexistent\/backoffice\.wsdl could not be loaded: .*ENOENT/);
    });

    test('a WSDL that imports over the network is refused, and nothing is fetched', async () => {
      let hits = 0;
      const remote = http.createServer((_req, res) => (hits++, res.end('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')));
      await new Promise<void>((r) => remote.listen(0, '127.0.0.1', r));
      try {
        const dir = mkdtempSync(join(tmpdir(), 'soap-wsdl-'));
        const xsdUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/envhealth.xsd`;
        const wsdl = join(dir, 'remote-import.wsdl');
        copyFileSync(join(dirname(bo.wsdlPath), 'envhealth.xsd'), join(dir, 'envhealth.xsd'));
        const original = (await import('node:fs')).readFileSync(bo.wsdlPath, 'utf8');
        writeFileSync(wsdl, original.replace('schemaLocation="envhealth.xsd"', `schemaLocation="${xsdUrl}"`));
        const result = await connector.check!(binding({ wsdl }));
        assert.equal(result.ok, false);
        assert.match(result.problems[0]!, /imports http:\/\/127\.0\.0\.1:\d+\/envhealth\.xsd; imports must be local files/);
        assert.equal(hits, 0);
      } finally {
        remote.close();
      }
    });
  });

  describe('config', () => {
    test('an http(s) WSDL is refused with a field-level message', () => {
      for (const wsdl of ['http://backoffice.example/cases?wsdl', 'https://backoffice.example/cases.wsdl']) {
        const parsed = soapConfigSchema.safeParse(config({ wsdl }));
        assert.equal(parsed.success, false);
        assert.deepEqual(
          parsed.error!.issues.map((i) => [i.path.join('.'), i.message]),
          [
            [
              'wsdl',
              'must be the path to a local WSDL file, not a URL: the hub never fetches a WSDL over the network (download it once and keep it with the config)',
            ],
          ],
        );
      }
    });

    test('inline attachments need arguments mode; defaults are filled in', () => {
      const parsed = soapConfigSchema.safeParse(config({ request: { mode: 'document' }, attachments: { mode: 'inline' } }));
      assert.deepEqual(
        parsed.error!.issues.map((i) => i.path.join('.')),
        ['attachments.mode'],
      );
      const c = soapConfigSchema.parse({ wsdl: 'x.wsdl', operation: 'Op', reference: 'Ref', request: { mode: 'document' } });
      assert.equal(c.soapVersion, '1.1');
      assert.equal(c.timeoutMs, 30_000);
      assert.deepEqual(c.auth, { type: 'none' });
      assert.deepEqual(c.attachments, { mode: 'none' });
      assert.deepEqual(soapConfigSchema.parse(config({ auth: { type: 'wsse', username: 'u', password: 'p' } })).auth, {
        type: 'wsse',
        username: 'u',
        password: 'p',
        passwordType: 'PasswordDigest',
      });
    });
  });

  describe('PasswordText over plain http (issue 14, point 15)', () => {
    const textAuth = { type: 'wsse', username: 'officer', password: 'pa55word', passwordType: 'PasswordText' };
    const issues = (overrides: Record<string, unknown>) =>
      soapConfigSchema.safeParse(config(overrides)).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

    test('is refused by the schema (check-config and start) unless the binding allows insecure transport', () => {
      const refused = issues({ endpoint: 'http://cases.example.gov.uk/soap', auth: textAuth });
      assert.deepEqual(
        refused.map(([path]) => path),
        ['auth.passwordType'],
      );
      assert.match(
        refused[0]![1]!,
        /^PasswordText sends the password in clear, and the endpoint \(http:\/\/cases\.example\.gov\.uk\/soap\) is plain http: use https or PasswordDigest, or set allowInsecureTransport: true/,
      );
      assert.deepEqual(issues({ endpoint: 'http://cases.example.gov.uk/soap', auth: textAuth, allowInsecureTransport: true }), []);
      assert.deepEqual(issues({ endpoint: 'https://cases.example.gov.uk/soap', auth: textAuth }), []);
      assert.deepEqual(issues({ endpoint: 'http://cases.example.gov.uk/soap', auth: { ...textAuth, passwordType: 'PasswordDigest' } }), []);
      assert.equal(soapConfigSchema.parse(config()).allowInsecureTransport, false);
    });

    test("with no endpoint, the WSDL's http address is refused when the binding is prepared: check() names it, a delivery is dead and nothing is sent", async () => {
      const ctx = binding({ endpoint: undefined, auth: textAuth });
      const result = await connector.check!(ctx);
      assert.equal(result.ok, false);
      assert.match(
        result.problems.join('; '),
        /^auth\.passwordType: PasswordText sends the password in clear, and the WSDL's address \(http:\/\/[^)]+\) is plain http/,
      );
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /PasswordText sends the password in clear/)),
      );
      assert.equal(bo.requests.length, 0);
    });

    test('check-config names the file, line and field; allowInsecureTransport can come from the environment as a boolean', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'closeloop-soap-'));
      try {
        await cp('config', dir, { recursive: true });
        const file = join(dir, 'examples', 'alloy-soap', 'closeloop.yaml');
        const text = await readFile(file, 'utf8');
        const changed = text.replace(
          '        password: { env: ENVHEALTH_SOAP_PASSWORD }\n',
          "        password: { env: ENVHEALTH_SOAP_PASSWORD }\n        passwordType: PasswordText\n      allowInsecureTransport: { env: CLT_SOAP_ALLOW_HTTP, default: 'false' }\n",
        );
        assert.notEqual(changed, text);
        await writeFile(file, changed);
        const line = changed.split('\n').findIndex((l) => l.includes('passwordType: PasswordText')) + 1;
        Object.assign(process.env, {
          ALLOY_API_KEY: 'an-alloy-api-key',
          ALLOY_EVENTS_SECRET: 'a-long-random-secret-value',
          ENVHEALTH_SOAP_URL: 'http://cases.example.gov.uk/soap',
          ENVHEALTH_SOAP_USER: 'officer',
          ENVHEALTH_SOAP_PASSWORD: 'pa55word',
        });
        const run = async () => {
          const out = new PassThrough();
          let printed = '';
          out.on('data', (c: Buffer) => (printed += c.toString()));
          return { code: await checkConfig(file, out), printed };
        };
        const refused = await run();
        assert.equal(refused.code, 1, refused.printed);
        assert.ok(
          refused.printed.includes(`${file}:${line}: bindings.soap-foodsafety.config.auth.passwordType: PasswordText sends the password in clear`),
          refused.printed,
        );
        process.env.CLT_SOAP_ALLOW_HTTP = 'true';
        const allowed = await run();
        assert.equal(allowed.code, 0, allowed.printed);
      } finally {
        for (const v of ['ALLOY_API_KEY', 'ALLOY_EVENTS_SECRET', 'ENVHEALTH_SOAP_URL', 'ENVHEALTH_SOAP_USER', 'ENVHEALTH_SOAP_PASSWORD', 'CLT_SOAP_ALLOW_HTTP'])
          delete process.env[v];
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the test back office checks WS-Security like a real one', () => {
    test('a replayed envelope (same nonce) is refused with wsse:FailedAuthentication and HTTP 500', async () => {
      await connector.deliver(noiseJob(), binding());
      const envelope = bo.requests[0]!.envelope;
      const res = await fetch(bo.url, {
        method: 'POST',
        body: envelope,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:example:envhealth:cases:v1/CreateServiceRequest"' },
      });
      const body = await res.text();
      assert.equal(res.status, 500);
      assert.match(body, /<faultcode>wsse:FailedAuthentication<\/faultcode>/);
      assert.match(body, /replay/);
    });

    test('PasswordText is not accepted; a stale Created time is refused; a correct digest passes once', () => {
      const verifier = wsseVerifier('u', 'secret');
      const nonce = Buffer.alloc(16, 7).toString('base64');
      const now = Date.parse('2025-06-01T12:00:00Z');
      const token = (created: string, password = passwordDigest(nonce, created, 'secret')) => ({
        username: 'u',
        passwordType: 'PasswordDigest',
        password,
        nonce,
        created,
      });
      assert.match(
        verifier.verify({ ...token('2025-06-01T12:00:00Z'), passwordType: 'PasswordText', password: 'secret' }, now)!,
        /PasswordText is not accepted/,
      );
      assert.match(verifier.verify(token('2025-06-01T11:54:00Z'), now)!, /more than 5 minutes/);
      assert.match(verifier.verify(token('2025-06-01T12:00:00Z', 'AAAA'), now)!, /wrong password/);
      assert.equal(verifier.verify(token('2025-06-01T11:58:00Z'), now), null);
      assert.match(verifier.verify(token('2025-06-01T11:58:00Z'), now + 1000)!, /replay/);
    });

    test('a binding sending PasswordText to it is refused as credentials', async () => {
      const ctx = binding({ auth: { type: 'wsse', username: bo.username, password: bo.password, passwordType: 'PasswordText' }, allowInsecureTransport: true });
      await assert.rejects(
        connector.deliver(noiseJob(), ctx),
        rejectsWith(PermanentError, (e) => assert.match(e.message, /refused the credentials/)),
      );
    });
  });

  describe('answers carrying a DTD: XXE, an external DTD, a billion laughs (refused before any parser sees them)', () => {
    // A back office that answers every call with one hostile envelope, and serves the external DTD it names (to count fetches).
    let evil: http.Server;
    let evilUrl = '';
    let answer: { status: number; body: string } = { status: 200, body: '' };
    const dtdFetches: string[] = [];
    before(async () => {
      evil = http.createServer((req, res) => {
        if (req.method === 'GET') {
          dtdFetches.push(req.url ?? '');
          res.setHeader('content-type', 'application/xml-dtd');
          res.end('<!ENTITY ext "EH-FROM-EXTERNAL-DTD">');
          return;
        }
        req.resume();
        req.on('end', () => {
          res.statusCode = answer.status;
          res.setHeader('content-type', 'text/xml; charset=utf-8');
          res.end(answer.body);
        });
      });
      await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
      evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((r) => evil.close(r));
    });

    const envelope = (doctype: string, reference: string) =>
      `<?xml version="1.0" encoding="utf-8"?>\n${doctype}\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
      `<CreateServiceRequestResponse xmlns="urn:example:envhealth:cases:v1"><CaseReference>${reference}</CaseReference><Status>open</Status></CreateServiceRequestResponse></soap:Body></soap:Envelope>`;
    const laughs = '<!ENTITY lol "lol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('');

    const refusedAsDtd = async (status: number, body: string) => {
      answer = { status, body };
      const started = performance.now();
      await assert.rejects(
        connector.deliver(noiseJob(), binding({ endpoint: evilUrl })),
        rejectsWith(PermanentError, (e) => {
          assert.match(e.message, /back office answered with a DTD, refused/);
          assert.equal(e.responseExcerpt, undefined, 'nothing of the answer is kept');
          assert.ok(!/lollol|root:|EH-FROM/.test(e.message));
        }),
      );
      assert.ok(performance.now() - started < 2000, 'refused at once: nothing was expanded');
    };

    test('a billion laughs (internal entities nested 10 deep) is refused, not expanded', async () => {
      await refusedAsDtd(200, envelope(`<!DOCTYPE soap:Envelope [${laughs}]>`, '&lol9;'));
    });

    test('an external DTD is refused and never fetched', async () => {
      await refusedAsDtd(200, envelope(`<!DOCTYPE soap:Envelope SYSTEM "${evilUrl}/evil.dtd">`, '&ext;'));
      await refusedAsDtd(200, envelope(`<!DOCTYPE soap:Envelope [<!ENTITY % remote SYSTEM "${evilUrl}/param.dtd"> %remote;]>`, 'EH-1'));
      assert.deepEqual(dtdFetches, [], 'the DTD host was never asked for anything');
    });

    test('an external entity on a local file (XXE) is refused, in a success and in a fault answer', async () => {
      await refusedAsDtd(200, envelope('<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'));
      // A fault whose code comes from an entity: never read, so the entity cannot choose "retry" or "give up".
      await refusedAsDtd(
        500,
        '<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY code "soap:Server"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
          '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>&code;</faultcode><faultstring>&xxe;</faultstring></soap:Fault></soap:Body></soap:Envelope>',
      );
    });
  });
});
