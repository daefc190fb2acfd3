// The deliveries pages through the real server, with a worker and a real webhook back office: an operator finds a dead
// delivery, reads the back office's answer and the XML sent, replays it and sees it delivered; replaying every dead
// delivery of a back office states the count first; auditors only read; another council's delivery is not found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { pagination, parseUkDate } from '../../core/http/staff/deliveries-routes.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const REFUSAL = '{"error":"Unknown pest code: rats & mice <none>"}';

/** The ids of the deliveries listed on a page. */
function listed(html: string): string[] {
  return [...html.matchAll(/data-delivery="([^"]+)"/g)].map((m) => m[1]!);
}

function h1(html: string): string {
  return /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]?.trim() ?? '';
}

describe('staff deliveries', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let operator: StaffAccount;
  let deadId: string;
  let deadProcess: string;
  let noiseId: string;

  const submit = async (service: 'noise' | 'pests') => {
    const answers =
      service === 'pests'
        ? { pest: 'rats', email: 'north@example.com' }
        : {
            noiseType: 'music',
            description: 'Loud',
            source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
            started: '2026-10-01',
            times: ['night'],
            email: 'south@example.com',
          };
    const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { processId: string }).processId;
  };
  const deliveryOf = (processId: string, status: string) =>
    waitFor(async () => {
      const [row] = await t.hub.db.rows<{ id: string; status: string }>('select id, status from deliveries where process_id = $1', [processId]);
      return row?.status === status ? row.id : null;
    }, `the delivery of ${processId} ${status}`);

  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await staffTestHub({
      configFile: CONFIG,
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: true,
      configure: (c) => {
        c.bindings['north-casework']!.description = 'Pest control back office';
        c.bindings['north-casework']!.config.reference = { jsonPath: 'caseId' };
      },
    });
    // North's back office refuses the pest request (400: dead at once); South's noise report goes through.
    receiver.script([{ status: 400, body: REFUSAL, headers: { 'content-type': 'application/json' } }]);
    deadProcess = await submit('pests');
    deadId = await deliveryOf(deadProcess, 'dead');
    noiseId = await deliveryOf(await submit('noise'), 'delivered');
    operator = await signUpStaff(t, { role: 'operator' });
  });
  after(async () => {
    await t?.close();
    await receiver?.close();
  });

  test('an operator finds the dead delivery, reads the answer and the XML, replays it and sees it delivered', async () => {
    const b = operator.browser;
    // From the overview's alert link.
    const list = await b.get('/staff/deliveries?binding=north-casework&status=dead');
    assert.equal(list.status, 200);
    assert.deepEqual(listed(list.html), [deadId]);
    assert.match(list.html, /data-status="dead"><strong class="govuk-tag govuk-tag--red">Dead<\/strong>/);
    assert.match(list.html, /Pest control back office/);
    assert.match(list.html, /class="moj-filter-layout"/);
    assert.match(
      list.html,
      /<a class="govuk-button govuk-button--secondary" id="replay-dead-link" href="\/staff\/deliveries\/replay-dead\?binding=north-casework"/,
    );

    const page = await b.get(`/staff/deliveries/${deadId}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /data-status="dead"/);
    assert.match(page.html, /href="\/staff\/cases\/[0-9a-f-]{36}" id="case-link"/);
    assert.ok(page.html.includes(`href="/staff/cases/${deadProcess}"`));
    // The back office's answer, escaped.
    assert.ok(page.html.includes('{&quot;error&quot;:&quot;Unknown pest code: rats &amp; mice &lt;none&gt;&quot;}'), 'the answer excerpt, escaped');
    assert.match(page.html, /answered 400/);
    assert.match(page.html, /data-outcome="dead"/);
    // Times as GOV.UK writes them, and how long the attempt took.
    assert.match(page.html, /\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm)/);
    assert.match(page.html, /\d+(\.\d)? (milliseconds|seconds)/);
    // The XML sent, indented and escaped, with the XSD's verdict.
    const xml = /<pre class="closeloop-pre" id="xml-sent">([^]*?)<\/pre>/.exec(page.html)?.[1];
    assert.ok(xml, 'the XML sent');
    assert.match(xml, /^&lt;\?xml version=&quot;1.0&quot;/);
    assert.match(xml, /\n {2}&lt;Reference&gt;PST-/);
    assert.match(page.html, /id="xsd-result"><strong class="govuk-tag govuk-tag--green">Valid<\/strong> It matches pests.xsd/);
    assert.match(page.html, /Not given yet/, 'no back-office reference yet');

    // Replay without the form's token: refused.
    const forged = await b.post(`/staff/deliveries/${deadId}/replay`, {}, { csrf: false });
    assert.equal(forged.status, 403);
    assert.equal((await t.hub.db.rows<{ status: string }>('select status from deliveries where id = $1', [deadId]))[0]!.status, 'dead');

    // The receiver now answers 200.
    await b.get(`/staff/deliveries/${deadId}`);
    assert.match(b.last!.html, /Replay this delivery/);
    const replayed = await b.post(`/staff/deliveries/${deadId}/replay`, {});
    assert.equal(replayed.status, 200);
    assert.ok(replayed.url.endsWith(`/staff/deliveries/${deadId}?replayed=1`));
    assert.match(replayed.html, /id="notice">The delivery will be sent again/);
    await deliveryOf(deadProcess, 'delivered');
    const done = await b.get(`/staff/deliveries/${deadId}`);
    assert.match(done.html, /data-status="delivered">Delivered/);
    assert.match(done.html, /<span id="external-ref">BO-\d+<\/span>/);
    assert.match(done.html, /data-attempt="2"/);
    assert.match(done.html, /data-outcome="delivered"/);
    assert.doesNotMatch(done.html, /Replay this delivery/);
    // The audit log names the staff member.
    const [audit] = await t.hub.db.rows<{ actor: string }>("select actor from audit_events where action = 'delivery.replayed' and target = $1", [deadId]);
    assert.match(audit!.actor, /^staff:[0-9a-f-]{36}$/);
  });

  test('replaying every dead delivery of a back office states the count, then replays them', async () => {
    receiver.script([400, 400]);
    const processes = [await submit('pests'), await submit('pests')];
    for (const p of processes) await deliveryOf(p, 'dead');
    const b = operator.browser;
    const confirm = await b.get('/staff/deliveries/replay-dead?binding=north-casework');
    assert.equal(confirm.status, 200);
    assert.equal(h1(confirm.html), 'Replay 2 dead deliveries to Pest control back office?');
    assert.match(confirm.html, /Replay 2 dead deliveries<\/button>|>\s*Replay 2 dead deliveries\s*</);
    assert.equal((await b.post('/staff/deliveries/replay-dead', { binding: 'north-casework' }, { csrf: false })).status, 403);
    await b.get('/staff/deliveries/replay-dead?binding=north-casework');
    const done = await b.post('/staff/deliveries/replay-dead', { binding: 'north-casework' });
    assert.equal(done.status, 200);
    assert.match(done.html, /class="govuk-notification-banner govuk-notification-banner--success"/);
    assert.match(done.html, /2 dead deliveries to Pest control back office will be sent again/);
    for (const p of processes) await deliveryOf(p, 'delivered');
    const none = await b.get('/staff/deliveries/replay-dead?binding=north-casework');
    assert.equal(h1(none.html), 'No dead deliveries to Pest control back office');
    assert.doesNotMatch(none.html, /action="\/staff\/deliveries\/replay-dead"/);
    assert.equal((await b.get('/staff/deliveries/replay-dead?binding=no-such-binding')).status, 404);
  });

  test('filters: back office, service, status and submission date, without JavaScript (a GET form)', async () => {
    const b = operator.browser;
    const all = await b.get('/staff/deliveries');
    assert.match(all.html, /<form method="get" action="\/staff\/deliveries"/);
    assert.ok(listed(all.html).includes(deadId) && listed(all.html).includes(noiseId));
    const noise = await b.get('/staff/deliveries?service=noise');
    assert.deepEqual(listed(noise.html), [noiseId]);
    assert.match(noise.html, /<option value="noise" selected>/);
    assert.match(noise.html, /Remove this filter<\/span> Report a noise problem/);
    const shared = await b.get('/staff/deliveries?binding=backoffice');
    assert.deepEqual(listed(shared.html), [noiseId]);
    const delivered = await b.get('/staff/deliveries?status=delivered&service=pests');
    assert.ok(listed(delivered.html).includes(deadId));
    assert.equal((await b.get('/staff/deliveries?status=dead')).html.match(/data-delivery=/g), null);
    // The day it was submitted, as the filter reads days (London time); not "now", which may be past midnight already.
    const [row] = await t.hub.db.rows<{ submitted_at: Date }>(
      'select p.submitted_at from deliveries d join processes p on p.id = d.process_id where d.id = $1',
      [noiseId],
    );
    const today = row!.submitted_at.toLocaleDateString('en-GB', { timeZone: 'Europe/London' });
    assert.ok(listed((await b.get(`/staff/deliveries?from=${encodeURIComponent(today)}&to=${encodeURIComponent(today)}`)).html).includes(noiseId));
    const future = await b.get('/staff/deliveries?from=1/1/2099');
    assert.deepEqual(listed(future.html), []);
    assert.match(future.html, /id="no-deliveries"/);
    const past = await b.get('/staff/deliveries?to=1 January 2020');
    assert.deepEqual(listed(past.html), []);
    const bad = await b.get('/staff/deliveries?from=31/2/2026&to=1/1/2026');
    assert.equal(bad.status, 200);
    assert.match(bad.html, /govuk-error-summary/);
    assert.match(bad.html, /href="#from">Submitted from must be a real date/);
    assert.match(bad.html, /<title>Error: Deliveries/);
  });

  test('a council admin sees and replays its own council’s deliveries; another council’s is not found', async () => {
    const south = await signUpStaff(t, { role: 'council-admin', council: 'south' });
    const list = await south.browser.get('/staff/deliveries');
    assert.deepEqual(listed(list.html), [noiseId]);
    assert.doesNotMatch(list.html, /north-casework|Pest control/);
    assert.equal((await south.browser.get(`/staff/deliveries/${deadId}`)).status, 404);
    assert.equal((await south.browser.get('/staff/deliveries/not-a-uuid')).status, 404);
    assert.equal((await south.browser.get('/staff/deliveries/replay-dead?binding=north-casework')).status, 404);
    await south.browser.get('/staff/deliveries');
    assert.equal((await south.browser.post(`/staff/deliveries/${deadId}/replay`, {})).status, 404);
    assert.equal((await south.browser.get(`/staff/deliveries/${noiseId}`)).status, 200);

    const north = await signUpStaff(t, { role: 'council-admin', council: 'north' });
    const own = await north.browser.get(`/staff/deliveries/${deadId}`);
    assert.equal(own.status, 200);
    assert.equal((await north.browser.get(`/staff/deliveries/${noiseId}`)).status, 404);
  });

  test('an auditor reads deliveries but cannot replay; a caseworker finds no deliveries page', async () => {
    receiver.script([400]);
    const processId = await submit('pests');
    const id = await deliveryOf(processId, 'dead');
    const auditor = await signUpStaff(t, { role: 'auditor', council: 'north' });
    const page = await auditor.browser.get(`/staff/deliveries/${id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /Replay this delivery/);
    assert.doesNotMatch((await auditor.browser.get('/staff/deliveries?binding=north-casework')).html, /replay-dead-link/);
    const refused = await auditor.browser.post(`/staff/deliveries/${id}/replay`, {});
    assert.equal(refused.status, 403);
    assert.equal((await auditor.browser.get('/staff/deliveries/replay-dead?binding=north-casework')).status, 403);
    await auditor.browser.get('/staff/deliveries');
    assert.equal((await auditor.browser.post('/staff/deliveries/replay-dead', { binding: 'north-casework' })).status, 403);
    const [row] = await t.hub.db.rows<{ status: string }>('select status from deliveries where id = $1', [id]);
    assert.equal(row!.status, 'dead');

    const caseworker = await signUpStaff(t, { role: 'caseworker', council: 'north', services: 'pests' });
    assert.equal((await caseworker.browser.get('/staff/deliveries')).status, 404);
    assert.equal((await caseworker.browser.get(`/staff/deliveries/${id}`)).status, 404);
  });

  test('more than 1,000 deliveries: the page says so, counts no further and pages on with Next', async () => {
    // 1,001 earlier deliveries of past pest reports, changed before every other delivery of this file.
    await t.hub.db.run(
      `with s as (select i, gen_random_uuid() as id from generate_series(1, 1001) i),
       p as (
         insert into processes (id, reference, service_id, service_version, status, answers, contact, submitted_at, updated_at)
         select id, 'OLD-' || i, 'pests', (select max(version) from service_versions where service_id = 'pests'), 'received',
           '{"pest":"rats"}', '{}', now() - interval '30 days', now() - interval '30 days' from s
       )
       insert into deliveries (id, process_id, binding, status, attempts, delivered_at, created_at, updated_at)
       select gen_random_uuid(), id, 'north-casework', 'delivered', 1, now() - interval '30 days', now() - interval '30 days',
         now() - interval '1 day' - i * interval '1 second' from s`,
    );
    const b = operator.browser;
    const first = await b.get('/staff/deliveries');
    assert.match(first.html, /id="result-count">More than 1,000 deliveries, page 1</);
    assert.equal(listed(first.html).length, 50);
    assert.ok(listed(first.html).includes(noiseId), 'the most recently changed first');
    assert.match(first.html, /href="\/staff\/deliveries\?page=2"[^>]*rel="next"|rel="next"[^>]*href="\/staff\/deliveries\?page=2"/);
    // The last page holds what is left, and no Next.
    const all = Number((await t.hub.db.row<{ n: string }>('select count(*) as n from deliveries'))!.n);
    const lastPage = Math.ceil(all / 50);
    assert.equal(lastPage, 21, `${all} deliveries`);
    const last = await b.get(`/staff/deliveries?page=${lastPage}`);
    assert.match(last.html, /id="result-count">More than 1,000 deliveries, page 21</);
    assert.equal(listed(last.html).length, all - 1000);
    assert.doesNotMatch(last.html, /rel="next"/);
    assert.match(last.html, /href="\/staff\/deliveries\?page=20"/);
    // A narrower search is counted exactly.
    assert.match((await b.get('/staff/deliveries?service=noise')).html, /id="result-count">1 delivery</);
  });

  test('dates people type', () => {
    assert.equal(parseUkDate('1/10/2026'), '2026-10-01');
    assert.equal(parseUkDate('01-10-2026'), '2026-10-01');
    assert.equal(parseUkDate('1 Oct 2026'), '2026-10-01');
    assert.equal(parseUkDate('1 October 2026'), '2026-10-01');
    assert.equal(parseUkDate('2026-10-01'), '2026-10-01');
    assert.equal(parseUkDate(''), null);
    assert.equal(parseUkDate('29/2/2027'), undefined);
    assert.equal(parseUkDate('13/13/2026'), undefined);
    assert.equal(parseUkDate('yesterday'), undefined);
  });

  test('pagination keeps the filter and shows the first, last and nearby pages', () => {
    const values = { binding: 'north-casework', service: '', status: 'dead', from: '', to: '' };
    assert.equal(pagination(1, 1, values), null);
    const p = pagination(5, 9, values)!;
    assert.deepEqual(
      p.items.map((i) => ('ellipsis' in i ? '…' : i.current ? `[${i.number}]` : i.number)),
      ['1', '…', '4', '[5]', '6', '…', '9'],
    );
    assert.equal(p.previous?.href, '/staff/deliveries?binding=north-casework&status=dead&page=4');
    assert.equal(p.next?.href, '/staff/deliveries?binding=north-casework&status=dead&page=6');
    assert.equal(pagination(9, 9, values)!.next, undefined);
    // More match than were counted: no last page, the pages end at the next one.
    const open = pagination(5, null, values, true)!;
    assert.deepEqual(
      open.items.map((i) => ('ellipsis' in i ? '…' : i.current ? `[${i.number}]` : i.number)),
      ['1', '…', '4', '[5]', '6', '…'],
    );
    assert.equal(open.next?.href, '/staff/deliveries?binding=north-casework&status=dead&page=6');
    const end = pagination(7, null, values, false)!;
    assert.deepEqual(
      end.items.map((i) => ('ellipsis' in i ? '…' : i.current ? `[${i.number}]` : i.number)),
      ['1', '…', '6', '[7]'],
    );
    assert.equal(end.next, undefined);
  });
});
