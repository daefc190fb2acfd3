// Issue 18, "Save and come back later", over HTTP without JavaScript: the button on a question page keeps that page's
// answers and file, the e-mail page refuses a bad address in GOV.UK words, the link arrives through the notification
// outbox and SMTP, opening it uses nothing up, its Continue (POST, CSRF) restores the answers and file into a fresh
// browser's form once, a second use and an expired link get clear 410 pages, expiry erases answers and files, saves are
// rate-limited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { Queue } from 'bullmq';
import { createRedis } from '../../core/redis.ts';
import { SAVED_FORMS_QUEUE } from '../../core/jobs/index.ts';
import { saveAndReturnOf, serviceDefinitionSchema } from '../../core/services/index.ts';
import { decode, errorsOf, FormClient, headingOf, type PageResponse } from './form-client.ts';

const FOOD = '/services/food-hygiene-complaint';
const UK_DATE_TIME =
  /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4} at (\d{1,2}(:\d{2})?(am|pm)|midday|midnight)\b/;
/** Saves allowed per hour in this hub (per address and per client): the last test uses up the rest. */
const SAVES_PER_HOUR = 5;
/** The first test's receipt, which becomes a sent form's document. */
const JOURNEY_PHOTO = pngBytes(4000, 'save-journey');

function redirectsTo(r: PageResponse, path: string, what: string) {
  assert.equal(r.status, 302, `${what}: ${r.status} ${r.html.slice(0, 300)}`);
  assert.equal(new URL(r.location!, 'http://x').pathname, path, what);
}

/** Pages 1 and 2 of the food complaint, then page 3 with a receipt, left with "Save and come back later". */
async function saveOnPage3(c: FormClient, business: string, photo: Buffer): Promise<PageResponse> {
  await c.get(FOOD);
  redirectsTo(
    await c.answer(`${FOOD}/the-business`, { businessName: business, 'businessAddress[line1]': '1 High Street', 'businessAddress[postcode]': 'EX1 1AA' }),
    `${FOOD}/the-complaint`,
    'page 1',
  );
  redirectsTo(
    await c.answer(`${FOOD}/the-complaint`, { complaintType: 'premises', 'purchaseDate-day': '2', 'purchaseDate-month': '11', 'purchaseDate-year': '2026' }),
    `${FOOD}/details`,
    'page 2 (no illness page for premises)',
  );
  const page3 = await c.get(`${FOOD}/details`);
  assert.ok(page3.html.includes('Save and come back later'), 'the button is on the question page');
  const saved = await c.answer(`${FOOD}/details`, { description: 'Dirty kitchen seen from the counter.', stillHaveFood: 'no', saveAndReturn: '1' }, [
    { field: 'evidence', filename: 'receipt.png', bytes: photo, type: 'image/png' },
  ]);
  redirectsTo(saved, `${FOOD}/save-and-return`, 'Save and come back later');
  return saved;
}

/** The e-mail page's form, filled in with `email` and sent. */
async function giveEmail(c: FormClient, savedAt: PageResponse, email: string): Promise<PageResponse> {
  const at = new URL(savedAt.location!, 'http://x');
  const page = await c.get(at.pathname + at.search);
  assert.equal(page.status, 200, `the e-mail page: ${page.status}`);
  const action = /<form[^>]*action="([^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  return c.postForm(action, { _csrf: csrf, email });
}

