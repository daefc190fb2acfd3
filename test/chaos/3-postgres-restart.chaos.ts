// Fault 3: the (private) Postgres is restarted under intake — a clean fast shutdown and a crash (immediate), in turn.
// A request that could not commit gets 503 with Retry-After, never 500; every 201 ever returned has its process and
// delivery row afterwards; the hub recovers on its own (the serve and worker processes keep running) and delivers it all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startRig, backOfficeView, type Rig } from './support/rig.ts';
import { submit, pool, type Outcome } from './support/client.ts';
import { tail, type RoleProcess } from './support/launcher.ts';
import { withFigures } from './support/results.ts';
import { scaled } from './support/scale.ts';
import { Counter, summarize, waitUntil } from './support/stats.ts';
import type { StopMode } from './support/postgres.ts';

/** The errors the hub logged for these request ids: type, code and message, counted. */
function distinctErrors(proc: RoleProcess, reqIds: Set<string>): Record<string, number> {
  const c = new Counter();
  for (const l of proc.logs) {
    if (l.msg !== 'request failed' || !reqIds.has(String(l.reqId))) continue;
    const e = (l.err ?? {}) as { name?: string; message?: string; code?: string; cause?: { code?: string } };
    c.add(`${e.name ?? '?'}${(e.code ?? e.cause?.code) ? ` (${e.code ?? e.cause?.code})` : ''}: ${String(e.message ?? '').slice(0, 160)}`);
  }
  return c.counts;
}

const RESTARTS = Number(process.env.CHAOS_RESTARTS ?? scaled(2, 6));
const DOWN_MS = scaled(3000, 5000);
const CONCURRENCY = scaled(8, 16);

