// Operations issue, information governance: admins query the audit log (filtered, newest first, keyset-paged without
// gaps or repeats); back-office reads of documents are audited; the database refuses to change or delete an entry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { apiAs, noiseAnswers, sql, submitJson, type Submitted } from './support.ts';

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  processId: string | null;
  reference: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}
interface Page {
  events: Entry[];
  nextCursor: string | null;
}

describe('audit log', () => {
  let t: TestHub;
  let admin: ReturnType<typeof apiAs>;
  let alloy: ReturnType<typeof apiAs>;
  let p1: Submitted;
  let p2: Submitted;
  before(async () => {
    t = await startTestHub();
    admin = apiAs(t, await t.key([], { admin: true, name: 'Information governance' }));
    alloy = apiAs(t, await t.key(['noise-complaint'], { name: 'Alloy EH' }));
    const uniform = apiAs(t, await t.key(['noise-complaint'], { name: 'Uniform' }));
    p1 = await submitJson(t, 'noise-complaint', noiseAnswers);
    p2 = await submitJson(t, 'noise-complaint', noiseAnswers);
    assert.equal(
      (await alloy(`/api/v1/processes/${p1.processId}/notes`, { method: 'POST', body: JSON.stringify({ text: 'Visit booked.', visibleToCitizen: true }) }))
        .status,
      201,
    );
    assert.equal(
      (await alloy(`/api/v1/processes/${p1.processId}/tasks/triage`, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) })).status,
      200,
    );
    assert.equal(
      (
        await uniform(`/api/v1/processes/${p2.processId}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: 'Logged in Uniform.', visibleToCitizen: false }),
        })
      ).status,
      201,
    );
  });
  after(async () => {
    await t?.close();
  });

  const page = async (query: string, api = admin): Promise<Page> => {
    const res = await api(`/api/v1/admin/audit?${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Page;
  };

  /** Follows nextCursor to the end. */
  const allPages = async (query: string, limit: number): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await page(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.ok(p.events.length <= limit);
      ids.push(...p.events.map((e) => e.id));
      cursor = p.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { ids, pages };
  };

  test('only admins read it; entries about a process are newest first, with who, what and the reference', async () => {
    assert.equal((await fetch(`${t.url}/api/v1/admin/audit`)).status, 401);
    assert.equal((await alloy('/api/v1/admin/audit')).status, 403);

    // A back office downloads the submitted form: that read of personal data is audited too.
    const docs = ((await (await alloy(`/api/v1/processes/${p1.processId}/documents`)).json()) as { documents: { id: string; kind: string }[] }).documents;
    const form = docs.find((d) => d.kind === 'form-json')!;
    assert.equal((await alloy(`/api/v1/processes/${p1.processId}/documents/${form.id}`)).status, 200);

    const p = await page(`processId=${p1.processId}`);
    assert.deepEqual(
      p.events.map((e) => e.action),
      ['document.downloaded', 'task.updated', 'note.added'],
    );
    assert.ok(p.events.every((e) => e.actor === 'api-client:Alloy EH' && e.processId === p1.processId && e.reference === p1.reference));
    assert.equal(p.events[0]!.target, form.id);
    assert.deepEqual(p.events[0]!.detail, { kind: 'form-json' });
    assert.deepEqual(p.events[1]!.detail, { task: 'triage', status: 'in_progress' });
    assert.equal(p.nextCursor, null);
    const times = p.events.map((e) => Date.parse(e.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
  });

  test('filters: actor by full or key name, action exact or by prefix, time range; bad input is refused', async () => {
    assert.deepEqual(
      (await page('actor=Uniform')).events.map((e) => [e.action, e.processId]),
      [['note.added', p2.processId]],
    );
    assert.deepEqual((await page('actor=api-client:Uniform')).events.length, 1);
    assert.ok((await page('actor=Alloy%20EH')).events.every((e) => e.actor === 'api-client:Alloy EH'));
    assert.equal((await page('actor=Nobody')).events.length, 0);
    const notes = (await page('action=note.*')).events;
    assert.deepEqual(notes.map((e) => e.processId).sort(), [p1.processId, p2.processId].sort());
    assert.equal((await page('action=note')).events.length, 0, 'without * an action is matched exactly');

    await sql(
      t,
      `insert into audit_events (actor, action, target, created_at) select 'test', 'test.dated', 'day-' || d, timestamptz '2020-01-01T00:00:00Z' + d * interval '1 day' from generate_series(0, 6) d`,
    );
    const ranged = await page(`action=test.dated&since=${encodeURIComponent('2020-01-03T00:00:00Z')}&until=${encodeURIComponent('2020-01-05T00:00:00Z')}`);
    assert.deepEqual(
      ranged.events.map((e) => e.target),
      ['day-3', 'day-2'],
      'since is inclusive, until exclusive',
    );

    assert.equal((await admin('/api/v1/admin/audit?processId=not-a-uuid')).status, 400);
    assert.equal((await admin('/api/v1/admin/audit?cursor=garbage')).status, 400);
    assert.equal((await admin('/api/v1/admin/audit?limit=0')).status, 400);
    assert.equal((await admin('/api/v1/admin/audit?colour=red')).status, 400);
  });

  test('keyset paging neither skips nor repeats entries, even when many share a time to the microsecond or the millisecond', async () => {
    // 12 entries written in one statement share one created_at; 12 more differ by a microsecond within one millisecond.
    await sql(t, `insert into audit_events (actor, action, target) select 'test', 'test.bulk', 'same-' || i from generate_series(1, 12) i`);
    await sql(
      t,
      `insert into audit_events (actor, action, target, created_at) select 'test', 'test.bulk', 'micro-' || i, timestamptz '2026-06-01T12:00:00.123000Z' + i * interval '1 microsecond' from generate_series(1, 12) i`,
    );
    const whole = await page('action=test.bulk&limit=500');
    assert.equal(whole.events.length, 24);
    for (const limit of [1, 5, 7, 24]) {
      const { ids, pages } = await allPages('action=test.bulk', limit);
      assert.deepEqual(
        ids,
        whole.events.map((e) => e.id),
        `pages of ${limit}`,
      );
      assert.equal(pages, Math.ceil(24 / limit), `${limit} per page`);
    }
    // Newest first by (time, id): the microsecond entries in descending order.
    const micro = whole.events.filter((e) => e.target!.startsWith('micro-')).map((e) => e.target);
    assert.deepEqual(
      micro,
      Array.from({ length: 12 }, (_, i) => `micro-${12 - i}`),
    );
  });

  test('a council admin key sees only entries about its own council', async () => {
    const elsewhere = apiAs(t, await t.key([], { admin: true, name: 'Other council admin', council: 'elsewhere' }));
    assert.equal((await page(`processId=${p1.processId}`, elsewhere)).events.length, 0);
    assert.ok((await page(`processId=${p1.processId}`)).events.length > 0);
  });

  test('the audit log is append-only: the database refuses to change or delete an entry', async () => {
    const [before] = await sql<{ n: number }>(t, 'select count(*)::int as n from audit_events');
    await assert.rejects(sql(t, `update audit_events set actor = 'someone else' where action = 'note.added'`), /append-only/);
    await assert.rejects(sql(t, `delete from audit_events where action = 'note.added'`), /append-only/);
    await assert.rejects(sql(t, 'delete from audit_events'), /append-only/);
    const [after] = await sql<{ n: number }>(t, 'select count(*)::int as n from audit_events');
    assert.equal(after!.n, before!.n);
    assert.equal((await page(`processId=${p1.processId}&action=note.added`)).events[0]!.actor, 'api-client:Alloy EH');
  });

  test('the audit and erase routes are in the OpenAPI document', async () => {
    const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    const audit = spec.paths['/api/v1/admin/audit']?.get;
    assert.ok(audit, 'GET /api/v1/admin/audit is documented');
    assert.deepEqual(audit.parameters!.map((p) => p.name).sort(), ['action', 'actor', 'cursor', 'limit', 'processId', 'since', 'until']);
    assert.ok(spec.paths['/api/v1/admin/processes/{processId}/erase']?.post, 'POST …/erase is documented');
    assert.ok(spec.paths['/api/v1/processes/{id}/documents/{documentId}']!.get!.responses['410'], 'documents answer 410 once erased');
  });
});
