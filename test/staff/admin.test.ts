// The admin pages: API keys (made for the council's services only, shown once, working on the API, revoked → 401),
// the audit log (each console action by the person's name, a council's entries only) and erasure on request (a reason,
// a confirmation page, audited; CSRF-less 403; another council's case 404). Roles that may not: 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

const NOISE = {
  noiseType: 'music',
  description: 'Loud',
  source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
  started: '2026-10-01',
  times: ['night'],
  email: 'south@example.com',
};

function nextYear(): { day: string; month: string; year: string } {
  const d = new Date(Date.now() + 400 * 86_400_000);
  return { day: String(d.getUTCDate()), month: String(d.getUTCMonth() + 1), year: String(d.getUTCFullYear()) };
}

function decode(html: string): string {
  return html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('staff admin pages', () => {
  let t: TestHub;
  let southAdmin: StaffAccount;
  let northAdmin: StaffAccount;
  let operator: StaffAccount;

  const submit = async (service: string, answers: Record<string, unknown>) => {
    const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { processId: string; reference: string };
  };

  before(async () => {
    t = await staffTestHub({ configFile: CONFIG });
    southAdmin = await signUpStaff(t, { role: 'council-admin', council: 'south', name: 'Sam Patel' });
    northAdmin = await signUpStaff(t, { role: 'council-admin', council: 'north', name: 'Nia North' });
    operator = await signUpStaff(t, { role: 'operator', name: 'Olu Operator' });
  });
  after(async () => t?.close());

  test('a council admin creates an API key for its services; it works on the API until revoked', async () => {
    const b = southAdmin.browser;
    const form = await b.get('/staff/api-keys/new');
    assert.equal(form.status, 200);
    assert.match(form.html, /name="service:noise"/, 'its own service is offered');
    assert.doesNotMatch(form.html, /name="service:pests"/, "another council's service is not offered");
    assert.doesNotMatch(form.html, /name="council"/, 'its council is set, not chosen');

    // GOV.UK errors: nothing given, then a past date.
    const empty = await b.post('/staff/api-keys', { name: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /govuk-error-summary/);
    assert.match(empty.html, /Enter a name for the key/);
    assert.match(empty.html, /Select at least one service/);
    assert.match(empty.html, /<title>Error: /);
    await b.get('/staff/api-keys/new');
    const past = await b.post('/staff/api-keys', { name: 'Old', 'service:noise': 'yes', 'expiry-day': '1', 'expiry-month': '1', 'expiry-year': '2020' });
    assert.equal(past.status, 400);
    assert.match(past.html, /The expiry date must be in the future/);
    assert.match(past.html, /href="#expiry-day"/);
    // Another council's service, posted by hand: refused.
    await b.get('/staff/api-keys/new');
    const foreign = await b.post('/staff/api-keys', { name: 'Sneaky', 'service:pests': 'yes' });
    assert.equal(foreign.status, 400);
    assert.match(foreign.html, /Select services from the list/);

    await b.get('/staff/api-keys/new');
    const created = await b.post('/staff/api-keys', { name: 'Noise back office', 'service:noise': 'yes', ...prefixed('expiry', nextYear()) });
    assert.equal(created.status, 200, created.html);
    assert.match(created.html, /API key created/);
    assert.match(created.html, /You will not be able to see this key again/);
    const key = /id="api-key">(clk_[A-Za-z0-9_-]+)</.exec(created.html)?.[1];
    assert.ok(key, 'the key is shown');

    const api = (k: string) => fetch(`${t.url}/api/v1/processes`, { headers: { authorization: `Bearer ${k}` } });
    const south = await submit('noise', NOISE);
    const listed = await api(key);
    assert.equal(listed.status, 200);
    const body = (await listed.json()) as { processes: { id: string }[] };
    assert.ok(
      body.processes.some((p) => p.id === south.processId),
      "the key sees its council's case",
    );
    const pests = await fetch(`${t.url}/api/v1/processes?serviceId=pests`, { headers: { authorization: `Bearer ${key}` } });
    assert.ok(pests.status !== 200 || ((await pests.json()) as { processes: unknown[] }).processes.length === 0, 'and no pest case');

    const list = await b.get('/staff/api-keys');
    const id = new RegExp(`data-key="([^"]+)">\\s*<th scope="row" class="govuk-table__header">Noise back office<`).exec(list.html)?.[1];
    assert.ok(id, 'the key is listed');
    assert.match(list.html, new RegExp(`data-key="${id}"[^]*?data-status="active"`));
    assert.ok(!list.html.includes(key), 'the key itself is never shown again');

    const confirm = await b.get(`/staff/api-keys/${id}/revoke`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Revoke the key Noise back office\?/);
    const revoked = await b.post(`/staff/api-keys/${id}/revoke`, {});
    assert.equal(revoked.status, 200);
    assert.match(decode(revoked.html), /The key "Noise back office" was revoked/);
    assert.match(revoked.html, new RegExp(`data-key="${id}"[^]*?data-status="revoked"`));
    assert.equal((await api(key)).status, 401, 'a revoked key no longer works');
  });

  test("a council admin cannot see or revoke another council's keys", async () => {
    const north = await t.key(['pests'], { council: 'north', name: 'North key' });
    assert.ok(north);
    const list = await southAdmin.browser.get('/staff/api-keys');
    assert.doesNotMatch(list.html, /North key/);
    const id = /data-key="([^"]+)">\s*<th scope="row" class="govuk-table__header">North key</.exec((await operator.browser.get('/staff/api-keys')).html)?.[1];
    assert.ok(id, 'the operator sees every key');
    assert.equal((await southAdmin.browser.get(`/staff/api-keys/${id}/revoke`)).status, 404);
    await southAdmin.browser.get('/staff/api-keys');
    assert.equal((await southAdmin.browser.post(`/staff/api-keys/${id}/revoke`, {})).status, 404);
    const res = await fetch(`${t.url}/api/v1/processes`, { headers: { authorization: `Bearer ${north}` } });
    assert.equal(res.status, 200, 'still works');
  });

  test('an operator chooses the council; services of another council are refused', async () => {
    const b = operator.browser;
    const form = await b.get('/staff/api-keys/new');
    assert.match(form.html, /name="service:noise"/);
    assert.match(form.html, /name="service:pests"/);
    const mixed = await b.post('/staff/api-keys', { name: 'Mixed', council: 'south', 'service:pests': 'yes' });
    assert.equal(mixed.status, 400);
    assert.match(mixed.html, /Select only services of South Borough Council/);
    await b.get('/staff/api-keys/new');
    const ok = await b.post('/staff/api-keys', { name: 'North pests', council: 'north', 'service:pests': 'yes' });
    assert.equal(ok.status, 200);
    assert.match(ok.html, /North District Council/);
  });

  test('caseworkers and auditors get 404 for API keys; caseworkers for the audit log and erasure', async () => {
    const caseworker = await signUpStaff(t, { role: 'caseworker', council: 'south' });
    const auditor = await signUpStaff(t, { role: 'auditor', council: 'south' });
    for (const path of ['/staff/api-keys', '/staff/api-keys/new', '/staff/audit', '/staff/erasure']) {
      assert.equal((await caseworker.browser.get(path)).status, 404, path);
    }
    assert.equal((await auditor.browser.get('/staff/api-keys')).status, 404);
    assert.equal((await auditor.browser.get('/staff/erasure')).status, 404);
    assert.equal((await auditor.browser.get('/staff/audit')).status, 200, 'auditors read the audit log');
    const res = await fetch(`${t.url}/staff/api-keys`, { redirect: 'manual' });
    assert.equal(res.headers.get('location'), '/staff/sign-in', 'signed out: sign in');
  });

  test('erasure: a reason, a confirmation page, erased and audited; CSRF-less 403; another council 404', async () => {
    const { processId, reference } = await submit('noise', NOISE);
    const b = southAdmin.browser;
    const find = await b.get(`/staff/erasure?reference=${reference.toLowerCase()}`);
    assert.equal(find.status, 200);
    assert.ok(find.url.endsWith(`/staff/cases/${processId}/erase`), find.url);
    const noReason = await b.post(`/staff/cases/${processId}/erase`, { reason: '' });
    assert.equal(noReason.status, 400);
    assert.match(noReason.html, /Enter the reason for erasing the personal data/);

    const confirm = await b.post(`/staff/cases/${processId}/erase`, { reason: 'Request DPO-2026-041' });
    assert.equal(confirm.status, 200);
    assert.match(decode(confirm.html), new RegExp(`Erase the personal data of case ${reference}\\?`));
    assert.match(confirm.html, /This cannot be undone/);
    const erasedBefore = await t.hub.db.row<{ erased_at: Date | null }>('select erased_at from processes where id = $1', [processId]);
    assert.equal(erasedBefore?.erased_at, null, 'nothing is erased before the confirmation');

    const csrfLess = await b.post(`/staff/cases/${processId}/erase/confirm`, { reason: 'x' }, { csrf: false });
    assert.equal(csrfLess.status, 403);
    const foreign = await northAdmin.browser.get(`/staff/cases/${processId}/erase`);
    assert.equal(foreign.status, 404, "another council's case is not found");
    await northAdmin.browser.get('/staff/audit');
    assert.equal((await northAdmin.browser.post(`/staff/cases/${processId}/erase/confirm`, { reason: 'x' })).status, 404);
    const northFind = await northAdmin.browser.get(`/staff/erasure?reference=${reference}`);
    assert.equal(northFind.status, 404);

    await b.get(`/staff/cases/${processId}/erase`);
    await b.post(`/staff/cases/${processId}/erase`, { reason: 'Request DPO-2026-041' });
    const done = await b.post(`/staff/cases/${processId}/erase/confirm`, { reason: 'Request DPO-2026-041' });
    assert.equal(done.status, 200);
    assert.match(done.html, /Personal data erased/);
    const row = await t.hub.db.row<{ erased_at: Date | null; contact: Record<string, unknown> }>('select erased_at, contact from processes where id = $1', [
      processId,
    ]);
    assert.ok(row?.erased_at, 'erased');
    assert.ok(!JSON.stringify(row.contact).includes('south@example.com'));

    const audit = await b.get(`/staff/audit?case=${reference}`);
    assert.equal(audit.status, 200);
    const entry = /<tr class="govuk-table__row" data-entry="\d+" data-action="process.erased">([^]*?)<\/tr>/.exec(audit.html)?.[1];
    assert.ok(entry, 'the erasure is in the audit log');
    assert.match(entry, /Sam Patel \(staff\)/);
    assert.match(entry, /Reason: Request DPO-2026-041/);
    assert.match(entry, new RegExp(`href="/staff/cases/${processId}">${reference}<`));
  });

  test('the audit log lists the console actions by the person’s name, filtered and scoped to the council', async () => {
    const page = await southAdmin.browser.get('/staff/audit');
    assert.equal(page.status, 200);
    const created = /data-action="api-key.created">([^]*?)<\/tr>/.exec(page.html)?.[1];
    assert.ok(created);
    assert.match(created, /Sam Patel \(staff\)/);
    assert.match(created, /Created an API key: Noise back office/);
    assert.match(page.html, /data-action="api-key.revoked">[^]*?Sam Patel \(staff\)/);
    assert.doesNotMatch(page.html, /North pests/, "another council's key is not in South's log");
    assert.doesNotMatch(page.html, /Olu Operator/);

    // By name, by action, by date.
    const byName = await southAdmin.browser.get('/staff/audit?actor=sam+patel&action=api-key.*');
    const actions = [...byName.html.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(actions)].sort(), ['api-key.created', 'api-key.revoked']);
    assert.match(byName.html, /Selected filters/);
    const today = new Date();
    // From yesterday: the entries were made moments ago, which may be before midnight.
    const since = new Date(Date.now() - 86_400_000);
    const range = `from-day=${since.getUTCDate()}&from-month=${since.getUTCMonth() + 1}&from-year=${since.getUTCFullYear()}`;
    assert.match((await southAdmin.browser.get(`/staff/audit?${range}`)).html, /data-action="api-key.created"/);
    const future = await southAdmin.browser.get(`/staff/audit?from-day=1&from-month=1&from-year=${today.getUTCFullYear() + 1}`);
    assert.match(future.html, /No entries match the filters/);
    const bad = await southAdmin.browser.get('/staff/audit?from-day=31&from-month=2&from-year=2026');
    assert.equal(bad.status, 400);
    assert.match(bad.html, /The date from must be a real date/);

    // The operator sees every council's entries, keys by name.
    const all = await operator.browser.get('/staff/audit?action=api-key.created');
    assert.match(all.html, /Olu Operator \(staff\)/);
    assert.match(all.html, /Sam Patel \(staff\)/);
    const north = await northAdmin.browser.get('/staff/audit');
    assert.doesNotMatch(north.html, /Sam Patel/);
  });

  test('the audit log pages through entries (previous and next)', async () => {
    const { processId } = await submit('noise', NOISE);
    const key = await t.key(['noise'], { name: 'Pager' });
    for (let i = 0; i < 55; i++) await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++)
      await fetch(`${t.url}/api/v1/processes/${processId}/notes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Note ${i}`, visibleToCitizen: false }),
      });
    await t.hub.db.run(
      `insert into audit_events (actor, action, process_id, detail) select 'api-client:Pager', 'process.read', $1, '{}'::jsonb from generate_series(1, 60)`,
      [processId],
    );
    const b = operator.browser;
    const first = await b.get('/staff/audit?actor=API+key+Pager');
    const firstIds = [...first.html.matchAll(/data-entry="(\d+)"/g)].map((m) => m[1]);
    assert.equal(firstIds.length, 50);
    assert.match(first.html, /API key Pager/);
    const next = /class="govuk-pagination__next">\s*<a class="govuk-link govuk-pagination__link" href="([^"]+)"/.exec(first.html)?.[1];
    assert.ok(next, 'a next page');
    const second = await b.get(decode(next));
    const secondIds = [...second.html.matchAll(/data-entry="(\d+)"/g)].map((m) => m[1]);
    assert.ok(secondIds.length > 0);
    assert.ok(!secondIds.some((id) => firstIds.includes(id)), 'no entry twice');
    const prev = /class="govuk-pagination__prev">\s*<a class="govuk-link govuk-pagination__link" href="([^"]+)"/.exec(second.html)?.[1];
    assert.ok(prev);
    const back = await b.get(decode(prev));
    assert.deepEqual(
      [...back.html.matchAll(/data-entry="(\d+)"/g)].map((m) => m[1]),
      firstIds,
    );
  });
});

function prefixed(prefix: string, d: { day: string; month: string; year: string }): Record<string, string> {
  return { [`${prefix}-day`]: d.day, [`${prefix}-month`]: d.month, [`${prefix}-year`]: d.year };
}