describe('fault: Postgres restarted during intake', { timeout: scaled(150_000, 420_000) }, () => {
  let rig: Rig;
  let serve: RoleProcess;
  let worker: RoleProcess;
  before(async () => {
    rig = await startRig({ backoffice: { delayMs: 10 } });
    serve = await rig.start('serve');
    worker = await rig.start('worker');
  });
  after(async () => {
    await rig?.close();
  });

  test(`${RESTARTS} Postgres restarts under load: 503 + Retry-After (never 500) while down, no 201 without its rows, recovery without a hub restart`, async () => {
    await withFigures('3-postgres-restart', 'Postgres restarted (fast and immediate) during intake', async (f) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      let stop = false;
      const outages: { mode: StopMode; downAt: number; upAt: number; first201AfterMs?: number }[] = [];
      // Clients that get a 503 wait a little before the next request (as Retry-After asks; shortened to keep the test short).
      const load = pool(
        CONCURRENCY,
        async () => {
          const o = await submit(rig.baseUrl, { agent, timeoutMs: 30_000 });
          if (o.status !== 201) await new Promise((r) => setTimeout(r, 200));
          return o;
        },
        { shouldStop: () => stop },
      );
      let outcomes: Outcome[];
      try {
        const seen201 = async () => (await rig.query<{ n: number }>('select count(*)::int as n from processes'))[0]!.n;
        for (let i = 0; i < RESTARTS; i++) {
          const before = await waitUntil(() => seen201().catch(() => 0), 30_000, 'intake running');
          await waitUntil(async () => (await seen201()) >= before + 20, 30_000, 'intake running before the fault');
          const mode: StopMode = i % 2 === 0 ? 'fast' : 'immediate';
          const downAt = Date.now();
          await rig.pg.stop(mode);
          await new Promise((r) => setTimeout(r, DOWN_MS)); // the outage itself
          await rig.pg.start();
          const upAt = Date.now();
          outages.push({ mode, downAt, upAt });
          // Recovery: the first submission committed after Postgres is back, without touching the hub.
          const count = await seen201();
          await waitUntil(async () => (await seen201()) > count, 30_000, 'intake to recover after the restart');
          outages[outages.length - 1]!.first201AfterMs = Date.now() - upAt;
        }
        await waitUntil(async () => (await rig.query<{ n: number }>('select count(*)::int as n from processes'))[0]!.n > 0, 1000, 'rows');
      } finally {
        stop = true;
        outcomes = await load;
        agent.destroy();
      }

      const statuses = new Counter();
      for (const o of outcomes) statuses.add(o.status ?? o.error ?? 'none');
      f.statuses = statuses.counts;
      f.http5xx = statuses.filter((k) => /^5\d\d$/.test(k));
      const accepted = outcomes.filter((o) => o.status === 201);
      const unavailable = outcomes.filter((o) => o.status === 503);
      f.attempted = outcomes.length;

      // Every 201 has its process and delivery row; then every delivery arrives.
      const rows = await rig.query<{ id: string; marker: string; delivery: string | null; status: string | null }>(
        `select p.id, p.answers->>'description' as marker, d.id as delivery, d.status from processes p left join deliveries d on d.process_id = p.id`,
      );
      const byProcess = new Map(rows.map((r) => [r.id, r]));
      const byMarker = new Set(rows.map((r) => r.marker));
      const acceptedIds = accepted.map((o) => (o.body as { processId: string }).processId);
      const withoutRows = acceptedIds.filter((id) => !byProcess.get(id)?.delivery);
      let allDelivered = false;
      try {
        await waitUntil(
          async () => (await rig.deliveryStatuses('backoffice')).delivered === rows.length,
          scaled(90_000, 180_000),
          'every stored submission delivered',
          250,
        ).catch(async (err) => {
          // Say where the deliveries are stuck and what the worker last said, so a failure explains itself.
          throw new Error(
            `${(err as Error).message}; deliveries ${JSON.stringify(await rig.deliveryStatuses('backoffice'))}; worker alive ${worker.alive()}:\n${tail(worker, 30)}`,
          );
        });
        allDelivered = true;
      } finally {
        const after = await rig.query<{ id: string; status: string }>(`select p.id, d.status from processes p join deliveries d on d.process_id = p.id`);
        const delivered = new Set(after.filter((r) => r.status === 'delivered').map((r) => r.id));
        const view = backOfficeView(rig.backoffice);
        f.delivered = acceptedIds.filter((id) => delivered.has(id)).length;
        f.lost = withoutRows.length + acceptedIds.filter((id) => !delivered.has(id)).length;
        f.duplicatedEffects = view.duplicatedEffects;
        const during = (o: Outcome) => outages.some((w) => o.doneAt >= w.downAt && o.sentAt <= w.upAt);
        f.latenciesMs = {
          intake: summarize(accepted.map((o) => o.doneAt - o.sentAt)),
          '503 answers': summarize(unavailable.map((o) => o.doneAt - o.sentAt)),
          'requests during outages': summarize(outcomes.filter(during).map((o) => o.doneAt - o.sentAt)),
        };
        f.notes = {
          restarts: outages.map((o) => ({ mode: o.mode, downMs: o.upAt - o.downAt, firstCommitAfterRestartMs: o.first201AfterMs })),
          accepted: accepted.length,
          unavailable503: unavailable.length,
          retryAfterValues: [...new Set(unavailable.map((o) => o.retryAfter))],
          // A 503 whose transaction committed anyway (the answer was lost with the connection): the client's retry with
          // an Idempotency-Key would be replayed; without one it makes a second case.
          committedDespite503: unavailable.filter((o) => byMarker.has(`chaos ${o.marker}`)).length,
          storedProcesses: rows.length,
          allDelivered,
          backOfficeRecords: view.records,
          repeatedDeliveriesOfOneId: view.repeatedIds,
          serveAlive: serve.alive(),
          workerAlive: worker.alive(),
          serveErrorLines: serve.logs.filter((l) => l.level >= 50 && l.msg === 'request failed').length,
          // What each 500 was (the error the hub logged for that request id).
          errorsBehind500: distinctErrors(serve, new Set(outcomes.filter((o) => o.status === 500).map((o) => o.requestId))),
        };
      }

      assert.ok(serve.alive(), `the serve process kept running: ${tail(serve)}`);
      assert.ok(worker.alive(), `the worker process kept running: ${tail(worker)}`);
      assert.equal(statuses.get(500), 0, `no 500s (statuses ${JSON.stringify(statuses.counts)})`);
      assert.deepEqual(
        Object.keys(f.http5xx).filter((k) => k !== '503'),
        [],
        'the only 5xx is 503',
      );
      assert.ok(unavailable.length > 0, 'some requests met the outage (503)');
      assert.ok(
        unavailable.every((o) => o.retryAfter && Number(o.retryAfter) > 0),
        'every 503 carries Retry-After',
      );
      assert.deepEqual(
        Object.keys(statuses.counts).filter((k) => !['201', '503'].includes(k)),
        [],
        'no connection errors, no other statuses',
      );
      assert.deepEqual(withoutRows, [], 'every 201 has its process and delivery row');
      assert.equal(f.lost, 0, 'every accepted submission delivered');
      assert.equal(f.duplicatedEffects, 0, 'no case recorded twice');
    });
  });
});
