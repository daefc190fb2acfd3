// A service mapped to an XSD uploaded in the console delivers: published, submitted by a citizen through the API, and
// its XML built and validated against the uploaded file (materialised from Postgres) by the worker, then sent to the
// sandbox back office.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { publishDraft, startDraft } from '../../core/designer/drafts.ts';
import { uploadXsd } from '../../core/designer/xsd-choices.ts';
import { parseXmlSafely, selectText } from '../../core/xml/index.ts';
import { processXmlDocument } from '../../core/delivery/delivery-log-repo.ts';
import { deadAnimalDefinition } from './xml-support.ts';

const editor = { actor: 'staff:test', name: 'Test Editor' };

describe('delivery with an uploaded XSD', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ worker: { sweepAfterMs: 300, sweepIntervalMs: 300 } });
  });
  after(() => t.close());

  test('published, submitted, delivered: the XML passed the uploaded XSD', async () => {
    const council = t.hub.councils.defaultId;
    const uploaded = await uploadXsd(t.hub.db, editor, council, 'dead-animal.xsd', readFileSync('test/fixtures/xsd/dead-animal.xsd'));
    assert.ok(uploaded.ok);
    const id = `dead-animal-${Date.now()}`;
    const definition = {
      ...deadAnimalDefinition(id),
      referencePrefix: 'DEAD',
      bindings: ['sandbox'],
      xml: {
        xsd: uploaded.file,
        mapping: {
          root: 'DeadAnimalReport',
          namespace: 'urn:example-council:streetcare:dead-animal:v1',
          attributes: { channel: { constant: 'Online' } },
          children: [
            { element: 'Reference', value: { process: 'reference' } },
            { element: 'ReceivedAt', value: { process: 'submittedAt' } },
            { element: 'Species', value: { answer: 'species', lookup: { dog: 'DOG', cat: 'CAT', fox: 'FOX', other: 'OTHER' } } },
            { element: 'Location', children: [{ element: 'Postcode', value: { answer: 'location.postcode' } }] },
            { element: 'Reporter', children: [{ element: 'Name', value: { answer: 'fullName' } }] },
          ],
        },
      },
    };
    const draft = await startDraft(t.hub, editor, { definition, baseVersion: null, council });
    await publishDraft(t.hub, editor, id, draft.revision);
    const res = await fetch(`${t.url}/api/v1/services/${id}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { species: 'fox', location: { line1: '1 High Street', postcode: 'EX1 2AB' }, fullName: 'Sam Smith' } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { processId } = (await res.json()) as { processId: string };
    const end = Date.now() + 20_000;
    let row: { status: string; last_error: string | null } | undefined;
    for (;;) {
      row = await t.hub.db.row<{ status: string; last_error: string | null }>('select status, last_error from deliveries where process_id = $1', [processId]);
      if (row?.status === 'delivered' || row?.status === 'dead' || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(row?.status, 'delivered', row?.last_error ?? '');
    const sent = await processXmlDocument(t.hub.db, processId);
    const bytes = sent?.content ?? (sent?.storageKey ? await t.hub.store.read(sent.storageKey) : null);
    assert.ok(bytes, 'the XML sent is kept with the process');
    const doc = parseXmlSafely(Buffer.from(bytes as Buffer));
    assert.equal(selectText(doc, '//d:Species', { d: 'urn:example-council:streetcare:dead-animal:v1' }), 'FOX', 'the lookup table gave the XSD code');
  });
});
