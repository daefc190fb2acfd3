// Security controls: guessing keys or tracking links is rate-limited (429) per client address; keys are stored hashed
// and expiry and revocation hold; every page carries the security headers; the hub serves HTTPS itself with HSTS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { revokeApiKey } from '../../core/auth/api-keys.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
const fakeToken = (i: number) => createHash('sha256').update(`guess-${i}`).digest('base64url');

describe('security controls', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({
      configFile: CONFIG,
      configure: (c) => {
        c.server.trustProxy = true;
        c.server.rateLimits = { ...c.server.rateLimits, failedAuthPerMinute: 5, failedTrackingPerMinute: 5, savedFormsPerHour: 10 };
      },
    });
  });
  after(async () => t?.close());

  const from = (ip: string, headers: Record<string, string> = {}) => ({ headers: { 'x-forwarded-for': ip, ...headers } });

  test('guessing API keys: 429 with Retry-After after the limit, for that address only; good keys neither count nor are refused', async () => {
    const good = await t.key(['*']);
    for (let i = 0; i < 8; i++) assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.1.0.1', { authorization: `Bearer ${good}` }))).status, 200);
    for (let i = 0; i < 5; i++)
      assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.1.0.9', { authorization: `Bearer clk_guess${i}` }))).status, 401);
    const blocked = await fetch(`${t.url}/api/v1/processes`, from('10.1.0.9', { authorization: `Bearer clk_guess-more` }));
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal(
      (await fetch(`${t.url}/api/v1/processes`, from('10.1.0.9', { authorization: `Bearer clk_guess-again` }))).status,
      429,
      'every further guess from the address is refused',
    );
    // A valid key cannot be guessed, so it is let through: a back office behind the same NAT as a misbehaving client keeps working.
    assert.equal(
      (await fetch(`${t.url}/api/v1/processes`, from('10.1.0.9', { authorization: `Bearer ${good}` }))).status,
      200,
      'a valid key still works from that address',
    );
    assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.1.0.10', { authorization: `Bearer ${good}` }))).status, 200, 'another address is not');
  });

  test('behind the trusted proxy the limit counts the address the proxy appended, not a forged first X-Forwarded-For entry', async () => {
    // The client writes the first entries; the proxy appends the address it saw. Rotating a forged first entry must not
    // give a guesser a fresh allowance.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/api/v1/processes`, from(`192.0.2.${i}, 10.5.0.1`, { authorization: `Bearer clk_forged${i}` }));
      assert.equal(res.status, 401);
    }
    const blocked = await fetch(`${t.url}/api/v1/processes`, from('192.0.2.99, 10.5.0.1', { authorization: 'Bearer clk_forged-more' }));
    assert.equal(blocked.status, 429, 'the sixth guess from 10.5.0.1 is refused whatever the first entry says');
  });

  test('guessing tracking links: 429 after the limit on the page and its JSON twin', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${t.url}/track/${fakeToken(i)}`, from('10.2.0.1'))).status, 404);
    for (let i = 3; i < 5; i++) assert.equal((await fetch(`${t.url}/api/v1/track/${fakeToken(i)}`, from('10.2.0.1'))).status, 404);
    assert.equal((await fetch(`${t.url}/api/v1/track/${fakeToken(6)}`, from('10.2.0.1'))).status, 429);
    const page = await fetch(`${t.url}/track/${fakeToken(7)}`, from('10.2.0.1', { accept: 'text/html' }));
    assert.equal(page.status, 429);
    assert.equal((await fetch(`${t.url}/track/${fakeToken(8)}`, from('10.2.0.2'))).status, 404);
  });

  test('keys are stored as hashes only; expired and revoked keys are refused', async () => {
    const key = await t.key(['noise'], { name: 'hash check' });
    const rows = await t.hub.db.rows("select key_hash, key_prefix from api_clients where name = 'hash check'");
    const row = (rows as { key_hash: Buffer; key_prefix: string }[])[0]!;
    assert.deepEqual(row.key_hash, createHash('sha256').update(key).digest());
    assert.ok(key.length > row.key_prefix.length + 30, 'only a short prefix is kept in clear');
    const all = await t.hub.db.rows('select row_to_json(c)::text as j from api_clients c');
    assert.ok(!(all as { j: string }[]).some((r) => r.j.includes(key)), 'the key itself is nowhere in the table');
    const expired = await t.key(['noise'], { expiresAt: new Date(Date.now() - 1000) });
    assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.3.0.1', { authorization: `Bearer ${expired}` }))).status, 401);
    const revoked = await t.key(['noise'], { name: 'to revoke' });
    assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.3.0.2', { authorization: `Bearer ${revoked}` }))).status, 200);
    await revokeApiKey(t.hub.db, revoked.slice(0, 10));
    assert.equal((await fetch(`${t.url}/api/v1/processes`, from('10.3.0.2', { authorization: `Bearer ${revoked}` }))).status, 401);
  });

  test('security headers on every kind of page and response', async () => {
    for (const path of ['/', '/services/noise', `/track/${fakeToken(99)}`, '/api/v1/services', '/no-such-page', '/openapi.json']) {
      const res = await fetch(`${t.url}${path}`, from('10.4.0.1', { accept: 'text/html' }));
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, `${path} CSP`);
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)?.[1] ?? '';
      assert.ok(!scriptSrc.includes("'unsafe-inline'"), `${path}: no inline script allowed (${scriptSrc})`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('strict-transport-security'), null, `${path}: no HSTS over plain HTTP`);
    }
  });
});

describe('HTTPS served by the hub', () => {
  let t: TestHub;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'closeloop-tls-'));
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    t = await startTestHub({ configFile: CONFIG, configure: (c) => void (c.server.tls = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }) });
  });
  after(async () => t?.close());

  test('answers over TLS with HSTS; plain HTTP on that port gets nothing useful', async () => {
    const url = t.url.replace(/^http:/, 'https:');
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      https
        .get(`${url}/healthz`, { rejectUnauthorized: false }, (r) => {
          let body = '';
          r.on('data', (d) => (body += d));
          r.on('end', () => resolve({ status: r.statusCode!, headers: r.headers, body }));
        })
        .on('error', reject);
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d{7,}/);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
    await assert.rejects(
      fetch(`${t.url.replace(/^https:/, 'http:')}/healthz`).then(async (r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status))))),
    );
  });
});
