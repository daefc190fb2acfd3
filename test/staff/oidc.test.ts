// Staff sign-in with OpenID Connect against a real provider (oidc-provider on a loopback port): the role mapping gives
// the role, council and services; the name and e-mail come from the configured claims (Entra ID style too: no `email`,
// `preferred_username` instead, groups as object ids). Forged and replayed callbacks, a wrong nonce, a token from
// another issuer, an expired token and a token signed with an unknown key sign nobody in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../core/config/index.ts';
import { staffOidcSchema } from '../../core/config/staff-schema.ts';
import { signInWithProvider } from '../../core/http/staff/index.ts';
import type { StaffOidcIdentity } from '../../core/staff/oidc.ts';
import { freePort, startTestHub, type TestHub } from '../helpers/hub.ts';
import { startOidcProvider, type TestOidcProvider } from '../peers/oidc-provider.ts';

const ADMIN_GROUP = 'd2b7c1e0-5a43-4d8e-9c0f-3b1a2e6f7a90';
const NOISE_GROUP = '7e0c9a4b-1f2d-4c3e-8b5a-6d7f8e9a0b1c';

const ACCOUNTS = {
  jane: {
    claims: {
      mail: 'Jane.Smith@Example.gov.uk',
      email: 'not-this-one@example.org',
      display_name: 'Jane Smith',
      name: 'J. Smith (not this one)',
      realm_access: { roles: ['staff', 'fly-tipping-team', 'noise-team'] },
    },
  },
  olu: { claims: { mail: 'olu@example.gov.uk', display_name: 'Olu Adeyemi', realm_access: { roles: ['fly-tipping-team', 'closeloop-operators'] } } },
  // Entra ID: no email claim, the UPN in preferred_username, groups as object ids.
  sam: { claims: { preferred_username: 'Sam.Jones@North.example.gov.uk', name: 'Sam Jones', groups: ['0f9e8d7c-0000-4000-8000-000000000001', ADMIN_GROUP] } },
  nobody: {
    claims: {
      mail: 'nobody@example.gov.uk',
      preferred_username: 'nobody@example.gov.uk',
      display_name: 'No Body',
      realm_access: { roles: ['staff'] },
      groups: ['0f9e8d7c-0000-4000-8000-000000000001'],
    },
  },
};

let hubPort: number;
let hubUrl: string;
let idp: TestOidcProvider;
let other: TestOidcProvider;
let hub: TestHub;
const signedIn: StaffOidcIdentity[] = [];

