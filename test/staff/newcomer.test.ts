// Issue 16's newcomer, step by step as the README's "Staff console" section gives it: `npm start` (the README's
// `npm ci && npm start`, without the install: node_modules is there already) in one terminal, then
// `npx closeloop staff create --email me@example.org --role operator` in another; open the printed one-time link, set a
// name and password, add the account to an authenticator app (otpauth computes the code, as a phone does) — and you are signed in
// at /staff/overview, all within two minutes. A temporary copy of the example council's config and a database of its
// own; the port and address come from PORT and PUBLIC_BASE_URL, as config/closeloop.yaml says they may.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/hub.ts';
import { StaffBrowser, totpCode } from './support.ts';

const run = promisify(execFile);
const TWO_MINUTES = 120_000;

describe('a newcomer signs in to the staff console, as the README says', () => {
  let db: TestDatabase;
  let dir: string;
  let hub: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let base: string;

  before(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'closeloop-newcomer-'));
    await cp('config', join(dir, 'config'), { recursive: true });
    const port = await freePort();
    base = `http://localhost:${port}`;
    env = {
      ...process.env,
      CLOSELOOP_CONFIG: join(dir, 'config', 'closeloop.yaml'),
      DATABASE_URL: db.url,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      DOCUMENTS_PATH: join(dir, 'documents'),
      REDIS_PREFIX: `cltest-newcomer-${port}`,
      LOG_LEVEL: 'warn',
    };
  });

  after(async () => {
    if (hub && hub.exitCode === null) {
      const exited = new Promise((r) => hub!.once('exit', r));
      hub.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('npm start, npx closeloop staff create, the printed link: signed in at /staff within two minutes', { timeout: TWO_MINUTES + 30_000 }, async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Staff console'));
    // The commands this test runs are the README's own.
    const commands = /```sh\n([\s\S]*?)```/
      .exec(section)![1]!
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim());
    assert.equal(commands[0], 'npm ci && npm start');
    assert.equal(commands[1], 'npx closeloop staff create --email me@example.org --role operator');
    assert.match(section, /signed in at `\/staff\/overview`/);

    const started = Date.now();
    // Terminal one: `npm start` builds dist/ (prestart) and runs the compiled hub.
    hub = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    for (;;) {
      const ok = await fetch(`${base}/healthz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      assert.equal(hub.exitCode, null, 'npm start is still running');
      assert.ok(Date.now() - started < TWO_MINUTES, 'the hub answers within two minutes');
      await new Promise((r) => setTimeout(r, 200));
    }

    // Terminal two: the README's command, word for word, through the package's bin.
    const [npx, ...args] = commands[1]!.split(' ');
    const { stdout } = await run(npx!, args, { env });
    const link = /(https?:\/\/\S+\/staff\/invitations\/[A-Za-z0-9_-]{43})/.exec(stdout)?.[1];
    assert.ok(link, `a one-time link is printed: ${stdout}`);
    assert.ok(link.startsWith(`${base}/staff/invitations/`), 'at the hub’s public address');

    // The link: your full name and a password (12 characters or more, twice)…
    const browser = new StaffBrowser(base);
    const invitation = await browser.get(link);
    assert.equal(invitation.status, 200);
    const password = 'a newcomer’s long password';
    assert.match(section, /enter your full name and a password \(12 characters or more,\s+twice\)/);
    assert.match(invitation.html, /<label[^>]*for="name"[^>]*>\s*Full name\s*</);
    assert.match(invitation.html, /<label[^>]*for="confirm"[^>]*>\s*Confirm password\s*</);
    const app = await browser.post(new URL(link).pathname, { name: 'Me Newcomer', password, confirm: password });
    assert.equal(app.status, 200);
    assert.match(app.html, /QR code for your authenticator app/);
    // …then the key shown, typed into an authenticator app, and the 6-digit code it gives.
    const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(app.html)?.[1]?.replace(/ /g, '');
    assert.ok(secret, 'the key is shown for typing in');
    const done = await browser.post(`${new URL(link).pathname}/second-factor`, { code: totpCode(secret) });

    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).pathname, '/staff/overview');
    assert.match(done.html, /<h1[^>]*>\s*Overview\s*<\/h1>/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < TWO_MINUTES, `signed in ${Math.round(elapsed / 1000)} s after npm start: within two minutes`);
    console.log(`signed in ${Math.round(elapsed / 1000)} s after npm start`);

    // /staff itself, as the issue names it, is the console for this person now.
    const staff = await browser.get('/staff');
    assert.equal(new URL(staff.url).pathname, '/staff/overview');
    assert.equal(staff.status, 200);
  });
});
