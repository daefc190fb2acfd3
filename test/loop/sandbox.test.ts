// The example council's sandbox back office (the sandbox connector): deliveries arrive signed, the page lists them, and
// its forms act through the hub's process API (so the citizen's tracking page shows the change). Forms need the CSRF
// token. The page and its buttons answer only someone signed in to the staff console (at /staff/connectors/sandbox/, where
// the staff session's cookie goes) and only the addresses in the binding's allowFrom (this machine by default).
// /sandbox is the binding's short address (/connectors/sandbox), which sends the browser to the signed-in page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../core/config/index.ts';
import { checkBindings } from '../../core/plugins/check-bindings.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { signUpStaff } from '../staff/support.ts';

/** The sandbox's page behind staff sign-in, and its buttons' address. */
const PAGE = '/staff/connectors/sandbox/';
const ACT = '/staff/connectors/sandbox/act';

/** Signs a staff member in (any role will do) and answers the session cookie, for the Cookie header. */
async function staffCookie(t: TestHub): Promise<string> {
  const { browser } = await signUpStaff(t, { role: 'caseworker', council: t.config.council.id });
  return `closeloop_staff=${browser.sessionCookie()}`;
}

const FLY_TIPPING = {
  location: { easting: 452113, northing: 304200 },
  wasteTypes: ['tyres', 'rubble'],
  amount: 'small-van',
  blocking: 'no',
  seenOn: '2026-11-20',
  sawDumping: 'yes',
  vehicleRegistration: 'ab12 cde',
  witnessDescription: 'A white van, about 7am.',
  fullName: 'Pat Walker',
  email: 'pat@example.com',
};

