// Operations issue, information governance: a citizen's personal data is erased on request (admin API or CLI) from every
// place the hub keeps it, while the process, its reference, status, dates and tasks stay; a second erasure changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pngBytes } from '../helpers/files.ts';
import { PERSONAL, apiAs, cli, noiseAnswers, sql, submitJson, submitWithFiles, waitFor } from './support.ts';

const ERASED = '[erased]';
/** Fragments of the citizen's data and of what the back office wrote about them (all lower case). */
const TRACES = ['quillfeather', '900461', 'kennelworth', 'ex9 7q', 'garden-photo'];

const blobPath = (t: TestHub, bytes: Buffer) => {
  const sha = createHash('sha256').update(bytes).digest('hex');
  return join(t.config.paths.documents, sha.slice(0, 2), sha.slice(2, 4), sha);
};
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Every text the hub keeps about a process, as one lower-case string. */
async function everythingKeptAbout(t: TestHub, processId: string, reference: string): Promise<string> {
  const queries = [
    'select row_to_json(x)::text as t from processes x where id = $1',
    `select x.name || ' ' || coalesce(convert_from(x.content, 'UTF8'), '') as t from documents x where process_id = $1`,
    'select row_to_json(x)::text as t from timeline_events x where process_id = $1',
    'select row_to_json(x)::text as t from notifications x where process_id = $1',
    'select row_to_json(x)::text as t from deliveries x where process_id = $1',
    'select row_to_json(a)::text as t from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.process_id = $1',
    'select row_to_json(x)::text as t from tracking_tokens x where process_id = $1',
    `select row_to_json(x)::text as t from form_sessions x where x.result->>'processId' = $1::text`,
  ];
  const parts: string[] = [];
  for (const q of queries) for (const r of await sql<{ t: string | null }>(t, q, [processId])) parts.push(r.t ?? '');
  for (const r of await sql<{ t: string }>(t, 'select row_to_json(x)::text as t from sandbox_inbox x where reference = $1', [reference])) parts.push(r.t);
  return parts.join('\n').toLowerCase();
}

