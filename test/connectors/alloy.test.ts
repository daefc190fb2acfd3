// The Alloy connector against the Alloy fake: what it sends (attributes from the XML, lookups, geometry, the delivery
// id, files uploaded then attached with the signature), idempotency across lost answers, failure classes, pacing,
// check(), the workflow callback and the poll.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PermanentError, RetryableError, type ChangeOptions, type ConnectorContext, type InboundHandler, type ProcessApi } from '@closeloop/sdk';
import { connector } from '../../connectors/alloy/index.ts';
import { alloyConfigSchema, type AlloyConfig } from '../../connectors/alloy/config.ts';
import type { PreparedAlloy } from '../../connectors/alloy/deliver.ts';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { closeOpenedContexts, deliveryJob, inboundRequest, openedContext, testDocument } from '../contract/delivery-job.ts';

const apiKey = randomBytes(24).toString('base64url');
const inboundSecret = randomBytes(24).toString('base64url');
const DESIGN = 'designs_ehEnquiry_1';
const PEST_DESIGN = 'designs_pestJob_2';
const ATTRS = [
  'attributes_reference',
  'attributes_category',
  'attributes_times',
  'attributes_received',
  'attributes_deliveryId',
  'attributes_files',
  'attributes_status',
  'attributes_closure',
];
let alloy: FakeAlloy;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('connectors/alloy', () => {
  before(async () => {
    alloy = await startFakeAlloy({
      apiKey,
      designs: [
        { code: DESIGN, attributes: ATTRS },
        { code: PEST_DESIGN, attributes: [...ATTRS, 'attributes_pest'] },
      ],
    });
  });
  after(async () => {
    await closeOpenedContexts();
    await alloy.close();
  });
  beforeEach(() => alloy.reset());

  const XML = `<?xml version="1.0" encoding="UTF-8"?>
<NoiseComplaint xmlns="urn:example-council:envhealth:v1">
  <Case><Reference>NOI-ABCD2345</Reference><ReceivedAt>2026-11-24T10:00:00.000Z</ReceivedAt></Case>
  <Category>music</Category>
  <Time>day</Time><Time>night</Time>
  <Location><Easting>530047</Easting><Northing>180422</Northing></Location>
</NoiseComplaint>`;

  function config(extra: Record<string, unknown> = {}): AlloyConfig {
    return alloyConfigSchema.parse({
      baseUrl: alloy.url,
      apiKey,
      designCode: DESIGN,
      // Generous: CI runs three test lanes on 2 cores, and a paced burst once waited over 500 ms for its answer.
      timeoutMs: 5000,
      requestsPerSecond: 100,
      namespaces: { eh: 'urn:example-council:envhealth:v1' },
      attributes: [
        { attributeCode: 'attributes_reference', xpath: '/*/eh:Case/eh:Reference' },
        { attributeCode: 'attributes_received', xpath: '/*/eh:Case/eh:ReceivedAt', type: 'datetime' },
        { attributeCode: 'attributes_category', xpath: '/*/eh:Category', type: 'itemRef', lookup: { music: 'cat-music-01', dog: 'cat-dog-02' } },
        { attributeCode: 'attributes_times', xpath: '/*/eh:Time', type: 'list', lookup: { day: 'D', night: 'N' } },
      ],
      geometry: {
        latitude: '/*/eh:Location/eh:Latitude',
        longitude: '/*/eh:Location/eh:Longitude',
        easting: '/*/eh:Location/eh:Easting',
        northing: '/*/eh:Location/eh:Northing',
      },
      deliveryIdAttribute: 'attributes_deliveryId',
      attachmentsAttribute: 'attributes_files',
      status: {
        attribute: 'attributes_status',
        map: {
          'status-visit-booked': { task: 'officer-visit', taskStatus: 'in_progress', note: 'An officer will visit.' },
          'status-done': { task: 'officer-visit', taskStatus: 'completed', note: 'The officer has dealt with your report.' },
          'status-waiting': { note: 'We are waiting for the noise to happen again.' },
        },
      },
      closureReason: { attribute: 'attributes_closure', map: { 'closure-no-action': { close: 'No action needed' } } },
      inbound: { secret: inboundSecret },
      poll: { intervalSeconds: 60 },
      actorName: 'Alloy EH',
      ...extra,
    });
  }

  function twoFiles(processId: string) {
    return [
      testDocument(processId, { name: 'night recording.mp3', contentType: 'audio/mpeg', content: Buffer.from('ID3 fake mp3 bytes') }),
      testDocument(processId, { name: 'diary.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7 fake') }),
      testDocument(processId, { name: 'form.html', contentType: 'text/html', content: Buffer.from('<p>x</p>'), kind: 'form-html' }),
    ];
  }

  function job() {
    const j = deliveryJob({ xml: XML, process: { serviceId: 'noise-complaint' } });
    return { ...j, documents: twoFiles(j.process.id) };
  }

  describe('delivery', () => {
    test('one item with attributes from the XML, lookups applied, geometry in WGS84, the delivery id, both files attached', async () => {
      const j = job();
      const result = await connector.deliver(j, openedContext(connector, 'alloy-eh', config()));
      const items = alloy.itemsOf(DESIGN);
      assert.equal(items.length, 1);
      const item = items[0]!;
      assert.equal(result.externalRef, item.itemId);
      const attr = (code: string) => item.attributes.find((a) => a.attributeCode === code)?.value;
      assert.equal(attr('attributes_reference'), 'NOI-ABCD2345');
      assert.equal(attr('attributes_received'), '2026-11-24T10:00:00.000Z');
      assert.deepEqual(attr('attributes_category'), ['cat-music-01']);
      assert.deepEqual(attr('attributes_times'), ['D', 'N']);
      assert.equal(attr('attributes_deliveryId'), j.deliveryId);
      // Easting 530047, northing 180422 is Trafalgar Square: about 51.508 N, 0.128 W.
      const [lon, lat] = item.geometry!.coordinates as [number, number];
      assert.ok(Math.abs(lat - 51.508) < 0.002 && Math.abs(lon + 0.128) < 0.002, `geometry ${lon},${lat}`);
      // Evidence only (the form copy is not a kind this binding sends), uploaded raw with its name, then attached.
      const files = attr('attributes_files') as string[];
      assert.equal(files.length, 2);
      // Each named for its case and document (so a retry can find it again), then the citizen's own name.
      const named = (name: string) => j.documents.find((d) => d.name === name)!;
      assert.deepEqual(
        files.map((id) => alloy.files.get(id)!.name).sort(),
        [
          `NOI-ABCD2345-${named('diary.pdf').id.slice(0, 8)} diary.pdf`,
          `NOI-ABCD2345-${named('night recording.mp3').id.slice(0, 8)} night recording.mp3`,
        ].sort(),
      );
      assert.equal(alloy.files.get(files.find((id) => alloy.files.get(id)!.name.endsWith(' diary.pdf'))!)!.content.toString(), '%PDF-1.7 fake');
      const uploads = alloy.requests.filter((r) => r.path === '/api/file');
      assert.equal(uploads.length, 2);
      assert.ok(uploads.every((u) => u.headers.authorization === `Bearer ${apiKey}`));
      const put = alloy.requests.find((r) => r.method === 'PUT')!;
      assert.ok(JSON.parse(put.body.toString()).signature, 'the PUT carries the item signature');
      // Uploads come before the create, so a failed upload leaves no item behind.
      const order = alloy.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
      assert.ok(order.lastIndexOf('POST /api/file') < order.indexOf('POST /api/item'));
    });

    test('latitude/longitude win over easting/northing when both are given', async () => {
      const j = job();
      j.xml = XML.replace('<Easting>', '<Latitude>52.2</Latitude><Longitude>0.12</Longitude><Easting>');
      await connector.deliver(j, openedContext(connector, 'alloy-eh', config()));
      assert.deepEqual(alloy.itemsOf(DESIGN)[0]!.geometry!.coordinates, [0.12, 52.2]);
    });

    test('per-service mapping: another design and more attributes', async () => {
      const j = deliveryJob({
        xml: XML.replace(/NoiseComplaint/g, 'PestControlRequest').replace('<Category>music</Category>', '<Category>dog</Category><Pest>rats</Pest>'),
        process: { serviceId: 'pest-control' },
      });
      await connector.deliver(
        j,
        openedContext(
          connector,
          'alloy-eh',
          config({ services: { 'pest-control': { designCode: PEST_DESIGN, attributes: [{ attributeCode: 'attributes_pest', xpath: '/*/eh:Pest' }] } } }),
        ),
      );
      assert.equal(alloy.itemsOf(DESIGN).length, 0);
      const [item] = alloy.itemsOf(PEST_DESIGN);
      assert.equal(item!.attributes.find((a) => a.attributeCode === 'attributes_pest')?.value, 'rats');
      assert.deepEqual(item!.attributes.find((a) => a.attributeCode === 'attributes_category')?.value, ['cat-dog-02']);
    });

    test('the create answer is lost: the retry finds the item by delivery id; one item, both files attached once', async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      const j = job();
      alloy.script(['drop']);
      await assert.rejects(connector.deliver(j, ctx), RetryableError);
      assert.equal(alloy.itemsOf(DESIGN).length, 1, 'Alloy created the item');
      const second = await connector.deliver({ ...j, attempt: 2 }, ctx);
      const third = await connector.deliver({ ...j, attempt: 3 }, ctx);
      const items = alloy.itemsOf(DESIGN);
      assert.equal(items.length, 1);
      assert.equal(second.externalRef, items[0]!.itemId);
      assert.equal(third.externalRef, items[0]!.itemId);
      const files = items[0]!.attributes.find((a) => a.attributeCode === 'attributes_files')?.value as string[];
      assert.equal(files.length, 2);
      assert.equal(alloy.requests.filter((r) => r.method === 'PUT').length, 1, 'attached once; the third attempt saw them');
      // Issue 14, point 13: the retry found the files the first attempt uploaded; nothing was uploaded twice.
      assert.equal(alloy.requests.filter((r) => r.path === '/api/file').length, 2, 'one upload per file');
      assert.equal(alloy.itemsOf('designs_files').length, 2, 'no orphaned copies');
      assert.deepEqual(files.map((id) => alloy.files.get(id)!.content.toString()).sort(), ['%PDF-1.7 fake', 'ID3 fake mp3 bytes']);
    });

    test('the create fails after the uploads: the retry attaches the files already uploaded', async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      const j = job();
      alloy.script([503]);
      await assert.rejects(connector.deliver(j, ctx), RetryableError);
      assert.equal(alloy.itemsOf(DESIGN).length, 0);
      await connector.deliver({ ...j, attempt: 2 }, ctx);
      assert.equal(alloy.requests.filter((r) => r.path === '/api/file').length, 2, 'one upload per file');
      assert.equal(alloy.itemsOf('designs_files').length, 2);
      const files = alloy.itemsOf(DESIGN)[0]!.attributes.find((a) => a.attributeCode === 'attributes_files')?.value as string[];
      assert.deepEqual(files.map((id) => alloy.files.get(id)!.content.toString()).sort(), ['%PDF-1.7 fake', 'ID3 fake mp3 bytes']);
    });

    test("an upload's answer is lost: the retry finds that file and uploads only the rest", async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      const j = job();
      alloy.script(['drop'], 'POST /api/file');
      await assert.rejects(connector.deliver(j, ctx), RetryableError);
      assert.equal(alloy.itemsOf('designs_files').length, 1, 'Alloy kept the first file');
      await connector.deliver({ ...j, attempt: 2 }, ctx);
      assert.equal(alloy.itemsOf('designs_files').length, 2, 'each file once');
      assert.equal(alloy.requests.filter((r) => r.path === '/api/file').length, 2, 'the first (answer lost), then only the second');
      const files = alloy.itemsOf(DESIGN)[0]!.attributes.find((a) => a.attributeCode === 'attributes_files')?.value as string[];
      assert.equal(files.length, 2);
      assert.equal(new Set(files).size, 2);
    });

    test('a file name outside ASCII is still found again on a retry', async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      const j = deliveryJob({ xml: XML });
      j.documents = [testDocument(j.process.id, { name: 'bruit été.mp3', contentType: 'audio/mpeg', content: Buffer.from('ID3 été') })];
      alloy.script(['drop']);
      await assert.rejects(connector.deliver(j, ctx), RetryableError);
      await connector.deliver({ ...j, attempt: 2 }, ctx);
      assert.equal(alloy.requests.filter((r) => r.path === '/api/file').length, 1);
      const [file] = alloy.itemsOf('designs_files');
      assert.match(file!.attributes[0]!.value as string, /bruit été\.mp3$/, 'the name Alloy shows keeps its accents');
    });

    test('without an attachments attribute nothing is uploaded (a file nobody can reach is an orphan)', async () => {
      await connector.deliver(job(), openedContext(connector, 'alloy-eh', config({ attachmentsAttribute: undefined })));
      assert.equal(alloy.itemsOf(DESIGN).length, 1);
      assert.equal(alloy.requests.filter((r) => r.path === '/api/file').length, 0);
    });

    test('a signature mismatch on attach refetches and tries once more', async () => {
      alloy.script(['signature-mismatch'], 'PUT /api/item/:id');
      await connector.deliver(job(), openedContext(connector, 'alloy-eh', config()));
      assert.equal(alloy.requests.filter((r) => r.method === 'PUT').length, 2);
      assert.equal((alloy.itemsOf(DESIGN)[0]!.attributes.find((a) => a.attributeCode === 'attributes_files')?.value as string[]).length, 2);
    });

    test('two mismatches in a row: retryable, and the retry attaches to the same item', async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      const j = job();
      alloy.script(['signature-mismatch', 'signature-mismatch'], 'PUT /api/item/:id');
      await assert.rejects(connector.deliver(j, ctx), RetryableError);
      await connector.deliver({ ...j, attempt: 2 }, ctx);
      assert.equal(alloy.itemsOf(DESIGN).length, 1);
      assert.equal((alloy.itemsOf(DESIGN)[0]!.attributes.find((a) => a.attributeCode === 'attributes_files')?.value as string[]).length, 2);
    });

    test('a failed upload aborts before any item exists', async () => {
      alloy.script([503], 'POST /api/file');
      await assert.rejects(connector.deliver(job(), openedContext(connector, 'alloy-eh', config())), RetryableError);
      assert.equal(alloy.itemsOf(DESIGN).length, 0);
    });

    test("429 is retried no sooner than Retry-After; 400 is dead with Alloy's error code in the message", async () => {
      const ctx = openedContext(connector, 'alloy-eh', config());
      alloy.script([{ status: 429, retryAfter: '7' }]);
      await assert.rejects(connector.deliver(job(), ctx), (err: unknown) => err instanceof RetryableError && err.retryAfterMs === 7000);
      await assert.rejects(
        connector.deliver(job(), openedContext(connector, 'alloy-eh', config({ attributes: [{ attributeCode: 'attributes_nope', xpath: '/*/eh:Category' }] }))),
        (err: unknown) => {
          assert.ok(err instanceof PermanentError);
          assert.match(err.message, /AttributeNotFound/);
          return true;
        },
      );
    });

    test('a value with no code in a strict lookup is dead before anything is sent', async () => {
      const cfg = config({ attributes: [{ attributeCode: 'attributes_category', xpath: '/*/eh:Category', lookup: { dog: 'x' }, unmapped: 'fail' }] });
      await assert.rejects(connector.deliver(job(), openedContext(connector, 'alloy-eh', cfg)), /no code for the value "music"/);
      assert.equal(alloy.requests.length, 0);
    });

    test('a stalled event loop does not turn the paced requests into a burst', async () => {
      const limited = await startFakeAlloy({ apiKey, designs: [{ code: DESIGN, attributes: ATTRS }], limitPerSecond: 20 });
      try {
        const ctx = openedContext(connector, 'alloy-stalled', config({ baseUrl: limited.url, requestsPerSecond: 15 }));
        const jobs = Array.from({ length: 8 }, () => deliveryJob({ xml: XML }));
        const delivered = Promise.all(jobs.map((j) => connector.deliver(j, ctx)));
        // Every request is waiting for its turn; the loop is then blocked for 1.5 s (a long GC, a busy CPU). Slots booked
        // in advance all fell due meanwhile and left at once, over the limit: each must wait for the one before it.
        await new Promise((r) => setTimeout(r, 10));
        const until = Date.now() + 1500;
        while (Date.now() < until);
        await delivered;
        assert.equal(limited.itemsOf(DESIGN).length, 8);
      } finally {
        await limited.close();
      }
    });

    test('the request pace keeps a burst under the tenant rate limit', async () => {
      const limited = await startFakeAlloy({ apiKey, designs: [{ code: DESIGN, attributes: ATTRS }], limitPerSecond: 20 });
      try {
        const ctx = openedContext(connector, 'alloy-paced', config({ baseUrl: limited.url, requestsPerSecond: 15 }));
        const jobs = Array.from({ length: 8 }, () => deliveryJob({ xml: XML }));
        await Promise.all(jobs.map((j) => connector.deliver(j, ctx)));
        assert.equal(limited.itemsOf(DESIGN).length, 8);
        assert.ok(limited.requests.length >= 16);
      } finally {
        await limited.close();
      }
    });
  });

  describe('check()', () => {
    test('passes a good binding', async () => {
      assert.deepEqual(await connector.check!(openedContext(connector, 'alloy-eh', config())), { ok: true, problems: [] });
    });
    test('a wrong key, an unknown design and an unknown attribute are each named', async () => {
      assert.deepEqual((await connector.check!(openedContext(connector, 'alloy-eh', config({ apiKey: 'wrong-key-123' })))).problems, [
        'apiKey: Alloy refused the API key (401/403): check the key and its role',
      ]);
      assert.deepEqual((await connector.check!(openedContext(connector, 'alloy-eh', config({ designCode: 'designs_nope' })))).problems, [
        'designCode: Alloy has no design "designs_nope"',
      ]);
      const r = await connector.check!(
        openedContext(
          connector,
          'alloy-eh',
          config({
            deliveryIdAttribute: 'attributes_missing',
            services: { 'pest-control': { designCode: PEST_DESIGN, attributes: [{ attributeCode: 'attributes_ghost', xpath: '/x' }] } },
          }),
        ),
      );
      assert.equal(r.ok, false);
      assert.ok(r.problems.includes(`deliveryIdAttribute: design "${DESIGN}" has no attribute "attributes_missing"`), r.problems.join('; '));
      assert.ok(
        r.problems.includes(`services.pest-control.attributes.0.attributeCode: design "${PEST_DESIGN}" has no attribute "attributes_ghost"`),
        r.problems.join('; '),
      );
    });
  });

  describe('check() and file items', () => {
    test("a key whose role cannot read Alloy's file items is named (a retry could not find its uploads)", async () => {
      const locked = await startFakeAlloy({ apiKey, designs: [{ code: DESIGN, attributes: ATTRS }], forbiddenDesigns: ['designs_files'] });
      try {
        const r = await connector.check!(openedContext(connector, 'alloy-locked', config({ baseUrl: locked.url })));
        assert.equal(r.ok, false);
        assert.match(r.problems.join('; '), /^attachmentsAttribute: the API key cannot read Alloy's file items \(designs_files\)/);
        assert.deepEqual(await connector.check!(openedContext(connector, 'alloy-locked', config({ baseUrl: locked.url, attachmentsAttribute: undefined }))), {
          ok: true,
          problems: [],
        });
      } finally {
        await locked.close();
      }
    });
  });

  /** A process API that records what the connector asks for, deduping event ids and ignoring unchanged task states. */
  function recordingProcesses(externalRef: string) {
    const calls: { kind: string; args: unknown[] }[] = [];
    const events = new Set<string>();
    const tasks: Record<string, string> = { 'officer-visit': 'open' };
    const seen = (o?: ChangeOptions) => {
      if (!o?.eventId) return false;
      if (events.has(o.eventId)) return true;
      events.add(o.eventId);
      return false;
    };
    const api: ProcessApi = {
      find: async (ref) => (ref.externalRef === externalRef ? { id: 'p-1', serviceId: 'noise-complaint', status: 'received', externalRef } : null),
      tasks: async () => [],
      addNote: async (...args) => {
        if (seen(args[3])) return { applied: false };
        calls.push({ kind: 'note', args });
        return { applied: true };
      },
      updateTask: async (id, key, update, actor, options) => {
        if (seen(options)) return { applied: false };
        if (update.onlyIfStatusChanges && tasks[key] === update.status) return { applied: false };
        tasks[key] = update.status;
        calls.push({ kind: 'task', args: [id, key, update, actor] });
        return { applied: true };
      },
      close: async (...args) => {
        if (seen(args[3])) return { applied: false };
        calls.push({ kind: 'close', args });
        return { applied: true };
      },
      addDocument: async () => ({ applied: false }),
    };
    return { api, calls };
  }

  async function deliveredItem(ctx: ConnectorContext<AlloyConfig, PreparedAlloy>): Promise<string> {
    return (await connector.deliver(job(), ctx)).externalRef!;
  }

  function inboundHandler(ctx: ConnectorContext<AlloyConfig, PreparedAlloy>): InboundHandler {
    let handler: InboundHandler | undefined;
    connector.inbound!({ get: () => {}, post: (path, h) => path === '/events' && (handler = h) }, ctx);
    return handler!;
  }

  const call = (h: InboundHandler, body: unknown, headers: Record<string, string> = { 'x-closeloop-secret': inboundSecret }, type = 'application/json') =>
    h(
      inboundRequest({
        method: 'POST',
        path: '/events',
        headers: { 'content-type': type, ...headers },
        rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      }),
    );

  describe('Alloy back into the loop', () => {
    test('a workflow event: the item is read from Alloy and its mapped state applied once', async () => {
      const itemId = await deliveredItem(openedContext(connector, 'alloy-eh', config()));
      const { api, calls } = recordingProcesses(itemId);
      const ctx = openedContext(connector, 'alloy-eh', config(), api);
      const h = inboundHandler(ctx);
      alloy.edit(itemId, { attributes_status: ['status-done'] });
      // The body's claims are not trusted: only the item id is used; the state comes from Alloy.
      assert.deepEqual((await call(h, { itemId, status: 'status-visit-booked' })).body, { itemId, matched: true, applied: true });
      assert.deepEqual(calls, [
        {
          kind: 'task',
          args: [
            'p-1',
            'officer-visit',
            { status: 'completed', note: 'The officer has dealt with your report.', onlyIfStatusChanges: true },
            { name: 'Alloy EH', kind: 'connector' },
          ],
        },
      ]);
      // The same event again, and an edit of another field: nothing new.
      assert.deepEqual((await call(h, { itemId })).body, { itemId, matched: true, applied: false });
      alloy.edit(itemId, { attributes_reference: 'edited' });
      assert.deepEqual((await call(h, { itemId })).body, { itemId, matched: true, applied: false });
      assert.equal(calls.length, 1);
    });

    test('a note-only state is told once; a closure reason closes the process', async () => {
      const itemId = await deliveredItem(openedContext(connector, 'alloy-eh', config()));
      const { api, calls } = recordingProcesses(itemId);
      const h = inboundHandler(openedContext(connector, 'alloy-eh', config(), api));
      alloy.edit(itemId, { attributes_status: ['status-waiting'] });
      await call(h, { itemId });
      alloy.edit(itemId, { attributes_reference: 'x' });
      await call(h, { itemId });
      alloy.edit(itemId, { attributes_closure: ['closure-no-action'] });
      await call(h, { itemId });
      assert.deepEqual(
        calls.map((c) => c.kind),
        ['note', 'close'],
      );
    });

    test('refused: no or wrong secret (401), not JSON (400), not application/json (415), a key twice or not an item id (422), unknown item (404); items not ours are acknowledged', async () => {
      const h = inboundHandler(openedContext(connector, 'alloy-eh', config(), recordingProcesses('none').api));
      assert.equal((await call(h, { itemId: 'abc' }, {})).status, 401);
      assert.equal((await call(h, { itemId: 'abc' }, { 'x-closeloop-secret': 'x'.repeat(inboundSecret.length) })).status, 401);
      assert.equal((await call(h, '{nope')).status, 400);
      assert.equal((await call(h, { itemId: 'abc' }, undefined, 'text/plain')).status, 415);
      assert.equal((await call(h, '{"itemId":"abc","itemId":"def"}')).status, 422, 'a key given twice');
      assert.equal((await call(h, { itemId: '../../etc' })).status, 422);
      assert.equal((await call(h, { itemId: 'ffffffffffffffffffffffff' })).status, 404);
      const other = await deliveredItem(openedContext(connector, 'alloy-eh', config()));
      assert.deepEqual((await call(h, { itemId: other })).body, { itemId: other, matched: false, applied: false });
    });

    test('the poll applies items edited since its cursor, once, and moves the cursor on', async () => {
      const itemId = await deliveredItem(openedContext(connector, 'alloy-eh', config()));
      const { api, calls } = recordingProcesses(itemId);
      const ctx = openedContext(connector, 'alloy-eh', config(), api);
      assert.equal(connector.pollIntervalMs!(ctx.config), 60_000);
      const first = await connector.poll!(ctx, null);
      assert.deepEqual([first.seen, first.applied], [1, 0], 'a fresh item has no mapped state yet');
      alloy.edit(itemId, { attributes_status: ['status-visit-booked'] });
      const second = await connector.poll!(ctx, first.cursor);
      assert.equal(second.applied, 1);
      const third = await connector.poll!(ctx, second.cursor);
      assert.equal(third.applied, 0, 'seen again (the cursor overlaps a few seconds): nothing new');
      assert.equal(calls.length, 1);
      const aqs = JSON.parse(
        alloy.requests
          .filter((r) => r.path.startsWith('/api/aqs/query'))
          .at(-1)!
          .body.toString(),
      ).aqs;
      assert.equal(aqs.children[0].type, 'GreaterThan');
      assert.equal(aqs.children[0].children[0].properties.itemPropertyName, 'lastEditDate');
    });
  });
});
