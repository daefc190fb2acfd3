// Issue 5 acceptance for Alloy, through the real hub running the example config (config/examples/alloy-soap) against
// the Alloy fake: a submission with two files becomes exactly one item with both files even when the create's answer is
// lost; a workflow event and, separately, a poll moving the item to a mapped "completed" state complete the task and
// tell the citizen once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { pngBytes, pdfBytes } from '../helpers/files.ts';
import { alloyExample, EXAMPLE_CONFIG, exampleAlloyDesigns } from '../helpers/example-backoffices.ts';
import { waitFor } from '../helpers/wait.ts';

const CONFIG = EXAMPLE_CONFIG;
const STATUS_VISITED = '64a1f0c2e4b0a1b2c3d4e704';
const STATUS_TRIAGED = '64a1f0c2e4b0a1b2c3d4e702';

const answers = {
  noiseType: 'music',
  noiseSource: { line1: '12 High Street', town: 'Exampleton', postcode: 'EX1 2AB', easting: 452110.95, northing: 304189.75 },
  whenHappens: ['night'],
  frequency: 'weekly',
  startedOn: '2026-10-01',
  impact: 'Bass through the wall until 3am.',
  spokenToNeighbour: 'no',
  fullName: 'Sam Citizen',
  email: 'sam@example.com',
  homeAddress: { line1: '14 High Street', town: 'Exampleton', postcode: 'EX1 2AB' },
};

async function submitWithTwoFiles(t: TestHub): Promise<{ processId: string; reference: string }> {
  const fd = new FormData();
  fd.append('answers', JSON.stringify(answers));
  fd.append('evidence', new Blob([new Uint8Array(pngBytes(2000))], { type: 'image/png' }), 'speaker.png');
  fd.append('evidence', new Blob([new Uint8Array(pdfBytes('Noise diary: bass every night'))], { type: 'application/pdf' }), 'noise diary.pdf');
  const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, { method: 'POST', body: fd });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string };
}

