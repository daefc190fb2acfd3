// Fault 2: the (private) Redis is SIGKILLed mid-stream and started again empty — no RDB, no AOF, every job gone. While it
// is down the API keeps taking submissions into Postgres (201); routes that need Redis answer 503, never 500. Once it is
// back, the relay puts everything Postgres still has in flight back into the queues and every case is delivered, once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, backOfficeView, type Rig } from './support/rig.ts';
import { submit, paced, type Outcome } from './support/client.ts';
import type { RoleProcess } from './support/launcher.ts';
import { withFigures } from './support/results.ts';
import { scaled } from './support/scale.ts';
import { Counter, summarize, waitUntil } from './support/stats.ts';

const N = Number(process.env.CHAOS_N ?? scaled(150, 1000));
const RATE = scaled(15, 25);
/** How long Redis stays down. */
const OUTAGE_MS = scaled(4000, 10_000);
/** Deliveries waiting in Redis for a retry (Retry-After 30 s) when it is killed. */
const RETRIES_LOST = scaled(10, 40);

interface Probe {
  path: string;
  status: number | string;
  retryAfter?: string | null;
}

describe('fault: Redis lost (killed, restarted without persistence)', { timeout: scaled(150_000, 420_000) }, () => {
  let rig: Rig;
  let serve: RoleProcess;
  let worker: RoleProcess;
  let adminKey: string;
  const probes: Probe[] = [];
  before(async () => {
    rig = await startRig({ backoffice: { delayMs: 20 } });
    serve = await rig.start('serve');
    worker = await rig.start('worker');
    adminKey = await rig.createKey(['--name', 'chaos-ops', '--admin']);
  });
  after(async () => {
    await rig?.close();
  });

  test(`${N} submissions with Redis killed mid-stream: 201s throughout, 503 (not 500) where Redis is needed, all delivered after it returns`, async () => {
    await withFigures('2-redis-loss', 'Redis killed and restarted empty mid-stream', async (f) => {
      f.attempted = N;
      const probe = async (path: string, auth = false) => {
        // Bounded: a route that hangs while Redis is away is as wrong as one that answers 500.
        const res = await fetch(`${rig.baseUrl}${path}`, {
          headers: auth ? { authorization: `Bearer ${adminKey}` } : {},
          signal: AbortSignal.timeout(10_000),
        }).catch((err: Error) => ({
          status: err.name === 'TimeoutError' ? 'no answer in 10 s' : ((err.cause as { code?: string })?.code ?? err.message),
          headers: null,
        }));
        probes.push({ path, status: res.status, retryAfter: res.headers?.get('retry-after') ?? null });
      };
      const outage: { killedAt?: number; backAt?: number } = {};
      let downDuring = new Set<string>();

      const fault = (async () => {
        // A quarter of the stream in, the back office asks for a few retries later (Retry-After 30 s): those jobs now wait
        // in Redis as delayed jobs, and only Postgres will remember them once Redis is gone.
        await waitUntil(() => rig.backoffice.records().size >= Math.floor(N / 4), 60_000, 'deliveries flowing before the fault');
        rig.backoffice.script(Array.from({ length: RETRIES_LOST }, () => ({ status: 503, retryAfter: '30' })));
        await waitUntil(() => rig.backoffice.requests.filter((r) => r.answeredWith === 503).length >= RETRIES_LOST, 30_000, 'retries waiting in Redis');
        await rig.redis.kill();
        outage.killedAt = Date.now();
        // While it is down: the probes an operator or a load balancer would make.
        await waitUntil(
          async () => {
            const r = await fetch(`${rig.baseUrl}/readyz`);
            return r.status === 503;
          },
          10_000,
          '/readyz to notice Redis is down',
        );
        await Promise.all([
          probe('/readyz'),
          probe('/healthz'),
          probe('/admin/queues/api/queues', true),
          probe('/api/v1/admin/deliveries?status=queued', true),
          probe('/metrics'),
        ]);
        await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outage.killedAt!)))); // the outage itself
        await Promise.all([probe('/readyz'), probe('/admin/queues/api/queues', true)]);
        await rig.redis.start();
        outage.backAt = Date.now();
      })();

      const outcomes: Outcome[] = await paced(N, RATE, () => submit(rig.baseUrl));
      await fault;
      downDuring = new Set(outcomes.filter((o) => o.sentAt >= outage.killedAt! && o.sentAt < outage.backAt!).map((o) => o.marker));

      const statuses = new Counter();
      for (const o of outcomes) statuses.add(o.status ?? o.error ?? 'none');
      f.statuses = statuses.counts;
      f.http5xx = statuses.filter((k) => /^5\d\d$/.test(k));

      const accepted = outcomes.filter((o) => o.status === 201);
      const references = accepted.map((o) => (o.body as { reference: string }).reference);
      let allDeliveredAt = 0;
      try {
        await waitUntil(
          async () => (await rig.deliveryStatuses('backoffice')).delivered === accepted.length,
          scaled(120_000, 240_000),
          'every accepted submission delivered',
          250,
        );
        allDeliveredAt = Date.now();
      } finally {
        const rows = await rig.query<{ reference: string; status: string }>(
          `select p.reference, d.status from processes p left join deliveries d on d.process_id = p.id`,
        );
        const byRef = new Map(rows.map((r) => [r.reference, r.status]));
        const view = backOfficeView(rig.backoffice);
        f.delivered = references.filter((r) => byRef.get(r) === 'delivered').length;
        f.lost = references.filter((r) => !view.references.has(r) || byRef.get(r) !== 'delivered').length + (N - accepted.length);
        f.duplicatedEffects = view.duplicatedEffects;
        f.latenciesMs = {
          intake: summarize(accepted.map((o) => o.doneAt - o.sentAt)),
          'intake while Redis down': summarize(accepted.filter((o) => downDuring.has(o.marker)).map((o) => o.doneAt - o.sentAt)),
        };
        f.notes = {
          outageMs: outage.backAt && outage.killedAt ? outage.backAt - outage.killedAt : null,
          submissionsWhileRedisDown: downDuring.size,
          acceptedWhileRedisDown: accepted.filter((o) => downDuring.has(o.marker)).length,
          probes,
          redisBackToAllDeliveredMs: allDeliveredAt && outage.backAt ? allDeliveredAt - outage.backAt : null,
          retriesWaitingInRedisWhenKilled: RETRIES_LOST,
          requeuedBySweep: worker.logs.filter((l) => l.msg === 're-queued rows that Redis had lost').reduce((a, l) => a + Number(l.count ?? 0), 0),
          backOfficeRequests: view.requests,
          backOfficeRecords: view.records,
          repeatedDeliveriesOfOneId: view.repeatedIds,
          serveAlive: serve.alive(),
          workerAlive: worker.alive(),
        };
      }

      assert.equal(accepted.length, N, `every submission accepted, Redis or not (statuses ${JSON.stringify(statuses.counts)})`);
      assert.ok(downDuring.size > 0, 'some submissions were made while Redis was down');
      assert.ok(
        probes.filter((p) => p.path === '/readyz').every((p) => p.status === 503 && p.retryAfter),
        '/readyz says not ready (503, Retry-After) while Redis is down',
      );
      assert.ok(
        probes.filter((p) => p.path === '/healthz').every((p) => p.status === 200),
        '/healthz stays 200 (the process is alive)',
      );
      assert.ok(
        probes.filter((p) => p.path.startsWith('/api/')).every((p) => p.status === 200),
        'Postgres-only API routes keep answering',
      );
      assert.ok(serve.alive() && worker.alive(), 'serve and worker processes survived the outage');
      assert.equal(f.delivered, N, 'every case delivered after Redis returned');
      assert.equal(f.lost, 0);
      assert.equal(f.duplicatedEffects, 0, 'no case recorded twice');
      assert.equal(rig.backoffice.records().size, N);
      const recovery = f.notes.redisBackToAllDeliveredMs as number;
      assert.ok(
        recovery < 20_000,
        `the retries lost with Redis were queued again from Postgres at once (all delivered ${recovery} ms after Redis returned; their Retry-After was 30 s)`,
      );
    });
  });

  test('every route that needs Redis answers 503 with Retry-After while it is down: never 500, never a hang', async () => {
    await withFigures('2b-redis-down-routes', 'Routes probed while Redis is down', async (f) => {
      const statuses = new Counter();
      for (const p of probes) statuses.add(`${p.path.split('?')[0]} ${p.status}`);
      f.attempted = probes.length;
      f.statuses = statuses.counts;
      f.http5xx = {};
      for (const p of probes) if (typeof p.status === 'number' && p.status >= 500) f.http5xx[p.status] = (f.http5xx[p.status] ?? 0) + 1;
      f.notes = { probes };
      assert.ok(probes.length > 0, 'the outage was probed');
      const wrong = probes.filter((p) => p.status !== 200 && !(p.status === 503 && p.retryAfter));
      assert.deepEqual(wrong, [], 'each probe answered 200 (no Redis needed) or 503 with Retry-After');
    });
  });
});
