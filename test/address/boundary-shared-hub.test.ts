// Issue 19, the council's boundary on a shared hub: Example District and Neighbour Borough both offer the noise
// complaint; Example District's says `routeByBoundary: [north-noise]`. A place in Neighbour Borough's area becomes
// Neighbour Borough's case (its reference, visible to its key, 404 to Example District's); a place in Exampleton stays
// Example District's; a place in neither is refused. Neighbour Borough's own service, not shared, names Example
// District when given a place in Exampleton.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { sharedHubConfig, type SharedHubConfig } from './shared-hub-config.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';

const IN_EXAMPLETON = { easting: 452110.95, northing: 304189.75 };
const IN_NEIGHBOUR_BOROUGH = { latitude: 52.636, longitude: -1.17 };
const IN_LONDON = { easting: 530047, northing: 180422 };

describe('a service shared by two councils, routed by boundary', () => {
  let shared: SharedHubConfig | undefined;
  let t: TestHub;
  before(async () => {
    shared = await sharedHubConfig({ service: 'noise-complaint', referencePrefix: 'NOI', northService: 'north-noise', northPrefix: 'NBN' });
    t = await startTestHub({ configFile: shared.configFile });
  });
  after(async () => {
    await t?.close();
    await shared?.remove();
  });

  const submit = (service: string, place: Record<string, unknown>) =>
    fetch(`${t.url}/api/v1/services/${service}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: noiseAnswers({ noiseSource: { line1: '2 Border Lane', town: 'Exampleton', postcode: 'AA1 1AB', ...place } }) }),
    });
  const get = (processId: string, key: string) => fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } });

  test("a place in council B's area creates council B's case: B's key sees it, A's gets 404", async () => {
    const res = await submit('noise-complaint', IN_NEIGHBOUR_BOROUGH);
    assert.equal(res.status, 201, await res.clone().text());
    const { processId, reference } = (await res.json()) as { processId: string; reference: string };
    assert.match(reference, /^NBN-/, "Neighbour Borough's service's reference");
    const northKey = await t.key(['*'], { council: 'north', name: 'Neighbour Borough back office' });
    const exampleKey = await t.key(['*'], { council: 'default', name: 'Example District back office' });
    const seen = await get(processId, northKey);
    assert.equal(seen.status, 200);
    assert.equal(((await seen.json()) as { serviceId: string }).serviceId, 'north-noise');
    assert.equal((await get(processId, exampleKey)).status, 404);
  });

  test("a place in council A's area stays council A's case", async () => {
    const res = await submit('noise-complaint', IN_EXAMPLETON);
    assert.equal(res.status, 201, await res.clone().text());
    const { processId, reference } = (await res.json()) as { processId: string; reference: string };
    assert.match(reference, /^NOI-/);
    assert.equal((await get(processId, await t.key(['*'], { council: 'default' }))).status, 200);
    assert.equal((await get(processId, await t.key(['*'], { council: 'north' }))).status, 404);
  });

  test("a place in neither council's area is refused; an unshared service names the hub's other council", async () => {
    let res = await submit('noise-complaint', IN_LONDON);
    assert.equal(res.status, 422);
    res = await submit('north-noise', IN_EXAMPLETON);
    assert.equal(res.status, 422);
    const problem = (await res.json()) as { detail: string; outsideArea: unknown };
    assert.equal(problem.detail, "This address is not in Neighbour Borough Council's area. Contact Example District Council instead.");
    assert.deepEqual(problem.outsideArea, { council: 'Neighbour Borough Council', contact: { name: 'Example District Council' }, neighbours: [] });
  });
});
