// Issue 18, target dates, through the real HTTP server on the example council (noise-complaint: triage within 5 working
// days of the submission, the officer's visit within 10 of its start). A report sent on Friday 28 August 2026, before
// England's summer bank holiday, is due on Monday 7 September; being past, it is overdue in the API, on the case page, in
// /metrics, in the alerts and on the staff overview, until a back office moves the target with a reason the citizen reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { submit as submitProcess } from '../../core/processes/index.ts';
import { Councils } from '../../core/councils.ts';
import { endOfUkDay, ukDateOf, WorkingCalendar } from '../../core/calendar/index.ts';
import { parsePrometheus, sample } from '../ops/prometheus.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';
import { noiseAnswers, submitNoise } from '../helpers/noise-complaint.ts';

// Started before the Friday the first test submits on (28 August 2026).
const answers = noiseAnswers({ whenHappens: ['morning'], startedOn: '2026-08-01' });

interface Task {
  key: string;
  status: string;
  dueAt: string | null;
  overdue: boolean;
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;|’/g, "'")
    .replace(/\s+/g, ' ');

/** A date `days` after today in the UK, YYYY-MM-DD. */
const daysAhead = (days: number) => ukDateOf(new Date(Date.now() + days * 86_400_000));

describe('task target dates (example council)', () => {
  let t: TestHub;
  let key: string;
  let admin: string;
  let operator: StaffAccount;
  let friday: { processId: string; reference: string; trackingUrl: string };
  const england = new WorkingCalendar({ bankHolidays: 'england-and-wales' });

  const api = async (path: string, init: RequestInit = {}, bearer = key) =>
    fetch(`${t.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });
  const tasksOf = async (processId: string): Promise<Task[]> => {
    const res = await api(`/api/v1/processes/${processId}/tasks`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { tasks: Task[] }).tasks;
  };
  const patch = (processId: string, task: string, body: unknown) =>
    api(`/api/v1/processes/${processId}/tasks/${task}`, { method: 'PATCH', body: JSON.stringify(body) });
  const scrape = async () => parsePrometheus(await (await fetch(`${t.url}/metrics`)).text());
  const alerts = async () => {
    const res = await api('/api/v1/admin/alerts', {}, admin);
    assert.equal(res.status, 200);
    return (await res.json()) as { alerts: unknown[]; overdueTasks: { service: string; count: number; oldestDueAt: string; processIds: string[] }[] };
  };

  before(async () => {
    t = await staffTestHub({
      configure(c) {
        c.server.metrics = { enabled: true, cacheSeconds: 0 };
      },
    });
    key = await t.key(['noise-complaint']);
    admin = await t.key([], { admin: true, name: 'Ops' });
    operator = await signUpStaff(t, { role: 'operator' });
    // Sent on Friday 28 August 2026 at 10am (BST): the hub's own submission, with the clock of that day.
    const service = t.hub.catalogue.get('noise-complaint');
    friday = await submitProcess(
      {
        db: t.hub.db,
        store: t.hub.store,
        publicBaseUrl: t.config.server.publicBaseUrl,
        channels: new Set(),
        calendar: t.hub.councils.calendarOf(t.hub.catalogue, 'noise-complaint'),
      },
      { service, answers, files: [], now: new Date('2026-08-28T09:00:00Z') },
    );
  });
  after(async () => {
    await t?.close();
  });

  test('5 working days from a Friday before the bank holiday: due at the end of Monday 7 September, and overdue now', async () => {
    const res = await api(`/api/v1/processes/${friday.processId}`);
    assert.equal(res.status, 200);
    const { tasks } = (await res.json()) as { tasks: Task[] };
    const triage = tasks.find((x) => x.key === 'triage')!;
    assert.equal(triage.dueAt, '2026-09-07T22:59:59.000Z', '23:59:59 in London (BST)');
    assert.equal(triage.overdue, true);
    // The officer's visit counts from its start: no date yet; tasks without a target have none.
    assert.deepEqual(
      tasks.filter((x) => x.key !== 'triage').map((x) => [x.key, x.dueAt, x.overdue]),
      [
        ['diary-sheets', null, false],
        ['officer-visit', null, false],
        ['outcome', null, false],
      ],
    );
  });

  test('a report sent today is due 5 working days from today, not overdue; the tracking page says so', async () => {
    const today = await submitNoise(t);
    const triage = (await tasksOf(today.processId)).find((x) => x.key === 'triage')!;
    const due = england.addWorkingDays(ukDateOf(new Date()), 5);
    assert.equal(triage.dueAt, endOfUkDay(due).toISOString());
    assert.equal(triage.overdue, false);
    const page = text(await (await fetch(today.trackingUrl)).text());
    const [y, m, d] = due.split('-').map(Number);
    const written = `${d} ${new Date(Date.UTC(y!, m! - 1, d!)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`;
    assert.match(page, new RegExp(`Triage .*We aim to do this by ${written}`));
  });

  test('a target counted from the task’s start is set when the task starts', async () => {
    const started = new Date();
    const res = await patch(friday.processId, 'officer-visit', { status: 'in_progress' });
    assert.equal(res.status, 200, await res.clone().text());
    const { task } = (await res.json()) as { task: Task };
    assert.equal(task.dueAt, england.dueAt(started, 10).toISOString());
    assert.equal(task.overdue, false);
    // Stopping and starting again does not move it.
    assert.equal((await patch(friday.processId, 'officer-visit', { status: 'open' })).status, 200);
    assert.equal((await patch(friday.processId, 'officer-visit', { status: 'in_progress' })).status, 200);
    assert.equal((await tasksOf(friday.processId)).find((x) => x.key === 'officer-visit')!.dueAt, task.dueAt);
  });

  test('overdue tasks per service in /metrics, the admin alerts, the staff overview and the case page', async () => {
    assert.equal(sample(await scrape(), 'closeloop_overdue_tasks', { service: 'noise-complaint' }), 1);
    assert.equal(sample(await scrape(), 'closeloop_overdue_tasks', { service: 'pest-control' }), 0);
    const { overdueTasks } = await alerts();
    assert.deepEqual(overdueTasks, [{ service: 'noise-complaint', count: 1, oldestDueAt: '2026-09-07T22:59:59.000Z', processIds: [friday.processId] }]);

    const overview = await operator.browser.get('/staff/overview');
    assert.equal(overview.status, 200);
    assert.match(overview.html, /aria-label="Overdue tasks: [^"]+" data-overdue="noise-complaint"/);
    assert.match(text(overview.html), /1 task past its target date \(the earliest was due 7 September 2026\)/);

    const casePage = await operator.browser.get(`/staff/cases/${friday.processId}`);
    assert.equal(casePage.status, 200);
    const triageRow = /<tr class="govuk-table__row" data-task="triage">([\s\S]*?)<\/tr>/.exec(casePage.html)![1]!;
    assert.match(text(triageRow), /7 September 2026 Overdue/);
    assert.match(triageRow, /govuk-tag govuk-tag--red">Overdue</);
    const outcomeRow = /<tr class="govuk-table__row" data-task="outcome">([\s\S]*?)<\/tr>/.exec(casePage.html)![1]!;
    assert.match(text(outcomeRow), /No target/);
  });

  test('a back office moves the target with a reason: the citizen reads both, and the task is no longer overdue', async () => {
    const dueDate = daysAhead(30);
    const res = await patch(friday.processId, 'triage', { dueDate, targetReason: 'The officer is away until then.' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { task: Task; changed: boolean; processStatus: string };
    assert.equal(body.changed, true);
    assert.equal(body.task.dueAt, endOfUkDay(dueDate).toISOString());
    assert.equal(body.task.overdue, false);

    const written = new Date(`${dueDate}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    const page = text(await (await fetch(friday.trackingUrl)).text());
    assert.match(page, new RegExp(`Triage .*We aim to do this by ${written}`));
    assert.match(page, new RegExp(`Triage: we now aim to do this by ${written}\\. The officer is away until then\\.`));
    const timeline = (await (await api(`/api/v1/processes/${friday.processId}/timeline`)).json()) as {
      events: { kind: string; text: string; visibleToCitizen: boolean }[];
    };
    assert.ok(timeline.events.some((e) => e.kind === 'task' && e.visibleToCitizen && e.text.endsWith('The officer is away until then.')));

    assert.equal(sample(await scrape(), 'closeloop_overdue_tasks', { service: 'noise-complaint' }), 0);
    assert.deepEqual((await alerts()).overdueTasks, []);
    // The same date again changes nothing and tells nobody.
    const again = await patch(friday.processId, 'triage', { dueDate, targetReason: 'The officer is away until then.' });
    assert.equal(((await again.json()) as { changed: boolean }).changed, false);
  });

  test('bad targets are refused with problem+json naming the field', async () => {
    const problem = async (body: unknown, status = 422, task = 'triage') => {
      const res = await patch(friday.processId, task, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      return (await res.json()) as { detail?: string; errors?: { field: string; message: string }[] };
    };
    assert.ok((await problem({ dueDate: daysAhead(5) })).errors?.some((e) => e.field === 'targetReason'));
    assert.ok((await problem({ targetReason: 'Why' })).errors?.some((e) => e.field === 'dueDate'));
    assert.ok((await problem({})).errors?.some((e) => e.field === 'status'));
    await problem({ dueDate: '2026-02-30', targetReason: 'Not a date' });
    const past = await problem({ dueDate: '2020-01-01', targetReason: 'Too late' });
    assert.deepEqual(past.errors, [{ field: 'dueDate', message: 'The target date must be today or in the future' }]);
    // A finished task's target no longer moves.
    assert.equal((await patch(friday.processId, 'diary-sheets', { status: 'completed' })).status, 200);
    assert.match(
      (await problem({ dueDate: daysAhead(5), targetReason: 'Late' }, 409, 'diary-sheets')).detail ?? '',
      /completed; its target can no longer move/,
    );
  });

  test('erasing the case keeps the date of a moved target, not its reason; its targets then no longer move', async () => {
    const res = await api(`/api/v1/admin/processes/${friday.processId}/erase`, { method: 'POST', body: JSON.stringify({ reason: 'DPO-2026-041' }) }, admin);
    assert.equal(res.status, 200, await res.clone().text());
    const timeline = (await (await api(`/api/v1/processes/${friday.processId}/timeline`)).json()) as {
      events: { kind: string; text: string; data: { dueDate?: string } }[];
    };
    const moved = timeline.events.find((e) => e.kind === 'task' && e.data.dueDate)!;
    assert.equal(moved.text, `Triage: target date ${moved.data.dueDate}`);
    assert.equal((await patch(friday.processId, 'triage', { dueDate: daysAhead(40), targetReason: 'Again' })).status, 410);
  });

  test("a council's bank holidays and own days off come from closeloop.yaml", () => {
    const scottish = new Councils({ ...t.config, council: { ...t.config.council, bankHolidays: 'scotland', extraHolidays: ['2026-09-04'] } });
    // Monday 31 August is a working day in Scotland; Friday 4 September is this council's own day off.
    assert.equal(scottish.calendarOf(t.hub.catalogue, 'noise-complaint').addWorkingDays('2026-08-28', 5), '2026-09-07');
    assert.equal(scottish.calendarOf(t.hub.catalogue, 'noise-complaint').addWorkingDays('2026-08-28', 4), '2026-09-03');
  });
});
