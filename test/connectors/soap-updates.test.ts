// Issue 18: a citizen's reply and further evidence to the real SOAP peer: a note through the binding's AddNote
// operation on the case the delivery created, its photo through AddAttachment, each once across lost answers; the
// operation and its elements are checked against the WSDL before anything is sent.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { PermanentError, RetryableError, type ConnectorContext } from '@closeloop/sdk';
import { connector } from '../../connectors/soap/index.ts';
import { soapConfigSchema, type SoapConfig } from '../../connectors/soap/config.ts';
import type { SoapBinding } from '../../connectors/soap/binding.ts';
import { startSoapBackoffice, type SoapBackoffice } from '../peers/soap-backoffice/index.ts';
import { closeOpenedContexts, deliveryJob, openedContext, updateJob } from '../contract/delivery-job.ts';

let bo: SoapBackoffice;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('connectors/soap-updates', () => {
  before(async () => {
    bo = await startSoapBackoffice({ slowMs: 3000 });
  });
  after(async () => {
    await closeOpenedContexts();
    await bo.close();
  });
  beforeEach(() => bo.reset());

  const UPDATES = {
    operation: 'AddNote',
    referenceArgument: 'CaseReference',
    textArgument: 'Text',
    sentAtArgument: 'SentAt',
    idempotencyArgument: 'IdempotencyKey',
  };

  function binding(overrides: Record<string, unknown> = {}): ConnectorContext<SoapConfig, SoapBinding> {
    return openedContext(
      connector,
      'envhealth',
      soapConfigSchema.parse({
        wsdl: relative(process.cwd(), bo.wsdlPath),
        operation: 'CreateServiceRequest',
        endpoint: bo.url,
        timeoutMs: 1000,
        auth: { type: 'wsse', username: bo.username, password: bo.password },
        request: {
          mode: 'arguments',
          namespaces: { c: 'urn:closeloop:test' },
          arguments: { ServiceCode: { value: 'EH-NOISE' }, ExternalReference: '/c:Case/c:Reference', Description: '/c:Case/c:NoiseType' },
          idempotencyArgument: 'IdempotencyKey',
        },
        reference: 'CaseReference',
        attachments: {
          mode: 'operation',
          operation: 'AddAttachment',
          referenceArgument: 'CaseReference',
          idempotencyArgument: 'IdempotencyKey',
          fields: { fileName: 'FileName', contentType: 'ContentType', content: 'Content' },
        },
        updates: UPDATES,
        ...overrides,
      }),
    );
  }

  describe('SOAP updates', () => {
    test("the citizen's message becomes one note on the case and its photo one attachment, across a lost answer", async () => {
      const ctx = binding();
      const job = deliveryJob();
      const { externalRef } = await connector.deliver(job, ctx);
      const c = bo.cases.get(externalRef!)!;
      const filesBefore = c.attachments.length;
      const update = updateJob(job, externalRef!);
      bo.script(['drop']);
      await assert.rejects(connector.deliverUpdate!(update, ctx), RetryableError);
      await connector.deliverUpdate!({ ...update, attempt: 2 }, ctx);
      await connector.deliverUpdate!({ ...update, attempt: 3 }, ctx);
      assert.equal(c.notes.length, 1, 'one note');
      assert.equal(c.notes[0]!.text, 'The music started again at 2am & went on <all night>.');
      assert.equal(c.notes[0]!.sentAt, update.message.sentAt);
      assert.equal(c.notes[0]!.idempotencyKey, update.updateId);
      const added = c.attachments.slice(filesBefore);
      assert.equal(added.length, 1, 'one attachment for the photo');
      assert.equal(added[0]!.fileName, 'night.png');
      assert.equal(added[0]!.idempotencyKey, `${update.updateId}:${update.documents[0]!.id}`);
    });

    test('a case the back office does not know is a Client fault: permanent', async () => {
      await assert.rejects(connector.deliverUpdate!(updateJob(deliveryJob(), 'EH-99999'), binding()), PermanentError);
    });

    test('check() names an update operation or element the WSDL does not have', async () => {
      const bad = await connector.check!(binding({ updates: { ...UPDATES, operation: 'AddComment' } }));
      assert.equal(bad.ok, false);
      assert.ok(
        bad.problems.some((p) => p.startsWith('updates.operation: ') && p.includes('"AddComment"')),
        bad.problems.join('; '),
      );
      const element = await connector.check!(binding({ updates: { ...UPDATES, textArgument: 'Body' } }));
      assert.ok(
        element.problems.some((p) => p.startsWith('updates.textArgument: AddNote\'s input has no element "Body"')),
        element.problems.join('; '),
      );
      assert.deepEqual(await connector.check!(binding({ checkOperation: { operation: 'GetStatus', arguments: { CaseReference: 'PING' } } })), {
        ok: true,
        problems: [],
      });
      assert.equal(connector.takesUpdates!(binding({ updates: undefined }).config), false);
    });
  });
});
