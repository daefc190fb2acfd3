// The overview, scoped: an operator sees every back office (a dead delivery among them) and service; a council admin
// sees its own council's only; a caseworker sees its services' submissions and no back-office figures at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';
import { serviceSubmissions } from '../../core/staff/overview-repo.ts';

const CONFIG = 'test/fixtures/councils/closeloop.yaml';

/** The row of a table on the page whose `data-<attr>` is `value`, or null. */
function row(html: string, attr: 'binding' | 'service', value: string): string | null {
  const m = new RegExp(`<tr class="govuk-table__row" data-${attr}="${value}">([^]*?)</tr>`).exec(html);
  return m ? m[1]! : null;
}

describe('staff overview', () => {
  let t: TestHub;
  let operator: StaffAccount;

  before(async () => {
    t = await staffTestHub({ configFile: CONFIG });
    const submit = async (service: string, answers: Record<string, unknown>) => {
      const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { processId: string };
    };
    await submit('noise', {
      noiseType: 'music',
      description: 'Loud',
      source: { line1: '1 High St', town: 'Southton', postcode: 'SO1 1AA' },
      started: '2026-10-01',
      times: ['night'],
      email: 'south@example.com',
    });
    const north = await submit('pests', { pest: 'rats', email: 'north@example.com' });
    // No worker runs: North's delivery is made dead as a failing back office would leave it.
    await t.hub.db.run("update deliveries set status = 'dead', attempts = 3 where process_id = $1", [north.processId]);
    operator = await signUpStaff(t, { role: 'operator' });
  });
  after(async () => t?.close());

  test('an operator sees every back office, the dead delivery and its alert, and every service', async () => {
    const page = await operator.browser.get('/staff/overview');
    assert.equal(page.status, 200);
    const north = row(page.html, 'binding', 'north-casework');
    assert.ok(north, 'North’s back office is listed');
    assert.match(north, /data-dead="1"/);
    const shared = row(page.html, 'binding', 'backoffice');
    assert.ok(shared);
    assert.match(shared, /data-sort-value="1"/, 'one delivery waiting for the shared back office');
    assert.match(page.html, /aria-label="Dead deliveries: north-casework"/, 'the alert GET /api/v1/admin/alerts gives');
    assert.match(row(page.html, 'service', 'noise')!, /<td[^>]*>1<\/td>/);
    assert.ok(row(page.html, 'service', 'pests'));
    // The sub navigation names the sections.
    const nav = /<nav class="moj-sub-navigation"[^]*?<\/nav>/.exec(page.html)![0];
    const links = [...nav.matchAll(/href="([^"]+)"[^>]*>\s*([^<]+?)\s*<\/a>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(links, [
      ['/staff/overview', 'Overview'],
      ['/staff/deliveries', 'Deliveries'],
      ['/staff/cases', 'Cases'],
      ['/staff/services', 'Services'],
      ['/staff/api-keys', 'API keys'],
      ['/staff/subscriptions', 'Subscriptions'],
      ['/staff/audit', 'Audit log'],
    ]);
    assert.match(page.html, /aria-current="page" href="\/staff\/overview"/);
  });

  test("a council admin of South sees none of North's back-office or service figures", async () => {
    const south = await signUpStaff(t, { role: 'council-admin', council: 'south' });
    const page = await south.browser.get('/staff/overview');
    assert.equal(page.status, 200);
    assert.equal(row(page.html, 'binding', 'north-casework'), null);
    assert.equal(row(page.html, 'service', 'pests'), null);
    assert.doesNotMatch(page.html, /north-casework/);
    assert.ok(row(page.html, 'service', 'noise'), 'its own service');
    assert.match(page.html, /South Borough Council/);
  });

  test("a council admin of North sees North's dead delivery", async () => {
    const north = await signUpStaff(t, { role: 'council-admin', council: 'north' });
    const page = await north.browser.get('/staff/overview');
    assert.match(row(page.html, 'binding', 'north-casework')!, /data-dead="1"/);
    assert.equal(row(page.html, 'binding', 'backoffice'), null, 'the shared back office is the operator’s to watch');
    assert.equal(row(page.html, 'service', 'noise'), null);
  });

  test('a caseworker sees its services’ submissions and no back-office figures', async () => {
    const caseworker = await signUpStaff(t, { role: 'caseworker', council: 'north', services: 'pests' });
    const page = await caseworker.browser.get('/staff/overview');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /id="bindings"/);
    assert.doesNotMatch(page.html, /Needs attention/);
    assert.doesNotMatch(page.html, /north-casework/);
    assert.ok(row(page.html, 'service', 'pests'));
    assert.equal(row(page.html, 'service', 'noise'), null);
  });

  test('signed out, the overview sends you to sign in', async () => {
    const res = await fetch(`${t.url}/staff/overview`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/staff/sign-in');
  });

  test('staff pages load only the hub’s own assets, and each of them is served', async () => {
    const page = await operator.browser.get('/staff/overview');
    const refs = [...page.html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const outside = refs.filter((r) => /^(https?:)?\/\//.test(r) && !r.startsWith(t.url));
    assert.deepEqual(outside, [], 'no outside host');
    for (const asset of refs.filter((r) => r.startsWith('/assets/'))) {
      const res = await fetch(`${t.url}${asset}`);
      assert.equal(res.status, 200, asset);
    }
    const css = await (await fetch(`${t.url}/assets/moj/moj-frontend.min.css`)).text();
    for (const image of css.matchAll(/url\(([^)]+)\)/g)) {
      assert.ok(image[1]!.startsWith('/assets/moj/images/'), image[1]);
      assert.equal((await fetch(`${t.url}${image[1]}`)).status, 200, image[1]);
    }
    const bundle = await fetch(`${t.url}/assets/moj/all.bundle.mjs`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${t.url}/assets/moj/../../package.json`)).status, 404);
  });

  // Last: it moves a case out of the week.
  test('submissions are counted today and this week, a case sent before the week in neither', async () => {
    const counts = async () =>
      Object.fromEntries((await serviceSubmissions(t.hub.db, ['noise', 'pests', 'nobody'])).map((r) => [r.service_id, [r.today, r.week]]));
    assert.deepEqual(await counts(), { noise: [1, 1], pests: [1, 1] });
    await t.hub.db.run("update processes set submitted_at = now() - interval '8 days' where service_id = 'pests'");
    assert.deepEqual(await counts(), { noise: [1, 1] });
    const page = await operator.browser.get('/staff/overview');
    assert.match(row(page.html, 'service', 'pests')!, /<td[^>]*>0<\/td>/, 'a service with none this week shows 0');
  });
});
