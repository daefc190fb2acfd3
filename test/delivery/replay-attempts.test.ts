// Issue 14, point 18: a replayed delivery's `attempts` restarted at 1 while its attempt log listed every try. The count
// is the delivery's whole life (replays included) everywhere it is shown; a replay still gives a fresh retry budget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { up as addReplayRound, down as removeReplayRound } from '../../core/db/migrations/006-replay-keeps-attempts.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** The fixture's `backoffice` binding: 4 attempts per round, 0.2 s apart. */
const BUDGET = 4;

interface DeliveryDetail {
  id: string;
  status: string;
  attempts: number;
  attemptLog: { number: number; outcome: string }[];
}

describe('attempts of a replayed delivery', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let admin: string;
  let backOffice: string;
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
    });
    admin = await t.key([], { admin: true, name: 'Ops' });
    backOffice = await t.key(['noise']);
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
  });

  const get = async <T>(path: string, key = admin): Promise<T> => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as T;
  };
  const detailOf = (id: string) => get<DeliveryDetail>(`/api/v1/admin/deliveries/${id}`);
  const settled = (id: string, status: string, attempts: number) =>
    waitFor(
      async () => {
        const d = await detailOf(id);
        return d.status === status && d.attemptLog.length === attempts ? d : null;
      },
      `delivery ${id} ${status} after ${attempts} attempts`,
      30_000,
    );

  test('attempts counts every try across replays, equal to the attempt log, in every view', async () => {
    receiver.script(Array(BUDGET).fill(500));
    const processId = await submit(t);
    const id = await waitFor(
      async () =>
        (await get<{ deliveries: { id: string; processId: string }[] }>('/api/v1/admin/deliveries')).deliveries.find((d) => d.processId === processId)?.id,
      'the delivery',
    );

    // Round 1: the whole budget fails; the delivery is dead.
    let d = await settled(id, 'dead', BUDGET);
    assert.equal(d.attempts, BUDGET);

    // Round 2, after a replay: a fresh budget (three more failures are retried, not dead), and the count goes on.
    receiver.script(Array(BUDGET - 1).fill(500));
    assert.equal((await fetch(`${t.url}/api/v1/admin/deliveries/${id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } })).status, 202);
    d = await settled(id, 'delivered', 2 * BUDGET);
    assert.deepEqual(
      d.attemptLog.map((a) => `${a.number} ${a.outcome}`),
      ['1 retry', '2 retry', '3 retry', '4 dead', '5 retry', '6 retry', '7 retry', '8 delivered'],
    );
    assert.equal(d.attempts, 2 * BUDGET, 'attempts is the number of tries in the attempt log, replays included');
    assert.equal(receiver.requests.length, 2 * BUDGET, 'the back office was tried that many times');

    const listed = (await get<{ deliveries: { id: string; attempts: number }[] }>('/api/v1/admin/deliveries?status=delivered')).deliveries.find(
      (x) => x.id === id,
    );
    assert.equal(listed?.attempts, 2 * BUDGET, 'the same count in the deliveries list');
    const process = await get<{ deliveries: { attempts: number }[] }>(`/api/v1/processes/${processId}`, backOffice);
    assert.deepEqual(
      process.deliveries.map((x) => x.attempts),
      [2 * BUDGET],
      "the same count in the back office's view of the process",
    );
  });
});

describe('migration of deliveries replayed before the count was kept', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configFile: CONFIG });
  });
  after(async () => {
    await t?.close();
  });

  test('a replayed delivery gets its logged tries as attempts and keeps its round; others are unchanged', async () => {
    const sql = async <T>(query: string, bind: unknown[] = []) => (await t.hub.db.rows<any>(query, bind)) as T[];
    const migration = { context: { query: (q: string) => t.hub.db.run(q) }, name: '006-replay-keeps-attempts' } as Parameters<typeof addReplayRound>[0];
    await removeReplayRound(migration);
    // The old state: `attempts` counted only the round since the last replay; the log has every try.
    const cases = [
      { status: 'delivered', attempts: 2, logged: 6, expect: { attempts: 6, round: 2 } }, // replayed, delivered in round 2
      { status: 'delivering', attempts: 1, logged: 4, expect: { attempts: 5, round: 1 } }, // replayed, its first try in flight
      { status: 'dead', attempts: 3, logged: 3, expect: { attempts: 3, round: 3 } }, // never replayed
      { status: 'pending', attempts: 0, logged: 0, expect: { attempts: 0, round: 0 } }, // never tried
    ];
    const ids: string[] = [];
    for (const c of cases) {
      const processId = await submit(t);
      const [d] = await sql<{ id: string }>('update deliveries set status = $2, attempts = $3 where process_id = $1 returning id', [
        processId,
        c.status,
        c.attempts,
      ]);
      await sql(
        `insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome) select $1, n, now(), now(), 'retry' from generate_series(1, $2::int) n`,
        [d!.id, c.logged],
      );
      ids.push(d!.id);
    }
    await addReplayRound(migration);
    const rows = await sql<{ id: string; attempts: number; round: number }>(
      'select id, attempts, attempts - attempts_before_replay as round from deliveries where id = any($1::uuid[])',
      [ids],
    );
    assert.deepEqual(
      ids.map((id) => rows.find((r) => r.id === id)).map((r) => ({ attempts: r!.attempts, round: r!.round })),
      cases.map((c) => c.expect),
    );
  });
});

async function submit(t: TestHub): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      answers: {
        noiseType: 'music',
        description: 'Loud music',
        source: { line1: '1 High Street', postcode: 'EX1 2AB' },
        started: '2026-10-01',
        times: ['night'],
      },
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { processId: string }).processId;
}
