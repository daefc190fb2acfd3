// Issue 14, point 12: a back office knows the citizen's reference (NOI-…) or its own case number, not the hub's process
// id. GET /api/v1/processes finds a process by either, scoped like every read: a process the key may not see is simply
// not in the list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';

interface ListItem {
  id: string;
  reference: string;
  externalRef: string | null;
}
interface Problem {
  status: number;
  errors?: { field: string; message: string }[];
}

const answers = {
  noiseType: 'dog',
  noiseSource: { line1: '3 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
  whenHappens: ['morning'],
  frequency: 'daily',
  startedOn: '2026-09-01',
  impact: 'The dog barks all day.',
  spokenToNeighbour: 'no',
  fullName: 'Alex Citizen',
  email: 'alex@example.com',
  homeAddress: { line1: '5 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
};

describe('finding a process by its reference or the back office reference', () => {
  let t: TestHub;
  let noiseKey: string;
  let pestKey: string;
  let adminKey: string;
  let processId: string;
  let reference: string;
  let externalRef: string;

  const list = async (key: string, query: string) => {
    const res = await fetch(`${t.url}/api/v1/processes?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { processes: ListItem[] } & Problem };
  };

  before(async () => {
    t = await startTestHub({ worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    noiseKey = await t.key(['noise-complaint'], { name: 'Casework' });
    pestKey = await t.key(['pest-control'], { name: 'Pest team' });
    adminKey = await t.key([], { admin: true, name: 'Operator' });
    // Two processes, so a filter that matched everything would show.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      ({ processId, reference } = (await res.json()) as { processId: string; reference: string });
    }
    // The sandbox back office answers with its own case number, recorded as the delivery's externalRef.
    externalRef = await waitFor(async () => {
      const res = await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${noiseKey}` } });
      const p = (await res.json()) as { deliveries: { binding: string; externalRef: string | null }[] };
      return p.deliveries.find((d) => d.binding === 'sandbox')?.externalRef;
    }, 'the delivery to the sandbox back office');
  });
  after(async () => {
    await t?.close();
  });

  test('by reference: exactly that process, however the reference is typed', async () => {
    for (const typed of [reference, reference.toLowerCase(), ` ${reference} `]) {
      const { status, body } = await list(noiseKey, `reference=${encodeURIComponent(typed)}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(
        body.processes.map((p) => [p.id, p.reference]),
        [[processId, reference]],
        typed,
      );
    }
  });

  test("by the back office's reference and its binding: exactly that process", async () => {
    const { status, body } = await list(noiseKey, `externalRef=${encodeURIComponent(externalRef)}&binding=sandbox`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.processes.map((p) => [p.id, p.externalRef]),
      [[processId, externalRef]],
    );
    // The same number from another back office is another case.
    assert.deepEqual((await list(noiseKey, `externalRef=${encodeURIComponent(externalRef)}&binding=alloy-envhealth`)).body.processes, []);
    // Both references together must name the same process.
    assert.equal((await list(noiseKey, `reference=${reference}&externalRef=${encodeURIComponent(externalRef)}&binding=sandbox`)).body.processes.length, 1);
    assert.deepEqual((await list(noiseKey, `reference=NOI-AAAAAAAA&externalRef=${encodeURIComponent(externalRef)}&binding=sandbox`)).body.processes, []);
  });

  test('an operator key finds it too; an unknown reference is an empty list', async () => {
    assert.deepEqual(
      (await list(adminKey, `reference=${reference}`)).body.processes.map((p) => p.id),
      [processId],
    );
    assert.deepEqual((await list(noiseKey, 'reference=NOI-AAAAAAAA')).body.processes, []);
  });

  test('a key that may not see the service finds nothing (an empty list, not 403: nothing confirms the process exists)', async () => {
    const byReference = await list(pestKey, `reference=${reference}`);
    assert.equal(byReference.status, 200);
    assert.deepEqual(byReference.body.processes, []);
    const byExternal = await list(pestKey, `externalRef=${encodeURIComponent(externalRef)}&binding=sandbox`);
    assert.equal(byExternal.status, 200);
    assert.deepEqual(byExternal.body.processes, []);
  });

  test('externalRef without its binding (or binding alone) is refused naming the field', async () => {
    const noBinding = await list(noiseKey, `externalRef=${encodeURIComponent(externalRef)}`);
    assert.equal(noBinding.status, 400);
    assert.deepEqual(
      noBinding.body.errors?.map((e) => e.field),
      ['binding'],
    );
    const noRef = await list(noiseKey, 'binding=sandbox');
    assert.equal(noRef.status, 400);
    assert.deepEqual(
      noRef.body.errors?.map((e) => e.field),
      ['externalRef'],
    );
  });

  test('the OpenAPI document describes both lookups with examples', async () => {
    const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string; description?: string; example?: unknown }[] }>>;
    };
    const params = new Map(spec.paths['/api/v1/processes']!.get!.parameters.map((p) => [p.name, p]));
    for (const name of ['reference', 'externalRef', 'binding']) {
      assert.ok(params.get(name)?.description, `${name} is described`);
      assert.ok(params.get(name)?.example, `${name} has an example`);
    }
  });
});
