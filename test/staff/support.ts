// Signs staff in through the real pages: the CLI's invitation link → name and password → the authenticator app's code
// (computed with otpauth, as a phone would) → signed in. A small browser: a cookie jar, redirects followed by hand.
import { Writable } from 'node:stream';
import { Secret, TOTP } from 'otpauth';
import { staffCommand } from '../../core/staff/command.ts';
import { startTestHub, type TestHub, type TestHubOptions } from '../helpers/hub.ts';

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export class StaffBrowser {
  readonly cookies = new Map<string, string>();
  last: Page | null = null;

  /**
   * The browser's address, sent as X-Forwarded-For (the test hub trusts its proxy: see staffTestHub), so attempt
   * limiting per address counts each browser apart, as it would count people at different machines.
   */
  constructor(
    readonly base: string,
    readonly address = `10.${rand()}.${rand()}.${rand()}`,
  ) {}

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>, follow = true): Promise<Page> {
    let url = new URL(path, this.base).toString();
    let init: RequestInit = {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        'x-forwarded-for': this.address,
        cookie: this.cookieHeader(url),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    };
    for (let hops = 0; ; hops++) {
      const res = await fetch(url, init);
      this.keepCookies(res);
      const location = res.headers.get('location');
      if (follow && location && res.status >= 300 && res.status < 400 && hops < 10) {
        url = new URL(location, url).toString();
        init = { method: 'GET', redirect: 'manual', headers: { accept: 'text/html', 'x-forwarded-for': this.address, cookie: this.cookieHeader(url) } };
        continue;
      }
      this.last = { status: res.status, url, html: await res.text(), headers: res.headers };
      return this.last;
    }
  }

  get(path: string, follow = true): Promise<Page> {
    return this.request('GET', path, undefined, follow);
  }

  /** Posts a form with the `_csrf` field of the last page (unless `_csrf` is given, or `csrf: false`). */
  post(path: string, fields: Record<string, string>, options: { csrf?: boolean; follow?: boolean } = {}): Promise<Page> {
    const form = { ...fields };
    if (options.csrf !== false && form._csrf === undefined) form._csrf = this.csrf();
    return this.request('POST', path, form, options.follow ?? true);
  }

  /**
   * Posts a multipart form (a file upload) with the `_csrf` field of the last page first, as a browser sends the form's
   * fields in order (unless `csrf: false`); follows redirects.
   */
  async postMultipart(
    path: string,
    fields: Record<string, string | { bytes: Uint8Array; name: string; type?: string }>,
    options: { csrf?: boolean } = {},
  ): Promise<Page> {
    const form = new FormData();
    if (options.csrf !== false) form.append('_csrf', this.csrf());
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') form.append(k, v);
      else form.append(k, new Blob([new Uint8Array(v.bytes)], { type: v.type ?? 'application/octet-stream' }), v.name);
    }
    const url = new URL(path, this.base).toString();
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', 'x-forwarded-for': this.address, cookie: this.cookieHeader(url) },
      body: form,
    });
    this.keepCookies(res);
    const location = res.headers.get('location');
    if (location && res.status >= 300 && res.status < 400) return this.get(new URL(location, url).pathname + new URL(location, url).search);
    this.last = { status: res.status, url, html: await res.text(), headers: res.headers };
    return this.last;
  }

  /** The `_csrf` hidden field of the last page. */
  csrf(html = this.last?.html ?? ''): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no _csrf field on the page');
    return m[1]!;
  }

  /** The session cookie's value (to check it cannot be reused). */
  sessionCookie(): string | undefined {
    return this.cookies.get('/staff closeloop_staff');
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const key = `${path} ${name}`;
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(key);
      else this.cookies.set(key, value);
    }
  }

  private cookieHeader(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.entries()]
      .filter(([key]) => path.startsWith(key.split(' ')[0]!))
      .map(([key, value]) => `${key.split(' ')[1]}=${value}`)
      .join('; ');
  }
}

function rand(): number {
  return Math.floor(Math.random() * 254) + 1;
}

/** A test hub for staff tests: behind a (pretend) proxy, so each StaffBrowser has an address of its own. */
export function staffTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  return startTestHub({
    ...options,
    configure: (c) => {
      c.server.trustProxy = true;
      options.configure?.(c);
    },
  });
}

