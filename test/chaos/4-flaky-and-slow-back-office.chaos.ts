// Fault 4: back offices misbehaving.
// a) A back office answering ~50% 500s and ~20% timeouts (the rest 200): every case is delivered within the binding's
//    retry horizon (test/chaos/fixtures/closeloop.yaml: 40 attempts, 0.2 s / 0.5 s / 1 s), none dead, none twice.
// b) One binding's back office answering in 30 s (5 s at CI scale) does not slow another binding's deliveries: each
//    binding has its own queue and concurrency. The fast binding's submit→delivered p50/p99 are measured without, then
//    with, the slow binding saturated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, backOfficeView, referenceOf, type Rig } from './support/rig.ts';
import { submit, paced, type Outcome } from './support/client.ts';
import { withFigures } from './support/results.ts';
import { scaled } from './support/scale.ts';
import { Counter, seededRandom, summarize, waitUntil } from './support/stats.ts';
import type { Step, WebhookReceiver } from '../peers/webhook-receiver.ts';
import { horizonSeconds } from '../../core/jobs/index.ts';

const N = Number(process.env.CHAOS_N ?? scaled(150, 1000));
const SLOW_MS = scaled(5000, 30_000);
/** Fast-binding submissions per phase of (b), and their rate. */
const M = scaled(60, 300);
const M_RATE = scaled(15, 20);
/** The slow binding's concurrency (fixture) and how many slow cases are queued behind it. */
const SLOW_CONCURRENCY = 2;
const SLOW_CASES = scaled(6, 10);
/** The fixture's retry policy for the backoffice binding. */
const RETRY = { attempts: 40, scheduleSeconds: [0.2, 0.5, 1] };
const TIMEOUT_MS = 1000;

/** A random ~50% 500 / ~20% timeout / ~30% 200 script, long enough for every attempt the run can make. */
function flakyScript(length: number, seed: number): Step[] {
  const random = seededRandom(seed);
  return Array.from({ length }, (): Step => {
    const x = random();
    return x < 0.5 ? 500 : x < 0.7 ? 'timeout' : 200;
  });
}

/** Submit → the first 2xx at the back office, per case. */
function deliveredLatencies(receiver: WebhookReceiver, outcomes: Outcome[]): number[] {
  const sent = new Map(outcomes.filter((o) => o.status === 201).map((o) => [(o.body as { reference: string }).reference, o.sentAt]));
  const first = new Map<string, number>();
  for (const r of receiver.requests) {
    const ref = referenceOf(r.body);
    if (ref && sent.has(ref) && r.ref !== undefined && !first.has(ref)) first.set(ref, r.at);
  }
  return [...first].map(([ref, at]) => at - sent.get(ref)!);
}