describe('Alloy through the hub (example config)', () => {
  const apiKey = randomBytes(24).toString('base64url');
  const eventsSecret = randomBytes(24).toString('base64url');
  let alloy: FakeAlloy;
  let smtp: SmtpPeer;
  let t: TestHub;
  let key: string;

  before(async () => {
    alloy = await startFakeAlloy({ apiKey, designs: exampleAlloyDesigns() });
    smtp = await startSmtpPeer();
    t = await startTestHub({
      configFile: CONFIG,
      env: {
        ALLOY_BASE_URL: alloy.url,
        ALLOY_API_KEY: apiKey,
        ALLOY_EVENTS_SECRET: eventsSecret,
        SMTP_PORT: String(smtp.port),
        // The SOAP binding of the same example is not used here.
        ENVHEALTH_SOAP_URL: 'http://127.0.0.1:9/soap',
        ENVHEALTH_SOAP_USER: 'unused',
        ENVHEALTH_SOAP_PASSWORD: 'unused',
      },
      configure: (c) => {
        const b = c.bindings['alloy-envhealth']!;
        // Test pace: fast retries, a quick request pace and a 1 s poll.
        b.retry = { attempts: 5, scheduleSeconds: [0.2] };
        Object.assign(b.config, { timeoutMs: 1000, requestsPerSecond: 100, poll: { intervalSeconds: 1 } });
        delete b.rateLimit;
      },
      worker: { sweepAfterMs: 500, sweepIntervalMs: 500 },
    });
    key = await t.key(['noise-complaint'], { name: 'EH team' });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
    await alloy?.close();
  });

  const processOf = async (id: string) =>
    (await (await fetch(`${t.url}/api/v1/processes/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      status: string;
      tasks: { key: string; status: string }[];
      deliveries?: { binding: string; externalRef: string | null; status: string }[];
    };
  const itemFor = (reference: string) =>
    alloy.itemsOf(alloyExample.designCode).find((i) => i.attributes.some((a) => a.attributeCode === 'attributes_ehEnquiryReference' && a.value === reference));
  const mailsAbout = (reference: string, text: string) => smtp.messages.filter((m) => m.subject.includes(reference) && m.text.includes(text));

  test('two files, the first create answer lost: exactly one item, both files attached, its id kept as the reference', async () => {
    alloy.script(['drop']);
    const { processId, reference } = await submitWithTwoFiles(t);
    const p = await waitFor(async () => {
      const p = await processOf(processId);
      return p.status === 'received' && p;
    }, 'delivery to Alloy');
    const items = alloy.itemsOf(alloyExample.designCode).filter((i) => i.attributes.some((a) => a.value === reference));
    assert.equal(items.length, 1, 'one item');
    const item = items[0]!;
    const files = item.attributes.find((a) => a.attributeCode === 'attributes_filesAttachableAttachments')!.value as string[];
    // Uploaded as "<reference>-<document id start> <name>", so a retry finds them instead of uploading copies.
    const names = files.map((id) => alloy.files.get(id)!.name).sort();
    assert.ok(
      names.every((n) => n.startsWith(`${reference}-`)),
      `attached: ${names.join(', ')}`,
    );
    assert.deepEqual(
      names
        .map((n) => n.replace(/^\S+ /, ''))
        .filter((n) => !n.endsWith('.html'))
        .sort(),
      ['noise diary.pdf', 'speaker.png'],
      `attached: ${names.join(', ')}`,
    );
    assert.equal(alloy.itemsOf('designs_files').length, files.length, 'no file uploaded twice');
    assert.equal(item.attributes.find((a) => a.attributeCode === 'attributes_ehEnquiryType')!.value instanceof Array, true);
    assert.ok(item.geometry, 'the easting/northing became a point');
    const timeline = (await (await fetch(`${t.url}/api/v1/processes/${processId}/timeline`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      events: { text: string }[];
    };
    assert.ok(JSON.stringify(timeline).includes(item.itemId) || JSON.stringify(p).includes(item.itemId), 'the Alloy item id is the back-office reference');
    // The first attempt created the item and lost the answer; the retry found it by delivery id instead of creating again.
    const deliveryId = item.attributes.find((a) => a.attributeCode === 'attributes_ehEnquiryCloseloopDeliveryId')!.value as string;
    assert.equal(alloy.requests.filter((r) => r.path === '/api/item' && r.body.toString().includes(reference)).length, 1);
    assert.ok(
      alloy.requests.filter((r) => r.path.startsWith('/api/aqs/query') && r.body.toString().includes(deliveryId)).length >= 2,
      'looked up again on the retry',
    );
  });

  test('an Alloy workflow event moving the item to a mapped state updates the task and tells the citizen once', async () => {
    const { processId, reference } = await submitWithTwoFiles(t);
    await waitFor(async () => (await processOf(processId)).status === 'received', 'delivery');
    const item = itemFor(reference)!;
    alloy.edit(item.itemId, { attributes_ehEnquiryStatus: [STATUS_VISITED] });
    const post = (secret: string) =>
      fetch(`${t.url}/connectors/alloy-envhealth/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-closeloop-secret': secret },
        body: JSON.stringify({ itemId: item.itemId }),
      });
    assert.equal((await post('wrong'.padEnd(eventsSecret.length, 'x'))).status, 401);
    const res = await post(eventsSecret);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { itemId: item.itemId, matched: true, applied: true });
    assert.equal((await post(eventsSecret)).status, 200, 'the same event again is acknowledged');
    const p = await processOf(processId);
    assert.equal(p.tasks.find((x) => x.key === 'officer-visit')!.status, 'completed');
    await smtp.waitFor(() => mailsAbout(reference, 'The officer has visited.').length > 0);
    // The 1 s poll sees the same edit too; wait past two polls: still one message about it.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(mailsAbout(reference, 'The officer has visited.').length, 1);
  });

  test('a poll (no event sent) brings the state change in, once', async () => {
    const { processId, reference } = await submitWithTwoFiles(t);
    await waitFor(async () => (await processOf(processId)).status === 'received', 'delivery');
    const item = itemFor(reference)!;
    alloy.edit(item.itemId, { attributes_ehEnquiryStatus: [STATUS_TRIAGED] });
    await waitFor(
      async () => (await processOf(processId)).tasks.find((x) => x.key === 'triage')!.status === 'completed',
      'the poll applying the state',
      10_000,
    );
    await smtp.waitFor(() => mailsAbout(reference, 'An officer has read your report').length > 0);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(mailsAbout(reference, 'An officer has read your report').length, 1);
    const polls = await t.hub.db.rows<{ runs: string; last_error: string | null }>(
      "select runs, last_error from connector_polls where binding = 'alloy-envhealth'",
    );
    assert.ok(Number(polls[0]!.runs) >= 2);
    assert.equal(polls[0]!.last_error, null);
  });
});
