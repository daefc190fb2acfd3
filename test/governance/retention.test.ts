// Operations issue, information governance: a service's retention period erases completed or closed processes that
// finished longer ago than it, through the same erasure, from a daily job scheduler in the worker role that never runs
// twice at once; services without one are never touched; `closeloop retention --dry-run` lists what would go.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { parse } from 'yaml';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { createRedis } from '../../core/redis.ts';
import { runRetention } from '../../core/governance/index.ts';
import { RETENTION_QUEUE } from '../../core/jobs/index.ts';
import { apiAs, cli, noiseAnswers, pestAnswers, sql, submitJson, waitFor, type Submitted } from './support.ts';

const DAYS = 30;

describe('retention', () => {
  let t: TestHub;
  let admin: ReturnType<typeof apiAs>;
  let backOffice: ReturnType<typeof apiAs>;
  const deps = () => ({ db: t.hub.db, store: t.hub.store, erasers: t.hub.erasers });
  const erasedAt = async (p: Submitted) =>
    (await sql<{ erased_at: Date | null }>(t, 'select erased_at from processes where id = $1', [p.processId]))[0]!.erased_at;
  /** Marks a process finished `days` ago, as if its last task had been completed (or it was closed) then. */
  const finish = async (p: Submitted, status: 'completed' | 'closed', days: number) => {
    await sql(t, 'update processes set status = $2 where id = $1', [p.processId, status]);
    await sql(t, `update processes set finished_at = now() - make_interval(days => $2::int) - interval '1 minute' where id = $1`, [p.processId, days]);
  };

  before(async () => {
    t = await startTestHub({ worker: true });
    admin = apiAs(t, await t.key([], { admin: true, name: 'Forms team' }));
    backOffice = apiAs(t, await t.key(['noise-complaint', 'pest-control'], { name: 'Alloy EH' }));
    // The noise service keeps personal data 30 days after a process finishes; pest control sets no retention.
    const def = parse(await readFile('config/services/noise-complaint.yaml', 'utf8')) as Record<string, unknown>;
    const draft = await admin('/api/v1/admin/services/noise-complaint/versions', {
      method: 'POST',
      body: JSON.stringify({ ...def, retention: { redactAfterDays: DAYS } }),
    });
    assert.equal(draft.status, 201, await draft.clone().text());
    const { version } = (await draft.json()) as { version: number };
    assert.equal((await admin(`/api/v1/admin/services/noise-complaint/versions/${version}/publish`, { method: 'POST' })).status, 200);
  });
  after(async () => {
    await t?.close();
  });

  test('the retention field is part of the service definition schema and checked', async () => {
    const schema = (await (await fetch(`${t.url}/schemas/service.json`)).json()) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    assert.ok(schema.properties.retention?.properties?.redactAfterDays, 'documented in the JSON Schema');
    const def = parse(await readFile('config/services/noise-complaint.yaml', 'utf8')) as Record<string, unknown>;
    for (const retention of [{ redactAfterDays: 0 }, { redactAfterDays: 1.5 }, { redactAfterDays: 30, extra: true }]) {
      const res = await admin('/api/v1/admin/services/noise-complaint/versions', { method: 'POST', body: JSON.stringify({ ...def, retention }) });
      assert.equal(res.status, 422, JSON.stringify(retention));
    }
  });

  test('completing a process starts its retention clock; reopening stops it', async () => {
    const p = await submitJson(t, 'noise-complaint', noiseAnswers);
    const finishedAt = async () =>
      (await sql<{ finished_at: Date | null }>(t, 'select finished_at from processes where id = $1', [p.processId]))[0]!.finished_at;
    assert.equal(await finishedAt(), null);
    for (const task of ['triage', 'diary-sheets', 'officer-visit', 'outcome']) {
      assert.equal(
        (await backOffice(`/api/v1/processes/${p.processId}/tasks/${task}`, { method: 'PATCH', body: JSON.stringify({ status: 'completed' }) })).status,
        200,
      );
    }
    const first = await finishedAt();
    assert.ok(first && Math.abs(first.getTime() - Date.now()) < 60_000, 'set when the process was completed');
    // Closing a completed process does not restart the clock.
    assert.equal((await backOffice(`/api/v1/processes/${p.processId}/close`, { method: 'POST', body: JSON.stringify({ reason: 'Done.' }) })).status, 200);
    assert.deepEqual(await finishedAt(), first);
    const q = await submitJson(t, 'noise-complaint', noiseAnswers);
    for (const task of ['triage', 'diary-sheets', 'officer-visit', 'outcome'])
      await backOffice(`/api/v1/processes/${q.processId}/tasks/${task}`, { method: 'PATCH', body: JSON.stringify({ status: 'completed' }) });
    await backOffice(`/api/v1/processes/${q.processId}/tasks/outcome`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) });
    assert.equal(
      (await sql<{ finished_at: Date | null }>(t, 'select finished_at from processes where id = $1', [q.processId]))[0]!.finished_at,
      null,
      'reopened: no clock',
    );
  });

  test('one run erases what finished more than N days ago, in batches; nothing else; a second run finds nothing', async () => {
    const old: Submitted[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await submitJson(t, 'noise-complaint', noiseAnswers);
      await finish(p, i % 2 ? 'closed' : 'completed', DAYS + 1);
      old.push(p);
    }
    const yesterday = await submitJson(t, 'noise-complaint', noiseAnswers);
    await finish(yesterday, 'completed', 1);
    const openButOld = await submitJson(t, 'noise-complaint', noiseAnswers);
    await sql(
      t,
      `update processes set status = 'in_progress', submitted_at = now() - interval '400 days', updated_at = now() - interval '400 days' where id = $1`,
      [openButOld.processId],
    );
    const pestOld = await submitJson(t, 'pest-control', pestAnswers);
    await finish(pestOld, 'completed', 1000);

    // The dry run lists exactly the old ones and changes nothing.
    const dry = await cli(t, ['retention', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    for (const p of old) assert.match(dry.stdout, new RegExp(`${p.reference}\\s+noise-complaint`));
    for (const p of [yesterday, openButOld, pestOld]) assert.ok(!dry.stdout.includes(p.reference), `${p.reference} is not listed`);
    assert.match(dry.stdout, /5 processes would be erased/);
    for (const p of old) assert.equal(await erasedAt(p), null, 'a dry run erases nothing');

    const outcome = await runRetention(deps(), { batchSize: 2 });
    assert.equal(outcome.ran, true);
    assert.equal(outcome.erased, 5);
    // Every service with a retention period is swept (the library's food poisoning and rented home ones too), no other.
    const withRetention = t.hub.catalogue
      .list()
      .filter((s) => s.definition.retention?.redactAfterDays !== undefined)
      .map((s) => s.serviceId)
      .sort();
    assert.ok(withRetention.includes('noise-complaint') && !withRetention.includes('pest-control'));
    assert.deepEqual(outcome.services.map((s) => s.serviceId).sort(), withRetention, 'only services with a retention period are swept');
    assert.deepEqual(
      outcome.services.filter((s) => s.erased > 0).map((s) => [s.serviceId, s.redactAfterDays, s.erased]),
      [['noise-complaint', DAYS, 5]],
      'only the old noise complaints are erased',
    );
    for (const p of old) assert.ok(await erasedAt(p), `${p.reference} erased`);
    for (const p of [yesterday, openButOld, pestOld]) assert.equal(await erasedAt(p), null, `${p.reference} kept`);

    // The same erasure as on request: answers gone, status kept, tracking link dead, audited as "retention".
    const view = (await (await backOffice(`/api/v1/processes/${old[0]!.processId}`)).json()) as {
      status: string;
      answers: Record<string, unknown>;
      contact: object;
      erasedAt: string | null;
    };
    assert.equal(view.status, 'completed');
    assert.ok(view.erasedAt);
    assert.ok(Object.values(view.answers).every((v) => v === '[erased]'));
    assert.deepEqual(view.contact, {});
    assert.equal((await fetch(`${t.url}/api/v1/track/${old[0]!.trackingUrl.split('/track/')[1]}`)).status, 404);
    const audit = (await (await admin(`/api/v1/admin/audit?actor=retention&action=process.erased`)).json()) as {
      events: { processId: string; detail: { via: string } }[];
    };
    assert.deepEqual(audit.events.map((e) => e.processId).sort(), old.map((p) => p.processId).sort());
    assert.ok(audit.events.every((e) => e.detail.via === 'retention'));
    // The pest-control answers are untouched.
    const pest = (await (await backOffice(`/api/v1/processes/${pestOld.processId}`)).json()) as { answers: Record<string, unknown> };
    assert.equal(pest.answers.fullName, 'Jo Tenant');

    const again = await runRetention(deps(), { batchSize: 2 });
    assert.deepEqual([again.ran, again.erased], [true, 0]);
    const [audits] = await sql<{ n: number }>(t, `select count(*)::int as n from audit_events where actor = 'retention'`);
    assert.equal(audits!.n, 5, 'no second erasure');
  });

  test('two runs never overlap: a run finding the lock held does nothing', async () => {
    const p = await submitJson(t, 'noise-complaint', noiseAnswers);
    await finish(p, 'completed', DAYS + 5);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another worker's run, holding the lock.
    const other = t.hub.db.transaction(async (tx) => {
      await tx.run(`select job from governance_runs where job = 'retention' for update`);
      locked();
      await held;
    });
    await isLocked;
    try {
      const skipped = await runRetention(deps());
      assert.deepEqual(skipped, { ran: false, erased: 0, failed: 0, services: [] });
      assert.equal(await erasedAt(p), null);
    } finally {
      release();
      await other;
    }
    assert.equal((await runRetention(deps())).erased, 1);
  });

  test('the worker role keeps one daily "retention" job scheduler and runs the sweep from its queue', async () => {
    const connection = createRedis(t.config.redis, 'worker');
    const queue = new Queue(RETENTION_QUEUE, { connection, prefix: t.config.redis.prefix });
    try {
      const schedulers = await queue.getJobSchedulers(0, -1);
      assert.deepEqual(
        schedulers.map((s) => [s.key, s.pattern, s.tz]),
        [['retention', '17 3 * * *', 'Europe/London']],
      );

      const p = await submitJson(t, 'noise-complaint', noiseAnswers);
      await finish(p, 'closed', DAYS + 2);
      const [before] = await sql<{ runs: string }>(t, `select runs::text from governance_runs where job = 'retention'`);
      // What the scheduler does every night, now.
      await queue.add('retention', {});
      await waitFor(async () => (await erasedAt(p)) !== null, 'the worker to run retention');
      await waitFor(
        async () => (await sql<{ runs: string }>(t, `select runs::text from governance_runs where job = 'retention'`))[0]!.runs !== before!.runs,
        'the run to be recorded',
      );
      const [run] = await sql<{ last_result: { ran: boolean; erased: number }; last_error: string | null }>(
        t,
        `select last_result, last_error from governance_runs where job = 'retention'`,
      );
      assert.deepEqual([run!.last_result.ran, run!.last_result.erased, run!.last_error], [true, 1, null]);
    } finally {
      await queue.close();
      await connection.quit();
    }
  });
});
