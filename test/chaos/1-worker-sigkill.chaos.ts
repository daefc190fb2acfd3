// Fault 1: the worker process is SIGKILLed again and again (1–2 s into each life, restarted each time) while citizens
// submit N cases. Every case must reach the back office, none may be lost, and none may become two cases there: the
// back office may see a delivery id twice (at-least-once), but it records one case per id, and one id per process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, backOfficeView, referenceOf, type Rig } from './support/rig.ts';
import { submit, paced, type Outcome } from './support/client.ts';
import { errorLines, type RoleProcess } from './support/launcher.ts';
import { withFigures } from './support/results.ts';
import { scaled } from './support/scale.ts';
import { Counter, summarize, waitUntil } from './support/stats.ts';

const N = Number(process.env.CHAOS_N ?? scaled(200, 1000));
/** Submissions per second: spread over ~12 s (CI) / ~40 s (full) so the kills land throughout the stream. */
const RATE = scaled(16, 25);

describe('fault: worker killed with SIGKILL repeatedly', { timeout: scaled(150_000, 420_000) }, () => {
  let rig: Rig;
  before(async () => {
    // A little latency at the back office keeps deliveries in flight when the kills land.
    rig = await startRig({ backoffice: { delayMs: 50 } });
    await rig.start('serve');
  });
  after(async () => {
    await rig?.close();
  });

  test(`${N} deliveries while the worker is SIGKILLed every 1–2 s: all delivered, none lost, no duplicate cases`, async () => {
    await withFigures('1-worker-sigkill', 'Worker SIGKILLed every 1–2 s during N deliveries', async (f) => {
      f.attempted = N;
      let submitting = true;
      let delivered = 0;
      const lives: RoleProcess[] = [];
      let kills = 0;
      const maxKills = scaled(25, 60);

      // The killer: start a worker, let it work 1–2 s after it is up, SIGKILL its process group; again.
      const killer = (async () => {
        while ((submitting || delivered < N) && kills < maxKills) {
          const w = rig.launch('worker');
          lives.push(w);
          await w.waitForLog((l) => l.msg === 'worker started', 90_000, '"worker started"');
          await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1000));
          const e = await w.kill();
          assert.equal(e.signal, 'SIGKILL');
          kills++;
        }
        // The last life is left to finish the work.
        const last = rig.launch('worker', 'worker#final');
        lives.push(last);
        await last.waitForLog((l) => l.msg === 'worker started', 90_000, '"worker started"');
      })();
      const watcher = setInterval(() => {
        rig
          .deliveryStatuses('backoffice')
          .then((s) => (delivered = s.delivered ?? 0))
          .catch(() => {});
      }, 250);

      // On a loaded machine a worker takes seconds to start, so the stream could end before the kills the scenario needs:
      // the last tenth of the cases is held back until they have happened, so kills land while cases are still coming.
      const held = Math.ceil(N / 10);
      const minKills = scaled(3, 10);
      let outcomes: Outcome[];
      try {
        outcomes = await paced(N - held, RATE, () => submit(rig.baseUrl));
        await waitUntil(async () => kills >= minKills, 120_000, `${minKills} worker kills`, 100);
        outcomes.push(...(await paced(held, RATE, () => submit(rig.baseUrl))));
      } finally {
        submitting = false;
      }
      const statuses = new Counter();
      for (const o of outcomes) statuses.add(o.status ?? o.error ?? 'none');
      f.statuses = statuses.counts;
      f.http5xx = statuses.filter((k) => /^5\d\d$/.test(k));
      const accepted = outcomes.filter((o) => o.status === 201);
      assert.equal(accepted.length, N, `every submission accepted (statuses ${JSON.stringify(statuses.counts)})`);

      try {
        await waitUntil(async () => (await rig.deliveryStatuses('backoffice')).delivered === N, scaled(120_000, 300_000), `${N} deliveries delivered`, 250);
      } finally {
        clearInterval(watcher);
        delivered = N; // done (or given up): the killer stops and leaves a last worker running
        await killer;
      }

      const rows = await rig.query<{ reference: string; status: string; attempts: number }>(
        `select p.reference, d.status, d.attempts from processes p left join deliveries d on d.process_id = p.id`,
      );
      const byRef = new Map(rows.map((r) => [r.reference, r]));
      const references = accepted.map((o) => (o.body as { reference: string }).reference);
      const missingRows = references.filter((ref) => byRef.get(ref)?.status === undefined);
      const notDelivered = references.filter((ref) => byRef.get(ref)?.status !== 'delivered');
      const view = backOfficeView(rig.backoffice);
      const notAtBackOffice = references.filter((ref) => !view.references.has(ref));

      // Submit → the back office's first 2xx for that case.
      const sentAt = new Map(accepted.map((o) => [(o.body as { reference: string }).reference, o.sentAt]));
      const firstAnswered = new Map<string, number>();
      for (const r of rig.backoffice.requests) {
        const ref = referenceOf(r.body);
        if (ref && r.ref !== undefined && !firstAnswered.has(ref)) firstAnswered.set(ref, r.at);
      }
      const e2e = [...firstAnswered].map(([ref, at]) => at - (sentAt.get(ref) ?? at));

      f.delivered = references.length - notDelivered.length;
      f.lost = Math.max(missingRows.length, notAtBackOffice.length, notDelivered.length);
      f.duplicatedEffects = view.duplicatedEffects;
      f.latenciesMs = { 'submit→back office': summarize(e2e), intake: summarize(accepted.map((o) => o.doneAt - o.sentAt)) };
      f.notes = {
        workerKills: kills,
        workerLives: lives.length,
        backOfficeRequests: view.requests,
        backOfficeRecords: view.records,
        distinctIdempotencyKeys: view.idempotencyKeys,
        distinctBodies: view.distinctBodies,
        repeatedDeliveriesOfOneId: view.repeatedIds,
        attemptsInPostgres: rows.reduce((a, r) => a + (r.attempts ?? 0), 0),
        workerErrorLines: lives.reduce((a, w) => a + errorLines(w).length, 0),
      };

      assert.ok(kills >= minKills, `the worker was killed repeatedly (${kills} kills)`);
      assert.deepEqual(missingRows, [], 'every accepted submission has its process and delivery row');
      assert.deepEqual(notDelivered, [], 'every delivery is delivered');
      assert.deepEqual(notAtBackOffice, [], 'every case reached the back office');
      assert.equal(view.records, N, 'one back-office record per delivery id');
      assert.equal(view.idempotencyKeys, N, 'one idempotency key per record');
      assert.equal(view.distinctBodies, N, 'one record per submission (distinct bodies)');
      assert.equal(view.duplicatedEffects, 0, 'no case recorded twice');
      assert.ok(
        rig.backoffice.requests.every((r) => r.verified),
        'every request carried a valid signature',
      );
    });
  });
});