export function totpCode(secret: string, at = Date.now()): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
}

const lastStepUsed = new Map<string, number>();

/**
 * A code the hub has not seen yet, as a person would type the next one: a code works once, so a test that signs the same
 * person in again within 30 seconds takes the next time step (the hub allows one step either side), or waits for it.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const ms = Date.now();
    const now = Math.floor(ms / 30_000);
    // The step before is still taken until this one ends: only when that is not close, or a slow round trip (CI's load)
    // crosses into the next step and the code arrives two steps old.
    const earliest = ms - now * 30_000 < 20_000 ? now - 1 : now;
    const step = Math.max(earliest, (lastStepUsed.get(secret) ?? -Infinity) + 1);
    if (step <= now + 1) {
      lastStepUsed.set(secret, step);
      return totpCode(secret, step * 30_000 + 15_000);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface StaffAccount {
  email: string;
  password: string;
  /** Base32, as typed into an authenticator app. */
  secret: string;
  browser: StaffBrowser;
}

/** Runs `closeloop staff create` as the command line does; answers its output and exit code. */
export async function cliStaff(t: TestHub, sub: string, values: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  const code = await staffCommand(
    t.config,
    sub,
    values,
    sink((s) => (out += s)),
    sink((s) => (err += s)),
  );
  return { code, out, err };
}

export function linkIn(output: string): string {
  const m = /(https?:\/\/\S+\/staff\/invitations\/[A-Za-z0-9_-]{43})/.exec(output);
  if (!m) throw new Error(`no invitation link in: ${output}`);
  return m[1]!;
}

let counter = 0;

/**
 * Makes an account with the CLI and goes through its link in a fresh browser: password, then the authenticator app.
 * The browser ends signed in.
 */
export async function signUpStaff(
  t: TestHub,
  options: { role: string; council?: string; services?: string; email?: string; name?: string } = { role: 'operator' },
): Promise<StaffAccount> {
  const email = options.email ?? `staff${++counter}-${Date.now()}@example.org`;
  const values: Record<string, string> = { email, role: options.role };
  if (options.council) values.council = options.council;
  if (options.services) values.services = options.services;
  if (options.name) values.name = options.name;
  const created = await cliStaff(t, 'create', values);
  if (created.code !== 0) throw new Error(`staff create failed: ${created.err}`);
  const browser = new StaffBrowser(t.url);
  const link = linkIn(created.out);
  const page = await browser.get(link);
  if (page.status !== 200) throw new Error(`invitation page: ${page.status}`);
  const password = 'correct horse battery staple';
  const fields: Record<string, string> = { password, confirm: password };
  if (page.html.includes('name="name"')) fields.name = 'Jane Smith';
  const totpPage = await browser.post(new URL(link).pathname, fields);
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(totpPage.html)?.[1]?.replace(/ /g, '');
  if (!secret) throw new Error(`no TOTP key on the page (${totpPage.status})`);
  const done = await browser.post(`${new URL(link).pathname}/second-factor`, { code: await freshTotpCode(secret) });
  if (!done.url.endsWith('/staff/overview') || done.status !== 200) throw new Error(`not signed in after setup: ${done.status} ${done.url}`);
  return { email, password, secret, browser };
}

/** Signs in through the sign-in pages in a fresh browser (both factors). */
export async function signInStaff(t: TestHub, account: Pick<StaffAccount, 'email' | 'password' | 'secret'>): Promise<StaffBrowser> {
  const browser = new StaffBrowser(t.url);
  await browser.get('/staff/sign-in');
  const codePage = await browser.post('/staff/sign-in', { email: account.email, password: account.password });
  if (!codePage.url.endsWith('/staff/sign-in/code')) throw new Error(`password step: ${codePage.status} ${codePage.url}`);
  // A code works once (sign-in.test.ts proves it): a test signing the same person in again within 30 seconds would wait
  // for the next code, so the hub is told to forget the last one (test state only, not the hub's behaviour).
  await t.hub.db.run('update staff_users set totp_last_step = null where email = $1', [account.email.toLowerCase()]);
  lastStepUsed.delete(account.secret);
  const done = await browser.post('/staff/sign-in/code', { code: await freshTotpCode(account.secret) });
  if (!done.url.endsWith('/staff/overview')) throw new Error(`code step: ${done.status} ${done.url}`);
  return browser;
}
