// Cases in the staff console, through the real HTTP server with the worker and an SMTP server: a caseworker finds a case
// by postcode, adds a public and a private note and completes a task; the citizen's tracking page and e-mail show the
// public changes and never the private note; the timeline and audit log say who. Search by every field; scoping
// (another council's case is 404); CSRF; an auditor reads only; documents download only within scope.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer, type ReceivedMail } from '../peers/smtp-server.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';
import { noiseAnswers } from '../helpers/noise-complaint.ts';

const answers = noiseAnswers;

async function submit(t: TestHub, a: Record<string, unknown>, withFile = false): Promise<{ processId: string; reference: string; trackingUrl: string }> {
  const fd = new FormData();
  fd.append('answers', JSON.stringify(a));
  if (withFile) fd.append('evidence', new Blob([new Uint8Array(pngBytes(2000))], { type: 'image/png' }), 'barking dog.png');
  const res = await fetch(`${t.url}/api/v1/services/noise-complaint/submissions`, { method: 'POST', body: fd });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string; trackingUrl: string };
}

/** The case ids listed on a search page, in order. */
function listed(html: string): string[] {
  return [...html.matchAll(/data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;|’/g, "'")
    .replace(/\s+/g, ' ');

describe('staff cases (example council, with the worker and e-mail)', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  let caseworker: StaffAccount;
  let main: { processId: string; reference: string; trackingUrl: string };
  let other: { processId: string; reference: string };

  before(async () => {
    smtp = await startSmtpPeer();
    t = await staffTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    main = await submit(
      t,
      answers({ fullName: 'Priya Mehta-Jones', email: 'Priya.M@example.com', homeAddress: { line1: '9 Elm Rd', town: 'Exampleton', postcode: 'EX9 4QQ' } }),
      true,
    );
    other = await submit(t, answers({ fullName: 'Sam Other', email: 'sam@example.com' }));
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  test('a caseworker finds the case by postcode, adds notes and completes a task; the citizen sees only the public changes', async () => {
    const b = caseworker.browser;
    const found = await b.get('/staff/cases?postcode=ex94qq');
    assert.equal(found.status, 200);
    assert.deepEqual(listed(found.html), [main.processId], 'the postcode of an address answer, typed in any case and spacing');
    assert.match(found.html, /1 case/);

    const page = await b.get(`/staff/cases/${main.processId}`);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`Case ${main.reference}`));
    assert.match(page.html, /The citizen will see this/, 'a public note is clearly marked');

    const pub = await b.post(`/staff/cases/${main.processId}/notes`, { text: 'An officer will visit on Tuesday.', visibility: 'public' });
    assert.equal(pub.status, 200);
    assert.ok(pub.url.includes('done=public-note'));
    await b.post(`/staff/cases/${main.processId}/notes`, { text: 'PRIVATE: known to the police.', visibility: 'private' });
    const done = await b.post(`/staff/cases/${main.processId}/tasks/triage`, { status: 'completed', note: '' });
    assert.ok(done.url.includes('done=task'), done.url);

    // The timeline says who: "by Jane Smith (staff)".
    const after = text(done.html);
    assert.match(after, /Note The citizen sees this by Jane Smith \(staff\)/);
    assert.match(after, /Note Private by Jane Smith \(staff\)/);
    assert.match(after, /Triage: completed/);
    assert.match(done.html, /data-task="triage">[^]*?Completed/);

    // The audit log names the person's account.
    const audit = await t.hub.db.rows<{ actor: string; action: string }>('select actor, action from audit_events where process_id = $1 order by id', [
      main.processId,
    ]);
    const userId = (await t.hub.db.row<{ id: string }>('select id from staff_users where email = $1', [caseworker.email]))!.id;
    assert.deepEqual(
      audit.filter((a) => a.actor === `staff:${userId}`).map((a) => a.action),
      ['note.added', 'note.added', 'task.updated'],
    );

    // The citizen's e-mail and tracking page.
    const mine = (m: ReceivedMail) => m.subject.includes(main.reference);
    await smtp.waitFor((ms) => ms.filter(mine).some((m) => m.text.includes('An officer will visit on Tuesday.')));
    await smtp.waitFor((ms) => ms.filter(mine).some((m) => m.text.includes('Triage: completed')));
    for (const m of smtp.messages.filter(mine)) assert.ok(!m.raw.includes('PRIVATE'), 'no message carries the private note');
    const tracking = await (await fetch(main.trackingUrl, { headers: { accept: 'text/html' } })).text();
    assert.ok(tracking.includes('An officer will visit on Tuesday.'));
    assert.ok(!tracking.includes('PRIVATE'));
    assert.match(text(tracking), /Triage[^]*?Completed/);

    // The messages sent and their delivery status show on the case page.
    await waitFor(async () => {
      const html = (await b.get(`/staff/cases/${main.processId}`)).html;
      return /data-status="sent"[^]*?data-status="sent"/.test(html) || (html.match(/data-status="(sent|delivered)"/g) ?? []).length >= 2;
    }, 'messages sent');
    const again = await b.get(`/staff/cases/${main.processId}`);
    assert.match(text(again.html), /Confirmation of the submission/);
    assert.match(again.html, /href="\/staff\/deliveries\/[0-9a-f-]{36}">sandbox</, 'the delivery links to its page');
  });

  test('search by reference, name, e-mail, back-office reference and status', async () => {
    const b = caseworker.browser;
    const byRef = await b.get(`/staff/cases?reference=${encodeURIComponent(` ${main.reference.toLowerCase()} `)}`);
    assert.deepEqual(listed(byRef.html), [main.processId]);
    assert.deepEqual(listed((await b.get('/staff/cases?name=mehta')).html), [main.processId], 'part of the name');
    assert.deepEqual(listed((await b.get('/staff/cases?email=PRIYA.M%40EXAMPLE.COM')).html), [main.processId]);
    assert.deepEqual(listed((await b.get('/staff/cases?email=sam%40example.com')).html), [other.processId]);
    await waitFor(
      async () => !!(await t.hub.db.row<{ r: string | null }>('select external_ref as r from processes where id = $1', [other.processId]))?.r,
      'delivered',
    );
    const ext = (await t.hub.db.row<{ r: string }>('select external_ref as r from processes where id = $1', [other.processId]))!.r;
    assert.deepEqual(listed((await b.get(`/staff/cases?externalRef=${encodeURIComponent(ext)}`)).html), [other.processId]);
    await waitFor(async () => listed((await b.get('/staff/cases?status=in_progress')).html).length === 1, 'in progress');
    assert.deepEqual(listed((await b.get('/staff/cases?status=in_progress')).html), [main.processId]);
    const all = listed((await b.get('/staff/cases')).html);
    assert.deepEqual(all, [other.processId, main.processId], 'newest first');
    const today = new Date();
    const [d, m, y] = [today.getDate(), today.getMonth() + 1, today.getFullYear()];
    assert.equal(listed((await b.get(`/staff/cases?fromDay=${d}&fromMonth=${m}&fromYear=${y + 1}`)).html).length, 0);
    assert.equal(listed((await b.get(`/staff/cases?fromDay=1&fromMonth=1&fromYear=${y - 1}&toDay=31&toMonth=12&toYear=${y + 1}`)).html).length, 2);
    const bad = await b.get('/staff/cases?postcode=nowhere&name=ab');
    assert.equal(bad.status, 200);
    assert.match(bad.html, /govuk-error-summary/);
    assert.match(bad.html, /Enter a full postcode/);
    assert.match(bad.html, /Enter at least 3 letters of the name/);
  });

  test('pages of results: older and newer', async () => {
    for (let i = 0; i < 26; i++) await submit(t, answers({ fullName: `Paged Person ${i}`, email: `paged${i}@example.com` }));
    const b = caseworker.browser;
    const first = await b.get('/staff/cases?name=paged+person');
    assert.equal(listed(first.html).length, 25);
    assert.match(first.html, /26 cases/);
    const next = /href="(\/staff\/cases\?[^"]*after=[^"]+)"/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    const second = await b.get(next);
    assert.equal(listed(second.html).length, 1);
    const prev = /href="(\/staff\/cases\?[^"]*before=[^"]+)"/.exec(second.html)![1]!.replace(/&amp;/g, '&');
    assert.deepEqual(listed((await b.get(prev)).html), listed(first.html));
  });

  test('a search by part of a name counts to 100 (a common name is not counted to the last)', async () => {
    // 101 copies of a case, each with the same surname, straight into the table (101 submissions would only be slower).
    await t.hub.db.run(
      `insert into processes select (jsonb_populate_record(null::processes, to_jsonb(p) || jsonb_build_object(
         'id', gen_random_uuid(), 'reference', p.reference || '-' || g,
         'contact', jsonb_set(p.contact, '{name}', to_jsonb('Common Surname ' || g))))).*
       from processes p, generate_series(1, 101) g where p.id = $1`,
      [other.processId],
    );
    const b = caseworker.browser;
    const common = await b.get('/staff/cases?name=common+surname');
    assert.equal(listed(common.html).length, 25);
    assert.match(common.html, /More than 100 cases/);
    assert.match((await b.get('/staff/cases?name=common+surname+10')).html, /3 cases/, '10, 100 and 101, counted exactly');
    assert.match((await b.get('/staff/cases')).html, /1\d\d cases/, 'without a name, counted to 1,000');
    await t.hub.db.run("delete from processes where contact->>'name' like 'Common Surname %'");
  });

  test('closing with a reason asks first, and the citizen is told', async () => {
    const b = caseworker.browser;
    const confirm = await b.get(`/staff/cases/${other.processId}/close`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /The citizen will see the reason/);
    const empty = await b.post(`/staff/cases/${other.processId}/close`, { reason: ' ' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /Enter why the case is closed/);
    const closed = await b.post(`/staff/cases/${other.processId}/close`, { reason: 'No further action: the dog was rehomed.' });
    assert.ok(closed.url.includes('done=closed'));
    assert.match(closed.html, /id="case-status">Closed/);
    assert.doesNotMatch(closed.html, /id="close-case"/);
    assert.doesNotMatch(closed.html, /id="task-form-triage"/, 'a closed case’s tasks cannot change');
    const told = await t.hub.db.rows<{ updates: { text: string }[] }>('select updates from notifications where process_id = $1', [other.processId]);
    assert.ok(
      told.some((n) => n.updates.some((u) => u.text.includes('No further action: the dog was rehomed.'))),
      'the citizen’s message carries the reason',
    );
  });

  test('a note without the CSRF token is refused', async () => {
    const res = await caseworker.browser.post(`/staff/cases/${main.processId}/notes`, { text: 'forged', visibility: 'public' }, { csrf: false });
    assert.equal(res.status, 403);
    const forged = await caseworker.browser.post(`/staff/cases/${main.processId}/notes`, { text: 'forged', visibility: 'public', _csrf: 'x'.repeat(43) });
    assert.equal(forged.status, 403);
    assert.equal((await t.hub.db.rows("select 1 from timeline_events where text = 'forged'")).length, 0);
  });

  test('a caseworker not given a service gets 404 for its cases and does not find them', async () => {
    const cw = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'fly-tipping' });
    assert.equal((await cw.browser.get(`/staff/cases/${main.processId}`)).status, 404);
    assert.equal((await cw.browser.get(`/staff/cases/${main.processId}/documents/${main.processId}`)).status, 404);
    assert.deepEqual(listed((await cw.browser.get(`/staff/cases?reference=${main.reference}`)).html), []);
    assert.deepEqual(listed((await cw.browser.get('/staff/cases?service=noise-complaint')).html), []);
  });

  test('an auditor reads a case but sees no forms, and its posts are refused', async () => {
    const auditor = await signUpStaff(t, { role: 'auditor', council: 'default' });
    const page = await auditor.browser.get(`/staff/cases/${main.processId}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /An officer will visit on Tuesday/);
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(forms, ['/staff/sign-out'], 'only the header’s sign-out form');
    const csrf = auditor.browser.csrf(page.html);
    for (const [path, form] of [
      [`/staff/cases/${main.processId}/notes`, { text: 'auditor note', visibility: 'private' }],
      [`/staff/cases/${main.processId}/tasks/diary-sheets`, { status: 'completed' }],
      [`/staff/cases/${main.processId}/close`, { reason: 'auditor closing' }],
    ] as const) {
      const res = await auditor.browser.post(path, { ...form, _csrf: csrf });
      assert.equal(res.status, 403, path);
    }
    assert.equal((await auditor.browser.get(`/staff/cases/${main.processId}/close`)).status, 403);
  });

  test('documents download through the console, within scope', async () => {
    const b = caseworker.browser;
    const page = await b.get(`/staff/cases/${main.processId}`);
    const links = [...page.html.matchAll(/href="(\/staff\/cases\/[0-9a-f-]{36}\/documents\/[0-9a-f-]{36})"[^>]*>([^<]+)</g)].map((m) => ({
      href: m[1]!,
      name: m[2]!,
    }));
    const png = links.find((l) => l.name === 'barking dog.png');
    assert.ok(png, `evidence listed: ${JSON.stringify(links)}`);
    const res = await fetch(`${t.url}${png.href}`, { headers: { cookie: `closeloop_staff=${b.sessionCookie()}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(pngBytes(2000)));
    // Another case's id with this document: not found. Signed out: sent to sign in.
    const wrong = await fetch(`${t.url}${png.href.replace(main.processId, other.processId)}`, { headers: { cookie: `closeloop_staff=${b.sessionCookie()}` } });
    assert.equal(wrong.status, 404);
    assert.equal((await fetch(`${t.url}${png.href}`, { redirect: 'manual' })).status, 302);
    const userId = (await t.hub.db.row<{ id: string }>('select id from staff_users where email = $1', [caseworker.email]))!.id;
    assert.ok(await t.hub.db.row("select 1 from audit_events where action = 'document.downloaded' and actor = $1", [`staff:${userId}`]));
  });
});