describe('fault: flaky and slow back offices', { timeout: scaled(180_000, 480_000) }, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ slow: { delayMs: SLOW_MS } });
    await rig.start('serve');
    await rig.start('worker');
  });
  after(async () => {
    await rig?.close();
  });

  test(`${N} deliveries to a back office answering ~50% 500s and ~20% timeouts: all delivered within the retry horizon`, async () => {
    await withFigures('4a-flaky-back-office', 'Back office: ~50% 500s, ~20% timeouts', async (f) => {
      const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
      rig.backoffice.script(flakyScript(N * 12, seed));
      const horizonMs = horizonSeconds(RETRY) * 1000 * 1.2 + RETRY.attempts * TIMEOUT_MS;
      const started = Date.now();
      const outcomes = await paced(N, scaled(30, 40), () => submit(rig.baseUrl));
      const statuses = new Counter();
      for (const o of outcomes) statuses.add(o.status ?? o.error ?? 'none');
      f.statuses = statuses.counts;
      f.http5xx = statuses.filter((k) => /^5\d\d$/.test(k));
      f.attempted = N;
      const accepted = outcomes.filter((o) => o.status === 201);
      assert.equal(accepted.length, N, `every submission accepted (${JSON.stringify(statuses.counts)})`);
      try {
        await waitUntil(
          async () => {
            const s = await rig.deliveryStatuses('backoffice');
            return (s.delivered ?? 0) + (s.dead ?? 0) === N;
          },
          horizonMs + 60_000,
          'every delivery delivered or dead',
          250,
        );
      } finally {
        const s = await rig.deliveryStatuses('backoffice');
        const attempts = await rig.query<{ outcome: string; n: number; maxper: number }>(
          `select outcome, count(*)::int as n, 0 as maxper from delivery_attempts group by outcome`,
        );
        const perDelivery = await rig.query<{ attempts: number; ms: number }>(
          `select attempts, extract(epoch from (delivered_at - created_at)) * 1000 as ms from deliveries where binding = 'backoffice' and status = 'delivered'`,
        );
        const view = backOfficeView(rig.backoffice);
        const answered = new Counter();
        for (const r of rig.backoffice.requests) answered.add(r.answeredWith);
        f.delivered = s.delivered ?? 0;
        f.lost = N - (s.delivered ?? 0);
        f.duplicatedEffects = view.duplicatedEffects;
        f.latenciesMs = {
          'submit→delivered': summarize(perDelivery.map((r) => Number(r.ms))),
          'submit→back office': summarize(deliveredLatencies(rig.backoffice, accepted)),
        };
        f.notes = {
          seed,
          dead: s.dead ?? 0,
          backOfficeAnswers: answered.counts,
          backOfficeShare500: +(answered.get(500) / rig.backoffice.requests.length).toFixed(3),
          backOfficeShareTimeout: +(answered.get('timeout') / rig.backoffice.requests.length).toFixed(3),
          attemptsByOutcome: Object.fromEntries(attempts.map((a) => [a.outcome, a.n])),
          attemptsPerDelivery: summarize(perDelivery.map((r) => r.attempts)),
          retryPolicy: RETRY,
          retryHorizonMs: Math.round(horizonMs),
          allSettledAfterMs: Date.now() - started,
          backOfficeRecords: view.records,
          repeatedDeliveriesOfOneId: view.repeatedIds,
        };
      }
      const answered = f.notes.backOfficeAnswers as Record<string, number>;
      assert.ok((answered['500'] ?? 0) > 0 && (answered.timeout ?? 0) > 0, 'the back office did fail and time out');
      assert.equal(f.notes.dead, 0, 'no delivery went dead');
      assert.equal(f.delivered, N, 'every case delivered');
      assert.equal(f.duplicatedEffects, 0, 'no case recorded twice');
      assert.equal(backOfficeView(rig.backoffice).records, N);
      const slowest = f.latenciesMs['submit→delivered']!.max;
      assert.ok(slowest <= horizonMs, `the slowest delivery (${slowest} ms) landed within the retry horizon (${Math.round(horizonMs)} ms)`);
    });
  });

  test(`a back office answering in ${SLOW_MS / 1000} s does not delay another binding's deliveries`, async () => {
    await withFigures('4b-slow-binding-isolation', `One binding's back office answering in ${SLOW_MS / 1000} s; another binding's latency`, async (f) => {
      rig.backoffice.reset(); // reliable again: only the slow binding is in trouble now
      const fast = async () => {
        const outcomes = await paced(M, M_RATE, () => submit(rig.baseUrl));
        assert.ok(outcomes.every((o) => o.status === 201));
        const refs = outcomes.map((o) => (o.body as { reference: string }).reference);
        await waitUntil(() => refs.every((r) => backOfficeView(rig.backoffice).references.has(r)), 60_000, 'fast deliveries');
        return deliveredLatencies(rig.backoffice, outcomes);
      };
      const without = summarize(await fast());
      rig.backoffice.reset();

      // Saturate the slow binding: more cases than its concurrency, each answered after SLOW_MS.
      const slowOutcomes = await Promise.all(Array.from({ length: SLOW_CASES }, () => submit(rig.baseUrl, { service: 'pests' })));
      assert.ok(slowOutcomes.every((o) => o.status === 201));
      await waitUntil(() => rig.slow.requests.length >= SLOW_CONCURRENCY, 30_000, 'the slow back office to be busy');
      const slowBusySince = Date.now();
      const withSlow = summarize(await fast());
      const slowStatuses = await rig.deliveryStatuses('slow');
      const slowStillBusy = (slowStatuses.delivering ?? 0) + (slowStatuses.queued ?? 0) + (slowStatuses.pending ?? 0);

      // The figures count the fast binding's deliveries (the slow cases are there to keep the slow binding busy).
      f.attempted = 2 * M;
      f.delivered = 2 * M;
      f.latenciesMs = { 'fast binding alone': without, 'fast binding, slow one saturated': withSlow };
      f.notes = {
        slowResponseMs: SLOW_MS,
        slowConcurrency: SLOW_CONCURRENCY,
        slowCases: SLOW_CASES,
        slowBindingStatusesAfter: slowStatuses,
        fastPhaseDurationMs: Date.now() - slowBusySince,
        p50Ratio: +(withSlow.p50 / Math.max(1, without.p50)).toFixed(2),
        p99Ratio: +(withSlow.p99 / Math.max(1, without.p99)).toFixed(2),
      };
      f.statuses = { 201: 2 * M + SLOW_CASES };
      assert.ok(slowStillBusy > 0, 'the slow binding was still working through its cases while the fast one was measured');
      assert.ok(
        withSlow.p99 < SLOW_MS / 2,
        `fast binding p99 ${withSlow.p99} ms with the slow binding saturated stays far below the slow answer time (${SLOW_MS} ms)`,
      );
      assert.ok(withSlow.p50 <= 2 * without.p50 + 250, `fast binding p50 ${withSlow.p50} ms with vs ${without.p50} ms without`);
    });
  });
});
