// Issue 4 acceptance: whatever the back office does, the citizen hears about it (and only about what they may see),
// and sees it on the tracking page in a real browser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer, type ReceivedMail } from '../peers/smtp-server.ts';
import { launchBrowser, newPage, runAxe } from '../helpers/browser.ts';
import { webhookHeaders } from '@closeloop/sdk';
import { waitFor } from '../helpers/wait.ts';

const answers = {
  noiseType: 'dog',
  noiseSource: { line1: '3 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
  whenHappens: ['morning', 'day'],
  frequency: 'daily',
  startedOn: '2026-09-01',
  impact: 'The dog barks <all day> & night.',
  spokenToNeighbour: 'no',
  fullName: 'Alex Citizen',
  email: 'alex@example.com',
  homeAddress: { line1: '5 Kennel Row', town: 'Exampleton', postcode: 'EX2 5TT' },
};

async function submit(t: TestHub): Promise<{ processId: string; reference: string; trackingUrl: string }> {
  const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string; trackingUrl: string };
}

const mailFor = (reference: string) => (m: ReceivedMail) => m.subject.includes(reference);

describe('closing the loop', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  let browser: Browser;
  let key: string;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    key = await t.key(['noise-complaint'], { name: 'Alloy EH' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  const api = (path: string, init: RequestInit & { idempotencyKey?: string } = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  test('back-office changes reach the citizen by email and on the tracking page; private notes never do', async () => {
    const { processId, reference, trackingUrl } = await submit(t);
    // Delivered to the sandbox back office first: the process is received.
    await waitFor(async () => ((await (await api(`/api/v1/processes/${processId}`)).json()) as { status: string }).status === 'received', 'delivery');

    assert.equal(
      (
        await api(`/api/v1/processes/${processId}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: 'An officer will visit on Tuesday between 9am and 1pm.', visibleToCitizen: true }),
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await api(`/api/v1/processes/${processId}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: 'PRIVATE: neighbour has a previous warning.', visibleToCitizen: false }),
        })
      ).status,
      201,
    );
    const task = await api(`/api/v1/processes/${processId}/tasks/triage`, { method: 'PATCH', body: JSON.stringify({ status: 'completed' }) });
    assert.equal(task.status, 200);
    const taskBody = (await task.json()) as { task: { status: string }; processStatus: string };
    assert.equal(taskBody.task.status, 'completed');
    assert.equal(taskBody.processStatus, 'in_progress');

    // The citizen is told: confirmation, delivery, note, task (several may be combined), each with the reference and a link.
    await smtp.waitFor((ms) => ms.filter(mailFor(reference)).some((m) => m.text.includes('Triage: completed')));
    await smtp.waitFor((ms) => ms.filter(mailFor(reference)).some((m) => m.text.includes('An officer will visit on Tuesday')));
    const mails = smtp.messages.filter(mailFor(reference));
    assert.ok(mails.length >= 2);
    for (const m of mails) {
      assert.deepEqual(m.to, ['alex@example.com']);
      assert.ok(m.text.includes(reference) && m.html.includes(reference), 'the reference is in every message');
      assert.match(m.text, new RegExp(`${t.config.server.publicBaseUrl}/track/[A-Za-z0-9_-]{43}`), 'every message carries a tracking link');
      assert.ok(!m.raw.includes('PRIVATE'), 'no message contains the private note');
      assert.ok(m.html.length > 0 && m.text.length > 0, 'HTML and text parts');
    }
    // The links in messages are fresh tokens for the same process, so the original link and the emailed ones all work.
    const emailedLink = /http:\/\/127\.0\.0\.1:\d+\/track\/[A-Za-z0-9_-]{43}/.exec(mails[mails.length - 1]!.text)![0];

    for (const link of [trackingUrl, emailedLink]) {
      const guarded = await newPage(browser);
      try {
        const res = await guarded.page.goto(link);
        assert.equal(res?.status(), 200);
        assert.equal(res?.headers()['referrer-policy'], 'no-referrer');
        assert.equal(res?.headers()['cache-control'], 'no-store');
        const text = await guarded.page.locator('main').innerText();
        assert.ok(text.includes(reference));
        assert.ok(text.includes('An officer will visit on Tuesday between 9am and 1pm.'), 'public note shown');
        assert.ok(!text.includes('PRIVATE'), 'private note not shown');
        const triage = guarded.page.locator('.govuk-task-list__item', { hasText: 'Triage' });
        assert.equal((await triage.locator('.govuk-tag').innerText()).trim(), 'Completed');
        const fontFamily = await guarded.page.evaluate(() => getComputedStyle(document.querySelector('h1')!).fontFamily);
        assert.match(fontFamily, /GDS Transport/, 'govuk-frontend CSS (and its font) is applied');
        assert.deepEqual(guarded.blocked, [], 'no request left this machine');
        assert.deepEqual(
          guarded.consoleErrors.filter((e) => /Content Security Policy/i.test(e)),
          [],
          'no CSP violations',
        );
        const robots = await guarded.page.locator('meta[name=robots]').getAttribute('content');
        assert.match(robots ?? '', /noindex/);
      } finally {
        await guarded.close();
      }
    }
    assert.deepEqual(await runAxe(browser, trackingUrl), [], 'axe finds no accessibility violations');

    const noJs = await newPage(browser, { javaScriptEnabled: false });
    try {
      await noJs.page.goto(trackingUrl);
      assert.ok((await noJs.page.locator('main').innerText()).includes('An officer will visit on Tuesday'));
    } finally {
      await noJs.close();
    }

    const unknown = await fetch(`${t.url}/track/${'x'.repeat(43)}`, { headers: { accept: 'text/html' } });
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /Page not found/);

    // The JSON view agrees with the page.
    const json = (await (await fetch(`${t.url}/api/v1/track/${trackingUrl.split('/track/')[1]}`)).json()) as { timeline: { text: string }[]; status: string };
    assert.equal(json.status, 'in_progress');
    assert.ok(json.timeline.some((e) => e.text.includes('An officer will visit')));
    assert.ok(!json.timeline.some((e) => e.text.includes('PRIVATE')));
  });

  test('Idempotency-Key: a replayed or concurrent request has one effect and sends one message', async () => {
    const { processId, reference } = await submit(t);
    await waitFor(async () => ((await (await api(`/api/v1/processes/${processId}`)).json()) as { status: string }).status === 'received', 'delivery');
    const note = JSON.stringify({ text: 'Diary sheets have been posted to you.', visibleToCitizen: true });
    const idem = randomUUID();
    const first = await api(`/api/v1/processes/${processId}/notes`, { method: 'POST', body: note, idempotencyKey: idem });
    const again = await api(`/api/v1/processes/${processId}/notes`, { method: 'POST', body: note, idempotencyKey: idem });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), await first.json());
    const other = await api(`/api/v1/processes/${processId}/notes`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Something else', visibleToCitizen: true }),
      idempotencyKey: idem,
    });
    assert.equal(other.status, 422);

    const concurrentKey = randomUUID();
    const concurrentNote = JSON.stringify({ text: 'We have written to the dog owner.', visibleToCitizen: true });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api(`/api/v1/processes/${processId}/notes`, { method: 'POST', body: concurrentNote, idempotencyKey: concurrentKey })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(8).fill(201),
    );

    const tl = (await (await api(`/api/v1/processes/${processId}/timeline`)).json()) as { events: { text: string }[] };
    assert.equal(tl.events.filter((e) => e.text === 'Diary sheets have been posted to you.').length, 1, 'one note for the sequential replay');
    assert.equal(tl.events.filter((e) => e.text === 'We have written to the dog owner.').length, 1, 'one note for the concurrent requests');

    await smtp.waitFor((ms) => ms.filter(mailFor(reference)).some((m) => m.text.includes('We have written to the dog owner.')));
    await new Promise((r) => setTimeout(r, 500));
    const mentions = (text: string) => smtp.messages.filter(mailFor(reference)).filter((m) => m.text.includes(text)).length;
    assert.equal(mentions('Diary sheets have been posted to you.'), 1, 'one message');
    assert.equal(mentions('We have written to the dog owner.'), 1, 'one message');

    const patchKey = randomUUID();
    const patch = JSON.stringify({ status: 'in_progress' });
    const p1 = await api(`/api/v1/processes/${processId}/tasks/officer-visit`, { method: 'PATCH', body: patch, idempotencyKey: patchKey });
    const p2 = await api(`/api/v1/processes/${processId}/tasks/officer-visit`, { method: 'PATCH', body: patch, idempotencyKey: patchKey });
    assert.equal(p1.status, 200);
    assert.deepEqual(await p2.json(), await p1.json());
  });

  test('signed callbacks: tampered or stale ones are refused with no change; a repeated webhook-id has no second effect', async () => {
    const { processId } = await submit(t);
    await waitFor(async () => ((await (await api(`/api/v1/processes/${processId}`)).json()) as { status: string }).status === 'received', 'delivery');
    const secret = String(t.config.bindings.sandbox!.config.secret);
    const url = `${t.url}/connectors/sandbox/events`;
    const body = JSON.stringify({ type: 'note.added', processId, text: 'Signed note from the back office.', visibleToCitizen: true });
    const id = `msg_${randomUUID()}`;
    const notes = async () =>
      ((await (await api(`/api/v1/processes/${processId}/timeline`)).json()) as { events: { text: string }[] }).events.filter(
        (e) => e.text === 'Signed note from the back office.',
      ).length;

    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, id, body) },
      body: body.replace('Signed', 'Forged'),
    });
    assert.equal(tampered.status, 401);
    const stale = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, id, body, Date.now() - 6 * 60_000) },
      body,
    });
    assert.equal(stale.status, 401);
    const wrongSecret = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, id, body) },
      body,
    });
    assert.equal(wrongSecret.status, 401);
    assert.equal(await notes(), 0, 'refused callbacks changed nothing');

    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...webhookHeaders(secret, id, body) }, body });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { processId, applied: true });
    const repeat = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...webhookHeaders(secret, id, body) }, body });
    assert.equal(repeat.status, 200);
    assert.equal(((await repeat.json()) as { duplicate?: boolean }).duplicate, true);
    assert.equal(await notes(), 1, 'one note for a repeated webhook-id');

    const complete = JSON.stringify({ type: 'task.updated', processId, taskKey: 'outcome', status: 'completed', note: 'No statutory nuisance found.' });
    const done = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, `msg_${randomUUID()}`, complete) },
      body: complete,
    });
    assert.equal(done.status, 200);
    const closeBody = JSON.stringify({ type: 'process.closed', processId, reason: 'No further action.' });
    const closed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, `msg_${randomUUID()}`, closeBody) },
      body: closeBody,
    });
    assert.equal(closed.status, 200);
    const proc = (await (await api(`/api/v1/processes/${processId}`)).json()) as { status: string; closedReason: string };
    assert.equal(proc.status, 'closed');
    assert.equal(proc.closedReason, 'No further action.');
    const tl = (await (await api(`/api/v1/processes/${processId}/timeline`)).json()) as { events: { by: string; kind: string }[] };
    assert.ok(
      tl.events.some((e) => e.kind === 'note' && e.by === 'sandbox'),
      'changes are recorded with who made them',
    );
  });

  test('SMTP down for a while: the message is retried and delivered once when it returns', async () => {
    await smtp.stop();
    const { processId, reference } = await submit(t);
    await waitFor(
      async () => {
        const rows = await t.hub.db.rows(`select count(*)::int as n from notifications where process_id = $1 and attempts >= 2 and status = 'queued'`, [
          processId,
        ]);
        return (rows as { n: number }[])[0]!.n > 0;
      },
      'a failed attempt',
      20_000,
    );
    await smtp.start();
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.subject.startsWith('We have received')), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(smtp.messages.filter((m) => m.subject.includes(reference) && m.subject.startsWith('We have received')).length, 1);
  });
});