const redirectUri = (council: string) => `${hubUrl}/staff/sign-in/${council}/oidc/callback`;

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('staff/oidc', () => {
  before(async () => {
    hubPort = await freePort();
    hubUrl = `http://127.0.0.1:${hubPort}`;
    const clients = [
      { clientId: 'closeloop-default', clientSecret: 'default-secret', redirectUris: [redirectUri('default')] },
      { clientId: 'closeloop-north', clientSecret: 'north-secret', redirectUris: [redirectUri('north')] },
    ];
    idp = await startOidcProvider({ accounts: ACCOUNTS, clients });
    // Another provider, with the same client registered: its tokens and codes must not count for the first one's councils.
    other = await startOidcProvider({ accounts: ACCOUNTS, clients });
    process.env.TEST_OIDC_DEFAULT_SECRET = 'default-secret';
    process.env.TEST_OIDC_NORTH_SECRET = 'north-secret';
    hub = await startTestHub({
      env: { PORT: String(hubPort), PUBLIC_BASE_URL: hubUrl },
      configure: (config: Config) => {
        // Keycloak style: claims named by configuration, roles inside realm_access.
        config.council.staff = {
          oidc: staffOidcSchema.parse({
            issuer: idp.issuer,
            clientId: 'closeloop-default',
            clientSecret: { env: 'TEST_OIDC_DEFAULT_SECRET' },
            nameClaim: 'display_name',
            emailClaim: 'mail',
            rolesClaim: 'realm_access.roles',
            roleMapping: [
              { value: 'closeloop-operators', role: 'operator' },
              { value: 'fly-tipping-team', role: 'caseworker', services: ['fly-tipping'] },
              { value: 'noise-team', role: 'caseworker', services: ['noise-complaint'] },
            ],
          }),
        };
        // Entra ID style: the defaults (name, email falling back to preferred_username, groups).
        config.councils.north = {
          name: 'North Borough Council',
          staff: {
            oidc: staffOidcSchema.parse({
              issuer: idp.issuer,
              clientId: 'closeloop-north',
              clientSecret: { env: 'TEST_OIDC_NORTH_SECRET' },
              roleMapping: [
                { value: ADMIN_GROUP, role: 'council-admin' },
                { value: NOISE_GROUP, role: 'caseworker', services: ['noise-complaint'] },
              ],
            }),
          },
        };
        // A provider nobody answers for.
        config.councils.east = {
          name: 'East District Council',
          staff: { oidc: staffOidcSchema.parse({ issuer: 'http://127.0.0.1:9', clientId: 'closeloop-east', roleMapping: [{ value: 'x', role: 'auditor' }] }) },
        };
      },
      // The console's own sign-in (account made or updated, session started), watched: each identity it was given.
      serve: (h) => ({
        staff: {
          onOidcSignedIn: async (ctx, identity, returnTo) => {
            signedIn.push(identity);
            await signInWithProvider(h)(ctx, identity, returnTo);
          },
        },
      }),
    });
  });

  after(async () => {
    await hub?.close();
    await idp?.close();
    await other?.close();
  });

  describe('staff sign-in with OpenID Connect', () => {
    test('a caseworker: role and services from the mapping, name and e-mail from the configured claims', async () => {
      idp.loginAs = 'jane';
      const browser = new Browser();
      const callback = await toCallback(browser, 'default');
      const res = await browser.get(callback);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/staff');
      assert.deepEqual(signedIn.at(-1), {
        issuer: idp.issuer,
        subject: 'jane',
        email: 'jane.smith@example.gov.uk',
        name: 'Jane Smith',
        role: 'caseworker',
        council: 'default',
        services: ['fly-tipping', 'noise-complaint'],
      });
      const pending = await hub.hub.db.row<{ n: number }>('select count(*)::int as n from staff_oidc_states');
      assert.equal(pending?.n, 0, 'the sign-in in progress is used up');
      // Signed in to the console as that person, with the mapped role.
      const overview = await browser.get(`${hubUrl}/staff/overview`);
      assert.equal(overview.status, 200);
      assert.match(await overview.text(), /Jane Smith/);
      const account = await hub.hub.db.row<{ role: string; council: string; services: string[] }>(
        "select role, council, services from staff_users where oidc_subject = 'jane'",
      );
      assert.deepEqual(account, { role: 'caseworker', council: 'default', services: ['fly-tipping', 'noise-complaint'] });
    });

    test('the sign-in page offers each council provider', async () => {
      const page = await (await fetch(`${hubUrl}/staff/sign-in`)).text();
      assert.match(page, /href="\/staff\/sign-in\/default\/oidc"/);
      assert.match(page, /href="\/staff\/sign-in\/north\/oidc"/);
    });

    test('a disabled account signs nobody in, even with its provider', async () => {
      idp.loginAs = 'olu';
      await signInExpectingSuccess('default');
      await hub.hub.db.run("update staff_users set disabled_at = now() where oidc_subject = 'olu'");
      try {
        const browser = new Browser();
        const res = await browser.get(await toCallback(browser, 'default'));
        assert.equal(res.status, 403);
        assert.equal((await browser.get(`${hubUrl}/staff/overview`)).status, 302, 'no session: sent to sign in');
      } finally {
        await hub.hub.db.run("update staff_users set disabled_at = null where oidc_subject = 'olu'");
      }
    });

    test('the first matching entry decides the role: an operator acts for every council', async () => {
      idp.loginAs = 'olu';
      const identity = await signInExpectingSuccess('default');
      assert.equal(identity.role, 'operator');
      assert.equal(identity.council, null);
      assert.equal(identity.services, null);
    });

    test('Entra ID style: no email claim (preferred_username instead), groups as object ids', async () => {
      idp.loginAs = 'sam';
      const identity = await signInExpectingSuccess('north');
      assert.deepEqual(identity, {
        issuer: idp.issuer,
        subject: 'sam',
        email: 'sam.jones@north.example.gov.uk',
        name: 'Sam Jones',
        role: 'council-admin',
        council: 'north',
        services: null,
      });
    });

    test('no role mapping matches: refused with a page saying so', async () => {
      idp.loginAs = 'nobody';
      for (const council of ['default', 'north']) {
        const res = await signInExpectingRefusal(council);
        assert.match(await res.text(), /You do not have a role in this council/);
      }
    });

    test('a forged state signs nobody in (and uses up the sign-in it was aimed at)', async () => {
      idp.loginAs = 'jane';
      const browser = new Browser();
      const callback = new URL(await toCallback(browser, 'default'));
      callback.searchParams.set('state', 'forged-state-value-forged-state-value-0000');
      await expectRefused(browser.get(callback.href));
    });

    test('a callback in a browser that began no sign-in signs nobody in', async () => {
      idp.loginAs = 'jane';
      const callback = await toCallback(new Browser(), 'default');
      await expectRefused(new Browser().get(callback));
    });

    test('a replayed callback (same URL, same cookie) signs nobody in a second time', async () => {
      idp.loginAs = 'jane';
      const browser = new Browser();
      const callback = await toCallback(browser, 'default');
      const cookie = browser.cookieHeader(callback);
      const count = signedIn.length;
      assert.equal((await browser.get(callback)).status, 302);
      assert.equal(signedIn.length, count + 1);
      await expectRefused(fetch(callback, { redirect: 'manual', headers: { cookie } }));
      assert.equal(signedIn.length, count + 1);
    });

    test('a callback for another council than the one begun signs nobody in', async () => {
      idp.loginAs = 'sam';
      const browser = new Browser();
      const callback = new URL(await toCallback(browser, 'north'));
      const cookie = browser.cookieHeader(callback.href);
      await expectRefused(fetch(`${redirectUri('default')}${callback.search}`, { redirect: 'manual', headers: { cookie } }));
    });

    for (const [name, tamper] of [
      ['a wrong nonce', { claims: { nonce: 'not-the-nonce-we-sent' } }],
      ['a token from another issuer', { claims: { iss: 'https://login.example.net/other-tenant/v2.0' } }],
      ['an expired token', { claims: { iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 } }],
      ['a token for another client', { claims: { aud: 'someone-else' } }],
      ['a token signed with a key the provider never published', { claims: {}, foreignKey: true }],
    ] as const) {
      test(`${name} signs nobody in`, async () => {
        idp.loginAs = 'jane';
        idp.tamper = tamper;
        try {
          await signInExpectingRefusal('default');
        } finally {
          idp.tamper = null;
        }
      });
    }

    test('the provider rotates its signing key: the new key is fetched from its JWKS', async () => {
      idp.loginAs = 'jane';
      await signInExpectingSuccess('default');
      idp.rotateKey();
      // openid-client reads the key set again for an unknown key id only once a minute; a sign-in refused in that minute
      // makes the hub discover the provider afresh, so the next one checks the token against the new key.
      const browser = new Browser();
      const res = await browser.get(await toCallback(browser, 'default'));
      if (res.status !== 302) assert.equal(res.status, 403);
      await signInExpectingSuccess('default');
    });

    test('a code from another provider (mix-up: iss of the callback is not the council’s provider) signs nobody in', async () => {
      idp.loginAs = 'jane';
      other.loginAs = 'olu';
      const browser = new Browser();
      const begin = await browser.get(`${hubUrl}/staff/sign-in/default/oidc`);
      // The authorisation request the hub made, sent to the other provider instead.
      const aimed = new URL(begin.headers.get('location')!);
      const elsewhere = new URL(`${aimed.pathname}${aimed.search}`, other.issuer);
      const callback = await follow(browser, elsewhere.href, 'default');
      assert.equal(new URL(callback).searchParams.get('iss'), other.issuer);
      await expectRefused(browser.get(callback));
    });

    test('a provider that cannot be reached: 503 with a page, and no council without a provider', async () => {
      const res = await new Browser().get(`${hubUrl}/staff/sign-in/east/oidc`);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /Try again in a few minutes/);
      assert.equal((await fetch(`${hubUrl}/staff/sign-in/nowhere/oidc`, { redirect: 'manual', headers: { accept: 'text/html' } })).status, 404);
    });

    test('the pending cookie is HttpOnly, SameSite=Lax and scoped to the sign-in path; the request uses PKCE S256', async () => {
      const res = await fetch(`${hubUrl}/staff/sign-in/default/oidc`, { redirect: 'manual' });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('closeloop_staff_oidc='))!;
      assert.match(cookie, /path=\/staff\/sign-in\/default\/oidc/i);
      assert.match(cookie, /httponly/i);
      assert.match(cookie, /samesite=lax/i);
      const url = new URL(res.headers.get('location')!);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('redirect_uri'), redirectUri('default'));
      assert.ok(url.searchParams.get('state') && url.searchParams.get('nonce'));
    });
  });

  async function signInExpectingSuccess(council: string): Promise<StaffOidcIdentity> {
    const browser = new Browser();
    const count = signedIn.length;
    const res = await browser.get(await toCallback(browser, council));
    assert.equal(res.status, 302, await res.text());
    assert.equal(signedIn.length, count + 1);
    return signedIn.at(-1)!;
  }

  async function signInExpectingRefusal(council: string): Promise<Response> {
    const browser = new Browser();
    return expectRefused(browser.get(await toCallback(browser, council)));
  }

  async function expectRefused(response: Promise<Response>): Promise<Response> {
    const count = signedIn.length;
    const res = await response;
    assert.equal(res.status, 403);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(signedIn.length, count, 'nobody was signed in');
    assert.equal(
      res.headers.getSetCookie().some((c) => /^closeloop_staff(?!_oidc)/.test(c)),
      false,
    );
    return res;
  }

  /** Begins a sign-in at the hub and goes through the provider, up to (not into) the hub's callback. */
  async function toCallback(browser: Browser, council: string): Promise<string> {
    const res = await browser.get(`${hubUrl}/staff/sign-in/${council}/oidc`);
    assert.equal(res.status, 302);
    return follow(browser, res.headers.get('location')!, council);
  }

  async function follow(browser: Browser, start: string, council: string): Promise<string> {
    let url = start;
    for (let hops = 0; hops < 10; hops++) {
      if (url.startsWith(redirectUri(council))) return url;
      const res = await browser.get(url);
      const location = res.headers.get('location');
      assert.ok(res.status >= 300 && res.status < 400 && location, `expected a redirect from ${url}, got ${res.status}: ${await res.text()}`);
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects');
  }

  /** A browser's cookies, enough for these flows: by origin and name (paths and expiry dates aside). */
  class Browser {
    private readonly jar = new Map<string, Map<string, string>>();

    async get(url: string): Promise<Response> {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(url), accept: 'text/html' } });
      const cookies = this.jar.get(new URL(url).origin) ?? new Map<string, string>();
      this.jar.set(new URL(url).origin, cookies);
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const at = pair!.indexOf('=');
        const name = pair!.slice(0, at).trim();
        const value = pair!.slice(at + 1).trim();
        const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()) || /max-age=0/i.test(line);
        if (expired || !value) cookies.delete(name);
        else cookies.set(name, value);
      }
      return res;
    }

    cookieHeader(url: string): string {
      return [...(this.jar.get(new URL(url).origin) ?? new Map<string, string>())].map(([n, v]) => `${n}=${v}`).join('; ');
    }
  }
});