async function submitFlyTipping(t: TestHub): Promise<{ processId: string; reference: string; trackingUrl: string }> {
  const res = await fetch(`${t.url}/api/v1/services/fly-tipping/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: FLY_TIPPING }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { processId: string; reference: string; trackingUrl: string };
}

/** The sandbox page's session cookie and CSRF token, once the delivery with this reference is listed (with its forms). */
async function sandboxForm(t: TestHub, staff: string, reference: string): Promise<{ cookie: string; csrf: string; page: string }> {
  for (let i = 0; ; i++) {
    const r = await fetch(`${t.url}${PAGE}`, { headers: { cookie: staff } });
    assert.equal(r.status, 200);
    const page = await r.text();
    if (page.includes(reference))
      return { cookie: `${staff}; ${(r.headers.get('set-cookie') ?? '').split(';')[0]!}`, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]!, page };
    if (i >= 100) assert.fail(`${reference} never arrived in the sandbox`);
    await new Promise((x) => setTimeout(x, 100));
  }
}

describe('sandbox back office', () => {
  let t: TestHub;
  let staff: string;
  before(async () => {
    t = await startTestHub({ worker: true });
    staff = await staffCookie(t);
  });
  after(async () => {
    await t.close();
  });

  test('a submission arrives in the sandbox and a person can act on it through the API', async () => {
    const { processId, reference, trackingUrl } = await submitFlyTipping(t);

    let page = '';
    let cookie = '';
    for (let i = 0; i < 100 && !page.includes(reference); i++) {
      const r = await fetch(`${t.url}${PAGE}`, { headers: { cookie: staff } });
      cookie = `${staff}; ${(r.headers.get('set-cookie') ?? '').split(';')[0]!}`;
      page = await r.text();
      if (!page.includes(reference)) await new Promise((x) => setTimeout(x, 100));
    }
    assert.ok(page.includes(reference), 'the delivery is listed');
    assert.ok(page.includes(processId));
    assert.match(page, /answers only requests from this machine/, 'the page says who can open it');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;

    assert.ok(page.includes(`action="${ACT}/${processId}"`), 'its forms post to the signed-in address');
    const refused = await fetch(`${t.url}${ACT}/${processId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: staff },
      body: 'action=close',
      redirect: 'manual',
    });
    assert.equal(refused.status, 403, 'no CSRF token, no change');

    const act = (fields: Record<string, string>) =>
      fetch(`${t.url}${ACT}/${processId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        redirect: 'manual',
      });
    const noted = await act({ action: 'note', text: 'A crew is booked for Thursday.', visibility: 'public' });
    assert.equal(noted.status, 302);
    assert.equal(noted.headers.get('location'), `${PAGE}?done=note`, 'back to the signed-in page');
    assert.equal((await act({ action: 'task', taskKey: 'clearance', status: 'completed' })).status, 302);

    const view = (await (await fetch(`${t.url}/api/v1/track/${trackingUrl.split('/track/')[1]}`)).json()) as { status: string; timeline: { text: string }[] };
    assert.ok(view.timeline.some((e) => e.text === 'A crew is booked for Thursday.'));
    assert.ok(view.timeline.some((e) => e.text === 'Clearance: completed'));
    assert.equal(view.status, 'in_progress');

    const key = await t.key(['fly-tipping']);
    const tl = (await (await fetch(`${t.url}/api/v1/processes/${processId}/timeline`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      events: { by: string; kind: string }[];
    };
    assert.ok(
      tl.events.some((e) => e.kind === 'note' && e.by === 'Sandbox back office'),
      'recorded as made by the sandbox key',
    );
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      externalRef: string;
    };
    assert.match(proc.externalRef, /^SBX-\d+$/);
  });

  test('signed out of the staff console, /sandbox sends the browser to sign in and its buttons refuse', async () => {
    const short = await fetch(`${t.url}/sandbox`, { redirect: 'manual' });
    assert.equal(short.status, 302);
    assert.equal(short.headers.get('location'), PAGE, 'the short address goes to the page behind sign-in');
    const page = await fetch(`${t.url}${PAGE}`, { redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/staff/sign-in');
    const followed = await fetch(`${t.url}/sandbox`);
    assert.ok(followed.url.endsWith('/staff/sign-in'), followed.url);
    assert.match(await followed.text(), /<h1 class="govuk-heading-l">Sign in<\/h1>/);
    const { processId } = await submitFlyTipping(t);
    for (const path of [`${ACT}/${processId}`, `/sandbox/act/${processId}`, `/connectors/sandbox/act/${processId}`]) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=close',
        redirect: 'manual',
      });
      assert.equal(res.status, 403, path);
    }
    // A session cookie that is not a live session is signed out too.
    const forged = await fetch(`${t.url}${PAGE}`, { headers: { cookie: `closeloop_staff=${'A'.repeat(43)}` }, redirect: 'manual' });
    assert.equal(forged.headers.get('location'), '/staff/sign-in');
  });

  test('the sandbox inbox refuses unsigned deliveries', async () => {
    const res = await fetch(`${t.url}/sandbox/inbox`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
    assert.equal(res.status, 401);
  });

  test('a process id is one path segment of the API call: it cannot reach another route', async () => {
    const { processId, reference } = await submitFlyTipping(t);
    const { cookie, csrf } = await sandboxForm(t, staff, reference);
    const act = (id: string, fields: Record<string, string>) =>
      fetch(`${t.url}${ACT}/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        redirect: 'manual',
      });
    // Unencoded, "<id>/notes?x=" would have turned "close" into a note on that process, and "../admin/…" left the processes routes.
    const smuggled = await act(`${processId}/notes?x=`, { action: 'note', text: 'Smuggled note', visibility: 'public' });
    assert.equal(smuggled.status, 404);
    assert.match(await smuggled.text(), /There is no such process/);
    const traversal = await act('../../admin/deliveries/replay', { action: 'close', text: 'x' });
    assert.equal(traversal.status, 404);
    assert.match(await traversal.text(), /There is no such process/, 'the API saw one (unknown) process id, not another route');
    const key = await t.key(['fly-tipping']);
    const tl = (await (await fetch(`${t.url}/api/v1/processes/${processId}/timeline`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      events: { text: string }[];
    };
    assert.ok(!tl.events.some((e) => e.text === 'Smuggled note'), 'no note was added');
  });

  test("the page and its buttons refuse a request that came through a proxy the hub does not trust (its address is not the client's)", async () => {
    const { processId, reference } = await submitFlyTipping(t);
    const { cookie, csrf } = await sandboxForm(t, staff, reference);
    const viaProxy: Record<string, string>[] = [{ 'x-forwarded-for': '127.0.0.1' }, { forwarded: 'for=127.0.0.1' }, { 'x-real-ip': '127.0.0.1' }];
    for (const header of viaProxy) {
      const page = await fetch(`${t.url}${PAGE}`, { headers: { accept: 'text/html', cookie: staff, ...header } });
      assert.equal(page.status, 403, JSON.stringify(header));
      const html = await page.text();
      assert.match(html, /answers only requests from this machine/);
      assert.match(html, /bindings\.sandbox\.config\.allowFrom/);
      assert.ok(!html.includes(processId), 'nothing of the processes is shown');
      const act = await fetch(`${t.url}${ACT}/${processId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...header },
        body: new URLSearchParams({ _csrf: csrf, action: 'close' }).toString(),
        redirect: 'manual',
      });
      assert.equal(act.status, 403, JSON.stringify(header));
    }
    const key = await t.key(['fly-tipping']);
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string };
    assert.notEqual(proc.status, 'closed', 'the refused button changed nothing');
  });

  test('a delivery too large for the inbox is 413 in problem+json, like the rest of the API', async () => {
    for (const accept of [undefined, 'text/html,application/xhtml+xml']) {
      const res = await fetch(`${t.url}/sandbox/inbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml', ...(accept ? { accept } : {}) },
        body: `<x>${'a'.repeat(6 * 1024 * 1024)}</x>`,
      });
      assert.equal(res.status, 413, `accept: ${accept}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await res.json()) as { status: number; title: string; detail: string };
      assert.equal(problem.status, 413);
      assert.match(problem.detail, /5 MB/);
    }
  });
});

describe('sandbox back office without staff sign-in (staff.pluginPagesSignIn: false)', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configure: (c) => void (c.staff.pluginPagesSignIn = false) });
  });
  after(async () => {
    await t.close();
  });

  test('the page is at /sandbox again, for this machine only', async () => {
    const res = await fetch(`${t.url}/sandbox`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /action="\/connectors\/sandbox\/act\/|Nothing has arrived yet/);
    assert.equal((await fetch(`${t.url}${PAGE}`)).status, 404, 'no page under /staff');
  });
});

describe('sandbox back office open to other addresses by config', () => {
  let t: TestHub;
  let staff: string;
  before(async () => {
    // Behind a trusted proxy (which appends the address it saw to X-Forwarded-For), open to one office network.
    t = await startTestHub({
      configure: (c) => {
        c.server.trustProxy = true;
        c.bindings.sandbox!.config = { ...c.bindings.sandbox!.config, allowFrom: ['203.0.113.0/24'] };
      },
    });
    staff = await staffCookie(t);
  });
  after(async () => {
    await t.close();
  });

  test('only the addresses in sandbox.allowFrom, as the trusted proxy saw them', async () => {
    const status = async (forwardedFor?: string) =>
      (await fetch(`${t.url}${PAGE}`, { headers: { cookie: staff, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } })).status;
    assert.equal(await status('203.0.113.7'), 200, 'an allowed address');
    assert.equal(await status(), 403, 'this machine is no longer in the list');
    assert.equal(await status('198.51.100.1'), 403, 'another address');
    // The client wrote 203.0.113.7 itself; the proxy appended the address it really came from.
    assert.equal(await status('203.0.113.7, 198.51.100.1'), 403, 'a forged X-Forwarded-For entry is not believed');
    assert.equal(await status('198.51.100.1, 203.0.113.7'), 200);
    const page = await (await fetch(`${t.url}${PAGE}`, { headers: { cookie: staff, 'x-forwarded-for': '203.0.113.7' } })).text();
    assert.match(page, /answers requests from 203\.0\.113\.0\/24 only/);
  });

  test('the config refuses an allowFrom entry that is not an address or a range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'closeloop-sandbox-'));
    try {
      const file = join(dir, 'closeloop.yaml');
      const yaml = await readFile('config/closeloop.yaml', 'utf8');
      await writeFile(file, yaml.replace("      # allowFrom: [127.0.0.0/8, '::1']", '      allowFrom: [127.0.0.1, 10.0.0.0/33, office]'));
      const problems = (await checkBindings(loadConfig(file, t.env))).map((p) => `${p.path}: ${p.message}`);
      assert.ok(
        problems.some((p) => /^bindings\.sandbox\.config\.allowFrom\.1: .*IP address or a range/.test(p)),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => /^bindings\.sandbox\.config\.allowFrom\.2: /.test(p)),
        problems.join('\n'),
      );
      assert.equal(problems.length, 2, problems.join('\n'));
      // Where the setting used to be: refused, saying where it went.
      await writeFile(file, `${yaml}\nsandbox:\n  allowFrom: [127.0.0.1]\n`);
      assert.throws(
        () => loadConfig(file, t.env),
        (err: unknown) => err instanceof ConfigError && /sandbox: .*bindings\.sandbox\.config\.allowFrom/.test(err.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
