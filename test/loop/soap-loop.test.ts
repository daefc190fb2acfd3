// Issue 5 acceptance for SOAP, through the real hub running the example config (config/examples/alloy-soap): a food
// hygiene complaint with two files reaches the SOAP case system with WS-Security and both files; a client fault is dead
// at once; a server fault is retried, then delivered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSoapBackoffice, type SoapBackoffice } from '../peers/soap-backoffice/index.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';

const CONFIG = 'config/examples/alloy-soap/closeloop.yaml';

const answers = {
  businessName: 'The Greasy Spoon',
  businessAddress: { line1: '3 Market Street', town: 'Exampleton', postcode: 'EX1 1AA' },
  complaintType: 'foreign-object',
  purchaseDate: '2026-11-20',
  description: 'A piece of blue plastic in my sandwich.',
  stillHaveFood: 'yes',
  fullName: 'Jo Citizen',
  email: 'jo@example.com',
};

describe('SOAP through the hub (example config)', () => {
  let bo: SoapBackoffice;
  let t: TestHub;
  before(async () => {
    bo = await startSoapBackoffice({ slowMs: 3000 });
    t = await startTestHub({
      configFile: CONFIG,
      env: {
        ENVHEALTH_SOAP_URL: bo.url,
        ENVHEALTH_SOAP_USER: bo.username,
        ENVHEALTH_SOAP_PASSWORD: bo.password,
        // The Alloy binding of the same example is not used here.
        ALLOY_BASE_URL: 'http://127.0.0.1:9',
        ALLOY_API_KEY: randomBytes(16).toString('hex'),
        ALLOY_EVENTS_SECRET: randomBytes(16).toString('hex'),
      },
      configure: (c) => {
        c.bindings['soap-foodsafety']!.retry = { attempts: 4, scheduleSeconds: [0.2] };
        c.bindings['alloy-envhealth']!.config.poll = { intervalSeconds: 0 };
      },
      worker: { sweepAfterMs: 500, sweepIntervalMs: 500 },
    });
  });
  after(async () => {
    await t?.close();
    await bo?.close();
  });

  async function submit(): Promise<{ processId: string; reference: string }> {
    const fd = new FormData();
    fd.append('answers', JSON.stringify(answers));
    fd.append('evidence', new Blob([new Uint8Array(pngBytes(1500))], { type: 'image/png' }), 'sandwich.png');
    fd.append('evidence', new Blob([new Uint8Array(pdfBytes('Receipt: sandwich £3.20'))], { type: 'application/pdf' }), 'receipt.pdf');
    const res = await fetch(`${t.url}/api/v1/services/food-hygiene-complaint/submissions`, { method: 'POST', body: fd });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { processId: string; reference: string };
  }

  const delivery = async (processId: string) => {
    const rows = await t.hub.db.rows('select status, attempts, external_ref from deliveries where process_id = $1', [processId]);
    return (rows as { status: string; attempts: number; external_ref: string | null }[])[0]!;
  };

  test('delivered with WS-Security: one case with the mapped fields, both files added, its reference recorded', async () => {
    const { processId, reference } = await submit();
    const d = await waitFor(async () => {
      const d = await delivery(processId);
      return d.status === 'delivered' && d;
    }, 'delivery');
    const c = bo.cases.get(d.external_ref!)!;
    assert.ok(c, 'the case system holds the case under the recorded reference');
    assert.equal(c.fields.ServiceCode, 'EH-FOOD');
    assert.equal(c.fields.ExternalReference, reference);
    assert.equal(c.fields.Description, answers.description);
    assert.deepEqual(c.attachments.map((a) => a.fileName).sort(), ['receipt.pdf', 'sandwich.png']);
    const create = bo.requests.find((r) => r.operation === 'CreateServiceRequest' && r.envelope.includes(reference))!;
    assert.equal(create.security?.username, bo.username);
    assert.ok(create.security?.nonce && create.security.created, 'UsernameToken with nonce and created');
  });

  test('a client fault is dead at once; a server fault is retried and then delivered', async () => {
    bo.script(['client-fault']);
    const dead = await submit();
    const d1 = await waitFor(async () => {
      const d = await delivery(dead.processId);
      return d.status === 'dead' && d;
    }, 'dead letter');
    assert.equal(d1.attempts, 1, 'no retry for a client fault');

    bo.script(['server-fault', 'server-fault']);
    const retried = await submit();
    const d2 = await waitFor(async () => {
      const d = await delivery(retried.processId);
      return d.status === 'delivered' && d;
    }, 'delivery after server faults');
    assert.equal(d2.attempts, 3);
    assert.equal([...bo.cases.values()].filter((c) => c.fields.ExternalReference === retried.reference).length, 1);
  });
});
