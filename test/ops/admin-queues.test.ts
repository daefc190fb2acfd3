// Operations issue: Bull Board at /admin/queues, for admin keys only (bearer, or the password of HTTP Basic so a browser
// can sign in), its UI from the package (nothing from outside) under its own CSP, and no cross-site changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { launchBrowser } from '../helpers/browser.ts';

const CONFIG = 'test/fixtures/config/closeloop.yaml';
// The webhook binding takes citizens' updates (its own queue); the template's case API does not.
const QUEUES = [
  'alert-digest',
  'connector-polls',
  'deliveries-backoffice',
  'deliveries-casework',
  'notifications',
  'retention',
  'saved-forms',
  'subscriptions',
  'updates-backoffice',
];

const basic = (password: string, user = 'admin') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bull Board at /admin/queues', () => {
  let t: TestHub;
  let admin: string;
  let backOffice: string;
  let browser: Browser | undefined;

  before(async () => {
    t = await startTestHub({ configFile: CONFIG });
    admin = await t.key([], { admin: true, name: 'Ops' });
    backOffice = await t.key(['noise']);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('refused without admin authentication', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/images/logo.svg']) {
      const none = await fetch(`${t.url}${path}`);
      assert.equal(none.status, 401, path);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/, 'a browser is asked for a user name and password');
      assert.ok(!(await none.text()).includes('__UI_CONFIG__'));
    }
    for (const authorization of [`Bearer clk_${'x'.repeat(43)}`, basic(`clk_${'x'.repeat(43)}`), basic(''), 'Basic !!!', `Token ${admin}`]) {
      const res = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization } });
      assert.equal(res.status, 401, authorization);
    }
  });

  test('refused (403) with a key that is not an admin key', async () => {
    for (const authorization of [`Bearer ${backOffice}`, basic(backOffice)]) {
      const res = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization, accept: 'application/json' } });
      assert.equal(res.status, 403, authorization);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
  });

  test('served to an admin key, as bearer or Basic password: the page under its own CSP, and its API lists the queues', async () => {
    for (const authorization of [`Bearer ${admin}`, basic(admin)]) {
      const page = await fetch(`${t.url}/admin/queues`, { headers: { authorization } });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self';/, 'no inline or eval script allowed');
      assert.match(csp, /base-uri 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      const html = await page.text();
      assert.match(html, /<base href="\/admin\/queues\/"/);
      assert.deepEqual(
        html.match(/\b(?:href|src)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/gi),
        null,
        'the page refers to no outside host (Bull Board hard-codes Google Fonts)',
      );
      assert.ok(!/googleapis|gstatic/.test(html));
      assert.match(html, /Test Borough Council queues/);
      const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(scripts.length > 0);
      for (const src of scripts) {
        assert.ok(!/^https?:/.test(src), `${src} is served by the hub`);
        const asset = await fetch(new URL(src, `${t.url}/admin/queues/`), { headers: { authorization } });
        assert.equal(asset.status, 200, src);
        assert.match(asset.headers.get('content-type') ?? '', /javascript/);
      }

      const api = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization } });
      assert.equal(api.status, 200);
      const body = (await api.json()) as { queues: { name: string }[] };
      assert.deepEqual(body.queues.map((q) => q.name).sort(), QUEUES);
    }
  });

  test("the dashboard reads the hub's queues under its Redis prefix", async () => {
    const res = await fetch(`${t.url}/api/v1/services/noise/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { noiseType: 'dog', description: 'Barking', source: { line1: '1 Road', postcode: 'EX1 1AA' }, started: '2026-01-02' } }),
    });
    assert.equal(res.status, 201);
    // No worker runs here: put a job on the hub's queue the way the relay does, then see it through the dashboard.
    const { Queues, deliveryQueueName } = await import('../../core/jobs/index.ts');
    const { Redis } = await import('ioredis');
    const redis = new Redis(t.config.redis.url, { maxRetriesPerRequest: null });
    const queues = new Queues(redis, t.config.redis.prefix);
    try {
      await queues.get(deliveryQueueName('backoffice')).add('deliver', { id: 'x' }, { jobId: 'job-for-dashboard' });
      const api = await fetch(`${t.url}/admin/queues/api/queues?activeQueue=deliveries-backoffice&status=waiting`, {
        headers: { authorization: basic(admin) },
      });
      const q = ((await api.json()) as { queues: { name: string; counts: Record<string, number>; jobs: { id: string }[] }[] }).queues.find(
        (x) => x.name === 'deliveries-backoffice',
      )!;
      assert.equal(q.counts.waiting, 1);
      assert.deepEqual(
        q.jobs.map((j) => j.id),
        ['job-for-dashboard'],
      );
    } finally {
      await queues.get(deliveryQueueName('backoffice')).obliterate({ force: true });
      await queues.close();
      await redis.quit();
    }
  });

  test('changes through Basic credentials must come from the dashboard itself (no cross-site request)', async () => {
    const pause = (headers: Record<string, string>) => fetch(`${t.url}/admin/queues/api/queues/deliveries-casework/pause`, { method: 'PUT', headers });
    assert.equal((await pause({ authorization: basic(admin), origin: 'https://evil.example' })).status, 403);
    assert.equal((await pause({ authorization: basic(admin), 'sec-fetch-site': 'cross-site' })).status, 403);
    const { Queues, deliveryQueueName } = await import('../../core/jobs/index.ts');
    const { Redis } = await import('ioredis');
    const redis = new Redis(t.config.redis.url, { maxRetriesPerRequest: null });
    const queue = new Queues(redis, t.config.redis.prefix).get(deliveryQueueName('casework'));
    try {
      assert.equal(await queue.isPaused(), false, 'the refused requests changed nothing');
      const ok = await pause({ authorization: basic(admin), origin: t.url, 'sec-fetch-site': 'same-origin' });
      assert.ok(ok.status < 300, `same-origin pause answered ${ok.status}`);
      assert.equal(await queue.isPaused(), true);
      const resume = await fetch(`${t.url}/admin/queues/api/queues/deliveries-casework/resume`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.ok(resume.status < 300, 'a bearer key is not sent by browsers on their own: no origin needed');
      assert.equal(await queue.isPaused(), false);
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await redis.quit();
    }
  });

  test('in a browser: Basic sign-in, the queues render, nothing loads from outside, no console error at all', async () => {
    browser = await launchBrowser();
    // Like helpers/browser.ts newPage, with the admin key as the Basic password the browser is asked for.
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: admin } });
    const blocked: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      const res = await page.goto(`${t.url}/admin/queues`);
      assert.equal(res?.status(), 200);
      for (const name of QUEUES) await page.getByText(name, { exact: true }).first().waitFor({ timeout: 20_000 });
      // Open one queue: its page loads more of the app (lazy chunks, the queue's API) under the same CSP.
      await page.getByText('deliveries-casework', { exact: true }).first().click();
      await page.waitForURL(/\/admin\/queues\/queue\/deliveries-casework/);
      await page
        .getByText(/no .*jobs/i)
        .first()
        .waitFor({ timeout: 20_000 });
      await page.waitForLoadState('networkidle');
      assert.deepEqual(blocked, [], 'nothing requested from outside');
      assert.deepEqual(errors, [], 'no console error (no CSP violation either: no Google Fonts stylesheet to refuse)');
    } finally {
      await context.close();
    }
  });
});
