// The template connector, loaded by path from config, delivers a real submission end to end; an XSD failure is dead at
// once with nothing sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestHub, type TestHub } from '../../test/helpers/hub.ts';
import { startCaseApi, type CaseApi } from '../../test/fakes/case-api.ts';

describe('connector template', () => {
  let api: CaseApi;
  let t: TestHub;
  const token = randomBytes(24).toString('base64url');
  before(async () => {
    api = await startCaseApi(token);
    t = await startTestHub({ configFile: 'test/fixtures/config/closeloop.yaml', env: { TEST_CASE_API_URL: api.url, TEST_CASE_API_TOKEN: token }, worker: true });
  });
  after(async () => {
    await t.close();
    await api.close();
  });

  async function submit(pest: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/services/pests/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers: { pest } }) });
    assert.equal(res.status, 201);
    return ((await res.json()) as { processId: string }).processId;
  }

  async function delivery(processId: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const [rows] = await t.hub.sequelize.query('select status, external_ref, last_error from deliveries where process_id = $1', { bind: [processId] });
      const d = (rows as { status: string; external_ref: string; last_error: string }[])[0]!;
      if (d.status === status) return d;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`delivery never became ${status}`);
  }

  test('delivers through the connector loaded by path', async () => {
    const processId = await submit('rats');
    const d = await delivery(processId, 'delivered');
    assert.match(d.external_ref, /^CASE-\d+$/);
    const sent = [...api.cases.values()].find((c) => c.id === d.external_ref)!;
    assert.match(String(sent.body.payloadXml), /<Pest>RATS<\/Pest>/);
  });

  test('XML that fails the XSD: dead at once with the XSD message, nothing sent', async () => {
    const before = api.requests;
    const processId = await submit('bees');
    const d = await delivery(processId, 'dead');
    assert.match(d.last_error, /does not match pests\.xsd: line \d+ <Pest>: .*BEES/);
    assert.equal(api.requests, before, 'nothing was sent to the back office');
    const [docs] = await t.hub.sequelize.query(`select count(*)::int as n from documents where process_id = $1 and kind = 'xml'`, { bind: [processId] });
    assert.equal((docs as { n: number }[])[0]!.n, 0, 'invalid XML is not kept as if it had been sent');
  });
});
