// Issue 18: a citizen's reply and further evidence on the Alloy item the delivery created (what open311-adapter's
// AlloyV2 does for updates): the text appended to the comment attribute, the files uploaded and added to the
// attachments next to the delivery's own, nothing uploaded or appended twice however often an attempt is retried.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PermanentError, RetryableError, type ConnectorContext } from '@closeloop/sdk';
import { connector } from '../../connectors/alloy/index.ts';
import { alloyConfigSchema, type AlloyConfig } from '../../connectors/alloy/config.ts';
import type { PreparedAlloy } from '../../connectors/alloy/deliver.ts';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { closeOpenedContexts, deliveryJob, openedContext, testDocument, updateJob } from '../contract/delivery-job.ts';

const apiKey = randomBytes(24).toString('base64url');
const DESIGN = 'designs_ehEnquiry_1';
let alloy: FakeAlloy;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('connectors/alloy-updates', () => {
  before(async () => {
    alloy = await startFakeAlloy({
      apiKey,
      designs: [{ code: DESIGN, attributes: ['attributes_reference', 'attributes_deliveryId', 'attributes_files', 'attributes_updates'] }],
    });
  });
  after(async () => {
    await closeOpenedContexts();
    await alloy.close();
  });
  beforeEach(() => alloy.reset());

  function binding(extra: Record<string, unknown> = {}): ConnectorContext<AlloyConfig, PreparedAlloy> {
    const config = alloyConfigSchema.parse({
      baseUrl: alloy.url,
      apiKey,
      designCode: DESIGN,
      // No test here waits for the timeout: it is long enough that a loaded machine's slow answer is still an answer.
      timeoutMs: 5_000,
      requestsPerSecond: 100,
      namespaces: { t: 'urn:closeloop:test' },
      attributes: [{ attributeCode: 'attributes_reference', xpath: '/t:Case/t:Reference' }],
      deliveryIdAttribute: 'attributes_deliveryId',
      attachmentsAttribute: 'attributes_files',
      updates: { commentAttribute: 'attributes_updates' },
      ...extra,
    });
    return openedContext(connector, 'alloy-eh', config);
  }

  const attribute = (itemId: string, code: string) => alloy.items.get(itemId)!.attributes.find((a) => a.attributeCode === code)?.value;

  describe('Alloy updates', () => {
    test('the message is appended to the item and its photo attached next to the case files, once, across lost answers', async () => {
      const ctx = binding();
      const job = deliveryJob();
      const { externalRef } = await connector.deliver(job, ctx);
      const itemId = externalRef!;
      const filesBefore = attribute(itemId, 'attributes_files') as string[];
      assert.equal(filesBefore.length, 1);

      const update = updateJob(job, itemId);
      // Alloy acts on the PUT, then the answer is lost: the retry must neither upload nor append again.
      alloy.script(['drop'], 'PUT /api/item/:id');
      await assert.rejects(connector.deliverUpdate!(update, ctx), RetryableError);
      const result = await connector.deliverUpdate!({ ...update, attempt: 2 }, ctx);
      await connector.deliverUpdate!({ ...update, attempt: 3 }, ctx);
      assert.equal(result.externalRef, itemId);

      const comment = String(attribute(itemId, 'attributes_updates'));
      assert.equal(comment.split(`[update ${update.updateId}]`).length - 1, 1, 'appended once');
      assert.ok(comment.includes('The music started again at 2am & went on <all night>.'));
      const files = attribute(itemId, 'attributes_files') as string[];
      assert.equal(files.length, 2, "the case's file and the update's photo");
      assert.deepEqual(files.slice(0, 1), filesBefore);
      assert.deepEqual(alloy.duplicateUploads(), [], 'no file uploaded twice');

      // A second message joins the first: both stay, each once.
      const second = updateJob(job, itemId, { documents: [] });
      await connector.deliverUpdate!(second, ctx);
      const both = String(attribute(itemId, 'attributes_updates'));
      assert.ok(both.includes(`[update ${update.updateId}]`) && both.includes(`[update ${second.updateId}]`));
      assert.equal((attribute(itemId, 'attributes_files') as string[]).length, 2);
    });

    test('an officer editing the item meanwhile (signature mismatch) is handled by reading it again', async () => {
      const ctx = binding();
      const job = deliveryJob();
      const { externalRef } = await connector.deliver(job, ctx);
      alloy.script(['signature-mismatch'], 'PUT /api/item/:id');
      const update = updateJob(job, externalRef!, {
        documents: [testDocument(job.process.id, { name: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') })],
      });
      await connector.deliverUpdate!(update, ctx);
      assert.ok(String(attribute(externalRef!, 'attributes_updates')).includes(update.updateId));
    });

    test('without an item id, or without updates configured, the update is permanently refused', async () => {
      const job = deliveryJob();
      await assert.rejects(connector.deliverUpdate!(updateJob(job, null), binding()), PermanentError);
      const plain = binding({ updates: undefined });
      assert.equal(connector.takesUpdates!(plain.config), false, 'a binding without updates takes none');
      assert.equal(connector.takesUpdates!(binding().config), true);
      await assert.rejects(connector.deliverUpdate!(updateJob(job, 'abc'), plain), PermanentError);
    });

    test('check() names a comment attribute the design does not have', async () => {
      assert.deepEqual(await connector.check!(binding()), { ok: true, problems: [] });
      const bad = await connector.check!(binding({ updates: { commentAttribute: 'attributes_nope' } }));
      assert.deepEqual(bad.problems, [`updates.commentAttribute: design "${DESIGN}" has no attribute "attributes_nope"`]);
    });
  });
});