describe('save and come back later: the service definition', () => {
  test("saveAndReturn is optional (offered for 7 days), bounded, and no page may take the save page's address", () => {
    const base = { id: 'x', title: 'X', referencePrefix: 'XX', tasks: [{ key: 'a', title: 'A' }], fields: [{ id: 'a', type: 'text', label: 'A' }] };
    const plain = serviceDefinitionSchema.parse(base);
    assert.equal(plain.saveAndReturn, undefined, 'nothing written in: stored definitions keep their content hash');
    assert.deepEqual(saveAndReturnOf(plain), { enabled: true, expiresAfterDays: 7 });
    assert.deepEqual(saveAndReturnOf(serviceDefinitionSchema.parse({ ...base, saveAndReturn: { expiresAfterDays: 14 } })), {
      enabled: true,
      expiresAfterDays: 14,
    });
    for (const bad of [0, 91, 1.5])
      assert.equal(serviceDefinitionSchema.safeParse({ ...base, saveAndReturn: { expiresAfterDays: bad } }).success, false, String(bad));
    const taken = serviceDefinitionSchema.safeParse({ ...base, fields: [{ id: 'a', type: 'text', label: 'A', page: 'save-and-return' }] });
    assert.match(taken.error!.issues[0]!.message, /"save-and-return" is the address of one of the form's own pages/);
  });
});

describe('save and come back later', () => {
  let t: TestHub;
  let smtp: SmtpPeer;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({
      env: { SMTP_PORT: String(smtp.port) },
      worker: true,
      configure: (c) => void (c.server.rateLimits.savedFormsPerHour = SAVES_PER_HOUR),
    });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** The link in the saved-form e-mail sent to `email`. */
  async function linkSentTo(email: string): Promise<string> {
    await smtp.waitFor((ms) => ms.some((m) => m.to.includes(email) && m.subject.startsWith('Continue your form')), 30_000);
    const mail = smtp.messages.find((m) => m.to.includes(email) && m.subject.startsWith('Continue your form'))!;
    return new URL(/http:\/\/\S+\/return\/[A-Za-z0-9_-]{43}/.exec(mail.text)![0]).pathname;
  }

  test('save on page 3 with a file, continue in a fresh browser, send: one process with the file; the link then says "already used"', async () => {
    const first = new FormClient(t.url);
    const saved = await saveOnPage3(first, 'Greasy Spoon Cafe', JOURNEY_PHOTO);

    // The e-mail page, in GOV.UK words.
    const emailPage = await first.get(new URL(saved.location!, 'http://x').pathname);
    assert.equal(emailPage.status, 200);
    assert.equal(headingOf(emailPage.html), 'Save your answers and come back later');
    assert.match(decode(emailPage.html), UK_DATE_TIME, 'says until when, as "11 December 2026 at 3:05pm"');
    for (const bad of ['', 'not-an-address', 'jo@example']) {
      const refused = await giveEmail(first, saved, bad);
      assert.equal(refused.status, 422, `"${bad}"`);
      assert.deepEqual(errorsOf(refused.html), {
        summary: ['Enter an email address in the correct format, like name@example.com'],
        inline: ['Enter an email address in the correct format, like name@example.com'],
      });
    }
    assert.equal(await t.hub.db.row(`select 1 from saved_forms`), undefined, 'nothing saved for a refused address');

    const sent = await giveEmail(first, saved, 'saver@example.com');
    redirectsTo(sent, `${FOOD}/save-and-return/sent`, 'the address accepted');
    const confirmation = decode((await first.get(`${FOOD}/save-and-return/sent`)).html);
    assert.ok(confirmation.includes('Your answers have been saved'));
    assert.match(confirmation, /We (are sending|have sent) a link to saver@example\.com\./);
    // The answers left this browser: its form starts empty.
    const emptied = await first.get(`${FOOD}/the-business`);
    assert.ok(!emptied.html.includes('Greasy Spoon Cafe'), 'the first browser keeps no answers');

    const [row] = (await t.hub.db.rows(`select answers, files, email, expires_at from saved_forms`)) as {
      answers: Record<string, unknown>;
      files: { name: string; key: string }[];
      email: string;
      expires_at: Date;
    }[];
    assert.equal(row!.answers.businessName, 'Greasy Spoon Cafe');
    assert.deepEqual(
      row!.files.map((f) => f.name),
      ['receipt.png'],
    );
    const days = (row!.expires_at.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires after the default 7 days (${days})`);

    const link = await linkSentTo('saver@example.com');
    await waitFor(
      async () => decode((await first.get(`${FOOD}/save-and-return/sent`)).html).includes('We have sent a link to saver@example.com.'),
      'the page to say the link was sent',
    );
    const mail = smtp.messages.find((m) => m.to.includes('saver@example.com'))!;
    assert.equal(mail.subject, 'Continue your form: Complain about food or a food business');
    assert.match(mail.text, UK_DATE_TIME);
    const token = link.split('/').pop()!;
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 random bits');
    const stored = await t.hub.db.row<{ token_hash: Buffer }>(`select token_hash from saved_forms`);
    assert.deepEqual(stored!.token_hash, createHash('sha256').update(token).digest(), 'only the SHA-256 of the link is stored');

    // A fresh browser: opening the link (as an e-mail scanner would) uses nothing up.
    const second = new FormClient(t.url);
    for (let i = 0; i < 2; i++) {
      const opened = await second.get(link);
      assert.equal(opened.status, 200);
      assert.equal(headingOf(opened.html), 'Continue your form');
      assert.equal(opened.html.match(/<form/g)?.length, 1);
    }
    // Continue without the form's token is refused and uses nothing up.
    const forged = await fetch(`${t.url}${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_csrf=x',
      redirect: 'manual',
    });
    assert.equal(forged.status, 403);
    const restored = await second.postForm(link, { _csrf: await second.csrfOf(link) });
    redirectsTo(restored, `${FOOD}/your-details`, 'Continue goes to the first unanswered page');

    const check = decode((await second.get(`${FOOD}/check-answers`)).html);
    for (const answer of ['Greasy Spoon Cafe', 'Dirty kitchen seen from the counter.', 'receipt.png']) assert.ok(check.includes(answer), `restored: ${answer}`);
    redirectsTo(await second.answer(`${FOOD}/your-details`, { fullName: 'Sam Saver', email: 'saver@example.com' }), `${FOOD}/check-answers`, 'your details');
    redirectsTo(await second.send('food-hygiene-complaint'), `${FOOD}/confirmation`, 'sending');

    const processes = (await t.hub.db.rows(`select id from processes where answers->>'businessName' = 'Greasy Spoon Cafe'`)) as { id: string }[];
    assert.equal(processes.length, 1, 'exactly one process');
    const docs = await t.hub.db.rows(`select name, field_id from documents where process_id = $1 and kind = 'evidence'`, [processes[0]!.id]);
    assert.deepEqual(docs, [{ name: 'receipt.png', field_id: 'evidence' }], 'with the file');

    // The link again, in either browser: a clear "already used" page, and the saved row keeps nothing.
    for (const c of [second, new FormClient(t.url)]) {
      const again = await c.get(link);
      assert.equal(again.status, 410);
      assert.equal(headingOf(again.html), 'This link has already been used');
    }
    const reposted = await second.postForm(link, { _csrf: await second.csrfOf(`${FOOD}/the-business`) });
    assert.equal(reposted.status, 410, 'a second Continue');
    const used = await t.hub.db.row<{ answers: object; files: unknown[]; email: string | null }>(`select answers, files, email from saved_forms`);
    assert.deepEqual(used, { answers: {}, files: [], email: null });
  });

  test('two Continue clicks at once: one restores the form, the other gets the "already used" page', async () => {
    const c = new FormClient(t.url);
    await giveEmail(c, await saveOnPage3(c, 'Double Click Diner', pngBytes(3000, 'save-double')), 'double@example.com');
    const link = await linkSentTo('double@example.com');
    const fresh = new FormClient(t.url);
    const csrf = await fresh.csrfOf(link);
    const results = await Promise.all([fresh.postForm(link, { _csrf: csrf }), fresh.postForm(link, { _csrf: csrf })]);
    assert.deepEqual(results.map((r) => r.status).sort(), [302, 410]);
  });

  test("an expired link says so; the hourly job (run through the worker's queue) erases its answers, address and file", async () => {
    const c = new FormClient(t.url);
    const photo = pngBytes(3500, 'save-expiry');
    await giveEmail(c, await saveOnPage3(c, 'Expired Eatery', photo), 'late@example.com');
    const link = await linkSentTo('late@example.com');
    const row = await t.hub.db.row<{ id: string; files: { key: string }[] }>(`select id, files from saved_forms where email = 'late@example.com'`);
    const key = row!.files[0]!.key;
    // Another saved form holds the same bytes as the first test's sent receipt (one blob, content-addressed).
    await giveEmail(c, await saveOnPage3(c, 'Shared Receipt Shop', JOURNEY_PHOTO), 'shared@example.com');
    await linkSentTo('shared@example.com');
    const shared = await t.hub.db.row<{ id: string; key: string }>(`select id, files->0->>'key' as key from saved_forms where email = 'shared@example.com'`);
    await t.hub.db.run(`update saved_forms set expires_at = now() - interval '1 minute' where email = 'shared@example.com'`);
    assert.ok(await t.hub.store.exists(key), 'the file is kept while the form is saved');

    await t.hub.db.run(`update saved_forms set expires_at = now() - interval '1 minute' where id = $1`, [row!.id]);
    const fresh = new FormClient(t.url);
    const opened = await fresh.get(link);
    assert.equal(opened.status, 410);
    assert.equal(headingOf(opened.html), 'This link has expired');
    assert.equal((await fresh.postForm(link, { _csrf: await fresh.csrfOf(`${FOOD}/the-business`) })).status, 410, 'Continue on an expired link');

    // The worker keeps an hourly scheduler; what it runs every hour, now.
    const connection = createRedis(t.config.redis, 'worker');
    const queue = new Queue(SAVED_FORMS_QUEUE, { connection, prefix: t.config.redis.prefix });
    try {
      const schedulers = await queue.getJobSchedulers(0, -1);
      assert.deepEqual(
        schedulers.map((s) => [s.key, Number(s.every)]),
        [['saved-forms-expiry', 3_600_000]],
      );
      await queue.add('expire', {});
      // The row is erased in one transaction, the file removed just after it.
      await waitFor(
        async () => !!(await t.hub.db.row(`select 1 from saved_forms where id = $1 and erased_at is not null`, [row!.id])) && !(await t.hub.store.exists(key)),
        'the expiry job',
      );
    } finally {
      await queue.close();
      await connection.quit();
    }
    const erased = await t.hub.db.row(`select answers, files, email, erased_at is not null as erased from saved_forms where id = $1`, [row!.id]);
    assert.deepEqual(erased, { answers: {}, files: [], email: null, erased: true });
    assert.equal(await t.hub.store.exists(key), false, 'the file is gone');
    assert.equal(await t.hub.store.exists(shared!.key), true, "a file a sent form's document shares is kept");
    assert.deepEqual(await t.hub.db.row(`select answers, files, email, erased_at is not null as erased from saved_forms where id = $1`, [shared!.id]), erased);
    assert.equal((await fresh.get(link)).status, 410, 'the link still says it expired');
  });

  test('unknown links get a 404 page; saves past the hourly limit get 429', async () => {
    const c = new FormClient(t.url);
    const unknown = await c.get(`/return/${'A'.repeat(43)}`);
    assert.equal(unknown.status, 404);
    assert.equal(headingOf(unknown.html), 'This link does not work');

    // Four saves above; the fifth is allowed, the sixth is refused.
    redirectsTo(
      await giveEmail(c, await saveOnPage3(c, 'Limit One', pngBytes(2000, 'limit-1')), 'limit@example.com'),
      `${FOOD}/save-and-return/sent`,
      'the fifth save this hour',
    );
    const refused = await giveEmail(c, await saveOnPage3(c, 'Limit Two', pngBytes(2000, 'limit-2')), 'limit@example.com');
    assert.equal(refused.status, 429);
    assert.ok(decode(refused.html).includes('Try again later'), refused.html.slice(0, 500));
  });
});
