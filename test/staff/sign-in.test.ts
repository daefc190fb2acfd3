// Local staff accounts through the real pages: the CLI's link, password and authenticator app, the two factors at
// sign-in, attempt limiting, CSRF, sign-out (the old cookie is dead), the idle timeout and sign-out everywhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { backdateSession } from '../../core/staff/staff-sessions-repo.ts';
import { hashToken } from '../../core/staff/tokens.ts';
import { upsertOidcStaffUser } from '../../core/staff/index.ts';
import { cliStaff, linkIn, signInStaff, signUpStaff, StaffBrowser, staffTestHub, totpCode, type StaffAccount, freshTotpCode } from './support.ts';
import { MAX_FAILED_PER_ADDRESS } from '../../core/staff/sign-in.ts';

describe('staff sign-in', () => {
  let t: TestHub;
  let operator: StaffAccount;

  before(async () => {
    t = await staffTestHub();
    operator = await signUpStaff(t, { role: 'operator' });
  });
  after(async () => t?.close());

  test('closeloop staff create prints a one-time link that sets a password and a second factor, then signs the person in', async () => {
    const created = await cliStaff(t, 'create', { email: 'New.Person@Example.org', role: 'council-admin', council: t.config.council.id });
    assert.equal(created.code, 0, created.err);
    const link = linkIn(created.out);
    assert.ok(link.startsWith(`${t.config.server.publicBaseUrl}/staff/invitations/`), created.out);
    const b = new StaffBrowser(t.url);
    const page = await b.get(link);
    assert.equal(page.status, 200);
    assert.match(page.html, /new\.person@example\.org/);
    // GOV.UK errors: no name, passwords that differ.
    const bad = await b.post(new URL(link).pathname, { name: '', password: 'a long enough password', confirm: 'something else entirely' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /govuk-error-summary/);
    assert.match(bad.html, /Enter your full name/);
    assert.match(bad.html, /Passwords must match/);
    const totp = await b.post(new URL(link).pathname, { name: 'Nia Patel', password: 'a long enough password', confirm: 'a long enough password' });
    assert.match(totp.html, /<img src="data:image\/svg\+xml;base64,/, 'a QR code as an inline image');
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(totp.html)![1]!.replace(/ /g, '');
    const wrong = await b.post(`${new URL(link).pathname}/second-factor`, { code: '000000' === totpCode(secret) ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    const done = await b.post(`${new URL(link).pathname}/second-factor`, { code: await freshTotpCode(secret) });
    assert.equal(done.status, 200);
    assert.ok(done.url.endsWith('/staff/overview'));
    assert.match(done.html, /Nia Patel/);
    // The link works once.
    const again = await new StaffBrowser(t.url).get(link);
    assert.equal(again.status, 404);
    assert.match(again.html, /This link has expired/);
    // And the CLI lists the account.
    const list = await cliStaff(t, 'list', {});
    assert.match(list.out, /new\.person@example\.org\s+active\s+council-admin/);
  });

  test('the CLI refuses a bad role, a council-admin without a council, and an unknown council', async () => {
    assert.equal((await cliStaff(t, 'create', { email: 'x@example.org', role: 'boss' })).code, 1);
    assert.match((await cliStaff(t, 'create', { email: 'x@example.org', role: 'council-admin' })).err, /belongs to one council/);
    assert.match((await cliStaff(t, 'create', { email: 'x@example.org', role: 'caseworker', council: 'nowhere' })).err, /not a configured council/);
  });

  test('sign-in needs both factors: a right password alone reaches only the code page', async () => {
    const b = new StaffBrowser(t.url);
    await b.get('/staff/sign-in');
    const wrongPassword = await b.post('/staff/sign-in', { email: operator.email, password: 'not the password at all' });
    assert.equal(wrongPassword.status, 400);
    assert.match(wrongPassword.html, /Enter a correct email address and password/);
    const codePage = await b.post('/staff/sign-in', { email: operator.email, password: operator.password });
    assert.ok(codePage.url.endsWith('/staff/sign-in/code'));
    // With the password given but no code, the console is still closed.
    const overview = await b.get('/staff/overview');
    assert.ok(overview.url.endsWith('/staff/sign-in'), 'redirected to sign in');
    await b.get('/staff/sign-in/code');
    const code = await freshTotpCode(operator.secret);
    const done = await b.post('/staff/sign-in/code', { code });
    assert.ok(done.url.endsWith('/staff/overview'));
    assert.match(done.html, /<h1 class="govuk-heading-l">Overview<\/h1>/);
    // A code works once: someone who saw it typed (or replays the request) cannot use it again.
    const replay = new StaffBrowser(t.url);
    await replay.get('/staff/sign-in');
    await replay.post('/staff/sign-in', { email: operator.email, password: operator.password });
    const refused = await replay.post('/staff/sign-in/code', { code });
    assert.equal(refused.status, 400);
    assert.ok(!refused.url.endsWith('/staff/overview'));
  });

  test('a wrong code 5 times: the sixth attempt is refused with 429, even with the right code', async () => {
    const account = await signUpStaff(t, { role: 'auditor' });
    const b = new StaffBrowser(t.url);
    await b.get('/staff/sign-in');
    await b.post('/staff/sign-in', { email: account.email, password: account.password });
    const right = totpCode(account.secret);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) {
      const page = await b.post('/staff/sign-in/code', { code: wrong });
      assert.equal(page.status, 400, `attempt ${i + 1}`);
    }
    const limited = await b.post('/staff/sign-in/code', { code: right });
    assert.equal(limited.status, 429);
    assert.match(limited.html, /You have tried to sign in too many times/);
    assert.ok(limited.headers.get('retry-after'));
    // The account is limited from any address, the password step too.
    const other = new StaffBrowser(t.url);
    await other.get('/staff/sign-in');
    const again = await other.post('/staff/sign-in', { email: account.email, password: account.password });
    assert.equal(again.status, 429);
    // Other accounts can still sign in from other addresses.
    await signInStaff(t, operator);
  });

  test('50 failures from one address (guessing many accounts): that address is refused for any account', async () => {
    const b = new StaffBrowser(t.url);
    await b.get('/staff/sign-in');
    for (let i = 0; i < MAX_FAILED_PER_ADDRESS; i++) {
      const page = await b.post('/staff/sign-in', { email: `nobody${i}@example.org`, password: 'guessing a password' });
      assert.equal(page.status, 400);
    }
    const limited = await b.post('/staff/sign-in', { email: operator.email, password: operator.password });
    assert.equal(limited.status, 429);
    assert.match(limited.html, /govuk-error-summary/);
  });

  test('a POST without the CSRF token is 403, signed in or not', async () => {
    const b = await signInStaff(t, operator);
    const noToken = await b.post('/staff/sign-out-everywhere', {}, { csrf: false });
    assert.equal(noToken.status, 403);
    const wrongToken = await b.post('/staff/sign-out', { _csrf: 'x'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    assert.equal((await b.get('/staff/overview')).status, 200, 'still signed in');
    const anon = new StaffBrowser(t.url);
    const signIn = await anon.post('/staff/sign-in', { email: operator.email, password: operator.password }, { csrf: false });
    assert.equal(signIn.status, 403);
  });

  test('a signed-out session cannot be reused', async () => {
    const b = await signInStaff(t, operator);
    const cookie = b.sessionCookie()!;
    assert.ok(cookie);
    await b.get('/staff/overview');
    const out = await b.post('/staff/sign-out', {});
    assert.match(out.html, /You have signed out/);
    // Replaying the old cookie gets nowhere.
    const res = await fetch(`${t.url}/staff/overview`, { headers: { cookie: `closeloop_staff=${cookie}`, accept: 'text/html' }, redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/staff/sign-in');
  });

  test('the session cookie is HttpOnly, SameSite=Lax, for /staff only', async () => {
    const res = await fetch(`${t.url}/staff/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `closeloop_csrf=${'a'.repeat(43)}`, 'x-forwarded-for': '10.9.9.9' },
      body: new URLSearchParams({ _csrf: 'a'.repeat(43), email: operator.email, password: operator.password }),
      redirect: 'manual',
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('closeloop_staff='))!;
    assert.match(set, /path=\/staff/i);
    assert.match(set, /httponly/i);
    assert.match(set, /samesite=lax/i);
    assert.doesNotMatch(set, /secure/i, 'not Secure over plain HTTP');
  });

  test('a session idle longer than staff.session.idleMinutes has ended', async () => {
    const b = await signInStaff(t, operator);
    assert.equal((await b.get('/staff/overview')).status, 200);
    await backdateSession(t.hub.db, hashToken(b.sessionCookie()!), t.config.staff.session.idleMinutes + 1, 'idle');
    const page = await b.get('/staff/overview');
    assert.ok(page.url.endsWith('/staff/sign-in'));
  });

  test('a session older than staff.session.absoluteHours has ended, however active', async () => {
    const b = await signInStaff(t, operator);
    await backdateSession(t.hub.db, hashToken(b.sessionCookie()!), t.config.staff.session.absoluteHours * 60 + 1, 'absolute');
    assert.ok((await b.get('/staff/overview')).url.endsWith('/staff/sign-in'));
  });

  test('sign out everywhere ends every session of the person', async () => {
    const one = await signInStaff(t, operator);
    const two = await signInStaff(t, operator);
    await one.get('/staff/account');
    const page = await one.post('/staff/sign-out-everywhere', {});
    assert.match(page.html, /You have signed out everywhere/);
    assert.ok((await two.get('/staff/overview')).url.endsWith('/staff/sign-in'), 'the other browser is signed out');
    assert.ok((await one.get('/staff/overview')).url.endsWith('/staff/sign-in'));
  });

  test('a disabled account is signed out and cannot sign in', async () => {
    const account = await signUpStaff(t, { role: 'auditor' });
    const disabled = await cliStaff(t, 'disable', { email: account.email });
    assert.equal(disabled.code, 0, disabled.err);
    assert.ok((await account.browser.get('/staff/overview')).url.endsWith('/staff/sign-in'));
    const b = new StaffBrowser(t.url);
    await b.get('/staff/sign-in');
    assert.equal((await b.post('/staff/sign-in', { email: account.email, password: account.password })).status, 400);
  });

  test('upsertOidcStaffUser provisions on first sign-in, refreshes the mapping later, and links an account made with the CLI', async () => {
    const issuer = 'https://idp.example.org';
    const first = await upsertOidcStaffUser(t.hub.db, {
      issuer,
      subject: 'sub-1',
      email: 'Ola@Example.org',
      name: 'Ola Nordmann',
      role: 'caseworker',
      council: t.config.council.id,
      services: ['noise-complaint'],
    });
    assert.equal(first.email, 'ola@example.org');
    assert.deepEqual(first.oidc, { issuer, subject: 'sub-1' });
    const again = await upsertOidcStaffUser(t.hub.db, {
      issuer,
      subject: 'sub-1',
      email: 'ola@example.org',
      name: null,
      role: 'council-admin',
      council: t.config.council.id,
      services: null,
    });
    assert.equal(again.id, first.id);
    assert.equal(again.role, 'council-admin');
    assert.equal(again.name, 'Ola Nordmann', 'a missing name claim keeps the name');
    const cli = await cliStaff(t, 'create', { email: 'linked@example.org', role: 'auditor' });
    assert.equal(cli.code, 0);
    const linked = await upsertOidcStaffUser(t.hub.db, {
      issuer,
      subject: 'sub-2',
      email: 'linked@example.org',
      name: 'Li Nked',
      role: 'auditor',
      council: null,
      services: null,
    });
    const list = await cliStaff(t, 'list', {});
    assert.match(list.out, /linked@example\.org\s+active\s+auditor\s+\[sign-in: OIDC\]/);
    assert.ok(linked.oidc);
  });
});