describe('erasure on request', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  let backOffice: ReturnType<typeof apiAs>;
  let admin: ReturnType<typeof apiAs>;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    backOffice = apiAs(t, await t.key(['noise-complaint'], { name: 'Alloy EH' }));
    admin = apiAs(t, await t.key([], { admin: true, name: 'DPO admin' }));
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  test('the admin API erases answers, contact, documents, files, messages, notes and links; the process and its history stay', async () => {
    const shared = pngBytes(4000, 'shared-evidence');
    const own = pngBytes(4200, 'own-evidence');
    const a = await submitWithFiles(t, noiseAnswers, [
      { name: 'quillfeather-garden-photo.png', bytes: shared, type: 'image/png' },
      { name: 'diary.png', bytes: own, type: 'image/png' },
    ]);
    // Another citizen sent the very same photo: the content-addressed blob is shared.
    const other = {
      ...noiseAnswers,
      fullName: 'Bo Other',
      email: 'bo.other@example.com',
      phone: '07700 900999',
      impact: 'Barking.',
      homeAddress: { line1: '7 Elm Close', postcode: 'EX1 1AA' },
    };
    const b = await submitWithFiles(t, other, [{ name: 'copy.png', bytes: shared, type: 'image/png' }]);
    for (const p of [a, b]) {
      await waitFor(
        async () => ((await (await backOffice(`/api/v1/processes/${p.processId}`)).json()) as { status: string }).status === 'received',
        'delivery',
      );
    }

    // The back office writes about the citizen, as back offices do.
    const publicNote = `An officer will call ${PERSONAL.fullName} on ${PERSONAL.phone}.`;
    assert.equal(
      (await backOffice(`/api/v1/processes/${a.processId}/notes`, { method: 'POST', body: JSON.stringify({ text: publicNote, visibleToCitizen: true }) }))
        .status,
      201,
    );
    assert.equal(
      (
        await backOffice(`/api/v1/processes/${a.processId}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: `PRIVATE: ${PERSONAL.fullName} complained before.`, visibleToCitizen: false }),
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await backOffice(`/api/v1/processes/${a.processId}/tasks/triage`, {
          method: 'PATCH',
          body: JSON.stringify({ status: 'completed', note: `Spoke to ${PERSONAL.fullName}.` }),
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await backOffice(`/api/v1/processes/${a.processId}/close`, {
          method: 'POST',
          body: JSON.stringify({ reason: `Visited ${PERSONAL.homeLine1}: no nuisance.` }),
        })
      ).status,
      200,
    );
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(a.reference) && m.text.includes('An officer will call')));
    // A finished form session of the citizen (the pages keep one until it expires).
    await sql(
      t,
      `insert into form_sessions (token_hash, service_id, service_version, answers, result) values ($1, 'noise-complaint', 1, $2::jsonb, $3::jsonb)`,
      [
        createHash('sha256').update('session-a').digest(),
        JSON.stringify(noiseAnswers),
        JSON.stringify({ processId: a.processId, reference: a.reference, trackingUrl: a.trackingUrl }),
      ],
    );

    const token = a.trackingUrl.split('/track/')[1]!;
    assert.equal((await fetch(`${t.url}/api/v1/track/${token}`)).status, 200);
    const before = (await (await backOffice(`/api/v1/processes/${a.processId}`)).json()) as {
      answers: Record<string, unknown>;
      tasks: { key: string; status: string }[];
      documents: { id: string; kind: string; url: string }[];
      submittedAt: string;
      status: string;
    };
    assert.equal(before.documents.length, 5, 'form JSON and HTML, two evidence files, the XML sent');
    const timelineBefore = (
      (await (await backOffice(`/api/v1/processes/${a.processId}/timeline`)).json()) as { events: { id: string; kind: string; at: string; text: string }[] }
    ).events;
    const keptBefore = await everythingKeptAbout(t, a.processId, a.reference);
    for (const trace of TRACES) assert.ok(keptBefore.includes(trace), `before erasure the hub keeps "${trace}"`);
    assert.ok((await exists(blobPath(t, shared))) && (await exists(blobPath(t, own))));

    // Only admins erase.
    assert.equal((await backOffice(`/api/v1/admin/processes/${a.processId}/erase`, { method: 'POST', body: '{}' })).status, 403);

    const res = await admin(`/api/v1/admin/processes/${a.processId}/erase`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'Erasure request DPO-2026-041' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const erased = (await res.json()) as {
      erased: boolean;
      reference: string;
      erasedAt: string;
      removed: { filesDeleted: number; formSessions: number; trackingTokens: number };
    };
    assert.equal(erased.erased, true);
    assert.equal(erased.reference, a.reference);
    assert.equal(erased.removed.filesDeleted, 1, "the citizen's own file is deleted; the shared one is not");
    assert.equal(erased.removed.formSessions, 1);
    assert.ok(erased.removed.trackingTokens >= 2, 'the first link and the e-mailed ones');

    // Nothing the citizen wrote, nor anything written about them, is left in the process's rows.
    const keptAfter = await everythingKeptAbout(t, a.processId, a.reference);
    for (const trace of [...TRACES, 'officer will call', 'complained before', 'spoke to', 'no nuisance']) {
      assert.ok(!keptAfter.includes(trace), `"${trace}" is gone`);
    }
    // Files: the citizen's own blob is gone; the blob another process still uses is not.
    assert.equal(await exists(blobPath(t, own)), false);
    assert.equal(await exists(blobPath(t, shared)), true);
    const bDocs = ((await (await backOffice(`/api/v1/processes/${b.processId}/documents`)).json()) as { documents: { id: string; kind: string }[] }).documents;
    const bPhoto = await backOffice(`/api/v1/processes/${b.processId}/documents/${bDocs.find((d) => d.kind === 'evidence')!.id}`);
    assert.equal(bPhoto.status, 200);
    assert.deepEqual(Buffer.from(await bPhoto.arrayBuffer()), shared);

    // The back office sees the process, marked erased: same reference, status, dates and tasks; answers keep their keys.
    const after = (await (await backOffice(`/api/v1/processes/${a.processId}`)).json()) as typeof before & {
      erasedAt: string | null;
      contact: object;
      closedReason: string;
      reference: string;
    };
    assert.equal(after.erasedAt, erased.erasedAt);
    assert.equal(after.reference, a.reference);
    assert.equal(after.status, 'closed');
    assert.equal(after.submittedAt, before.submittedAt);
    assert.deepEqual(
      after.tasks.map((x) => [x.key, x.status]),
      before.tasks.map((x) => [x.key, x.status]),
    );
    assert.deepEqual(Object.keys(after.answers).sort(), Object.keys(before.answers).sort());
    assert.ok(Object.values(after.answers).every((v) => v === ERASED));
    assert.deepEqual(after.contact, {});
    assert.equal(after.closedReason, ERASED);
    // Documents are listed (what existed) but their bytes are Gone.
    assert.deepEqual(after.documents.map((d) => d.id).sort(), before.documents.map((d) => d.id).sort());
    for (const d of after.documents) {
      const got = await backOffice(new URL(d.url).pathname);
      assert.equal(got.status, 410, `${d.kind} is gone`);
      assert.equal(((await got.json()) as { status: number }).status, 410);
    }
    // The timeline keeps every entry, kind and time; notes lose their text, changes keep only what changed.
    const timelineAfter = (
      (await (await backOffice(`/api/v1/processes/${a.processId}/timeline`)).json()) as { events: { id: string; kind: string; at: string; text: string }[] }
    ).events;
    assert.deepEqual(
      timelineAfter.map((e) => [e.id, e.kind, e.at]),
      timelineBefore.map((e) => [e.id, e.kind, e.at]),
    );
    assert.ok(timelineAfter.filter((e) => e.kind === 'note').every((e) => e.text === ERASED));
    assert.ok(timelineAfter.some((e) => e.kind === 'task' && e.text === 'Triage: completed'));
    assert.ok(timelineAfter.some((e) => e.kind === 'status' && e.text === 'Closed'));
    // Messages keep their times and channel, not their texts; back-office answers are replaced.
    const notes = await sql<{ updates: { text: string; at: string }[] }>(t, 'select updates from notifications where process_id = $1', [a.processId]);
    assert.ok(notes.length >= 2 && notes.every((n) => n.updates.length > 0 && n.updates.every((u) => u.text === ERASED && u.at)));
    const xml = await sql<{ t: string }>(t, `select convert_from(content, 'UTF8') as t from documents where process_id = $1 and kind = 'xml'`, [a.processId]);
    assert.match(xml[0]!.t, new RegExp(`<Erased reference="${a.reference}"`));
    // The tracking link no longer works.
    assert.equal((await fetch(`${t.url}/api/v1/track/${token}`)).status, 404);
    assert.equal((await fetch(`${t.url}/track/${token}`, { headers: { accept: 'text/html' } })).status, 404);

    // Who erased it, when and why, in the audit log (and nothing personal there).
    const audit = (await (await admin(`/api/v1/admin/audit?processId=${a.processId}&action=process.erased`)).json()) as {
      events: { actor: string; target: string; at: string; detail: { reason: string; via: string } }[];
    };
    assert.equal(audit.events.length, 1);
    assert.equal(audit.events[0]!.actor, 'api-client:DPO admin');
    assert.equal(audit.events[0]!.target, a.reference);
    assert.equal(audit.events[0]!.detail.reason, 'Erasure request DPO-2026-041');
    assert.equal(audit.events[0]!.detail.via, 'request');
    assert.equal(audit.events[0]!.at, erased.erasedAt);

    // A second erasure is a no-op that says so.
    const again = await admin(`/api/v1/admin/processes/${a.processId}/erase`, { method: 'POST', body: '{}' });
    assert.equal(again.status, 200);
    const againBody = (await again.json()) as { erased: boolean; message: string; erasedAt: string };
    assert.equal(againBody.erased, false);
    assert.match(againBody.message, /already erased/);
    assert.equal(againBody.erasedAt, erased.erasedAt);
    const [count] = await sql<{ n: number }>(t, `select count(*)::int as n from audit_events where process_id = $1 and action = 'process.erased'`, [
      a.processId,
    ]);
    assert.equal(count!.n, 1);

    // The operator erases the other citizen's process from the command line: now the shared blob has no user left.
    const byCli = await cli(t, ['erase', '--reference', b.reference.toLowerCase(), '--reason', 'Erasure request DPO-2026-042']);
    assert.equal(byCli.code, 0, byCli.stderr);
    assert.match(byCli.stdout, new RegExp(`${b.reference} was erased`));
    assert.equal(await exists(blobPath(t, shared)), false);
    const [cliAudit] = await sql<{ actor: string; detail: { reason: string } }>(
      t,
      `select actor, detail from audit_events where process_id = $1 and action = 'process.erased'`,
      [b.processId],
    );
    assert.equal(cliAudit!.actor, 'cli:dpo-operator');
    assert.equal(cliAudit!.detail.reason, 'Erasure request DPO-2026-042');
    const cliAgain = await cli(t, ['erase', '--reference', b.reference]);
    assert.equal(cliAgain.code, 0);
    assert.match(cliAgain.stdout, /already erased/);
    const unknown = await cli(t, ['erase', '--reference', 'NOI-NOTAREF2']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No process has the reference "NOI-NOTAREF2"/);
  });
});

describe('erasure before delivery', () => {
  let t: TestHub;
  before(async () => {
    // No worker: deliveries and messages stay in the outbox.
    t = await startTestHub();
  });
  after(async () => {
    await t?.close();
  });

  test('deliveries not yet made are ended and messages not yet sent never go; other councils and non-admins cannot erase', async () => {
    const p = await submitJson(t, 'noise-complaint', noiseAnswers);
    const [pending] = await sql<{ status: string }>(t, 'select status from deliveries where process_id = $1', [p.processId]);
    assert.equal(pending!.status, 'pending');

    assert.equal((await fetch(`${t.url}/api/v1/admin/processes/${p.processId}/erase`, { method: 'POST' })).status, 401);
    const otherCouncil = apiAs(t, await t.key([], { admin: true, name: 'Neighbouring council admin', council: 'elsewhere' }));
    assert.equal(
      (await otherCouncil(`/api/v1/admin/processes/${p.processId}/erase`, { method: 'POST', body: '{}' })).status,
      404,
      "another council's admin cannot tell the process exists",
    );
    assert.equal((await sql<{ erased_at: Date | null }>(t, 'select erased_at from processes where id = $1', [p.processId]))[0]!.erased_at, null);

    const admin = apiAs(t, await t.key([], { admin: true, name: 'DPO admin' }));
    const res = await admin(`/api/v1/admin/processes/${p.processId}/erase`, { method: 'POST' });
    assert.equal(res.status, 200, await res.clone().text());
    const deliveries = await sql<{ status: string; last_error: string }>(t, 'select status, last_error from deliveries where process_id = $1', [p.processId]);
    assert.deepEqual(
      deliveries.map((d) => [d.status, d.last_error]),
      [['dead', 'Not delivered: the process was erased']],
    );
    const messages = await sql<{ status: string; updates: { text: string }[] }>(t, 'select status, updates from notifications where process_id = $1', [
      p.processId,
    ]);
    assert.ok(messages.length === 1 && messages[0]!.status === 'skipped' && messages[0]!.updates.every((u) => u.text === ERASED));
    // The process is still open for its back office (its tasks are its own); only the personal data is gone.
    const [row] = await sql<{ status: string; contact: object }>(t, 'select status, contact from processes where id = $1', [p.processId]);
    assert.deepEqual(row, { status: 'submitted', contact: {} });
  });

  test("errors of deliveries already made keep what went wrong but lose the citizen's values; back-office answers are replaced", async () => {
    const p = await submitJson(t, 'noise-complaint', noiseAnswers);
    // As left by a dead delivery whose XSD check quoted answers (once plain, once XML-escaped) and a back office's echo.
    const error = `PermanentError: The XML does not match noise-complaint.xsd: line 9 <FullName>: '${PERSONAL.fullName}' is too long; line 12 <Impact>: 'The Quillfeather family cannot sleep &lt;at all&gt; &amp; the baby wakes.' is not valid`;
    await sql(t, `update deliveries set status = 'dead', attempts = 1, last_error = $2 where process_id = $1`, [p.processId, error]);
    await sql(
      t,
      `insert into delivery_attempts (delivery_id, number, started_at, ended_at, outcome, error, response_excerpt)
      select id, 1, now(), now(), 'dead', $2, $3 from deliveries where process_id = $1`,
      [p.processId, error, `{"echo":{"name":"${PERSONAL.fullName}"}}`],
    );
    const admin = apiAs(t, await t.key([], { admin: true, name: 'DPO admin' }));
    assert.equal((await admin(`/api/v1/admin/processes/${p.processId}/erase`, { method: 'POST', body: '{}' })).status, 200);
    const expected = `PermanentError: The XML does not match noise-complaint.xsd: line 9 <FullName>: '[erased]' is too long; line 12 <Impact>: '[erased]' is not valid`;
    const [d] = await sql<{ status: string; last_error: string }>(t, 'select status, last_error from deliveries where process_id = $1', [p.processId]);
    assert.deepEqual(d, { status: 'dead', last_error: expected });
    const [a] = await sql<{ error: string; response_excerpt: string }>(
      t,
      'select a.error, a.response_excerpt from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.process_id = $1',
      [p.processId],
    );
    assert.deepEqual(a, { error: expected, response_excerpt: ERASED });
  });
});