describe('staff cases across councils', () => {
  let t: TestHub;
  let south: { processId: string };
  let north: { processId: string };
  before(async () => {
    t = await staffTestHub({ configFile: 'test/fixtures/councils/closeloop.yaml' });
    const post = async (service: string, a: Record<string, unknown>) => {
      const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: a }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { processId: string };
    };
    south = await post('noise', {
      noiseType: 'music',
      description: 'Loud',
      source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
      started: '2026-10-01',
      email: 'south@example.com',
    });
    north = await post('pests', { pest: 'rats', email: 'north@example.com' });
  });
  after(async () => t?.close());

  test("a caseworker of North gets 404 for South's case, and does not find it", async () => {
    const cw = await signUpStaff(t, { role: 'caseworker', council: 'north', services: 'pests' });
    assert.equal((await cw.browser.get(`/staff/cases/${north.processId}`)).status, 200);
    const page = await cw.browser.get(`/staff/cases/${south.processId}`);
    assert.equal(page.status, 404);
    assert.match(page.html, /Page not found/);
    assert.equal((await cw.browser.post(`/staff/cases/${south.processId}/notes`, { text: 'x', visibility: 'private', _csrf: cw.browser.csrf() })).status, 404);
    assert.deepEqual(listed((await cw.browser.get('/staff/cases')).html), [north.processId]);
    assert.deepEqual(listed((await cw.browser.get('/staff/cases?postcode=SO1+1AA')).html), []);
  });

  test("a council admin sees only its council's", async () => {
    const admin = await signUpStaff(t, { role: 'council-admin', council: 'south' });
    assert.deepEqual(listed((await admin.browser.get('/staff/cases')).html), [south.processId]);
    assert.equal((await admin.browser.get(`/staff/cases/${north.processId}`)).status, 404);
    const operator = await signUpStaff(t, { role: 'operator' });
    assert.deepEqual(new Set(listed((await operator.browser.get('/staff/cases')).html)), new Set([south.processId, north.processId]));
  });
});
