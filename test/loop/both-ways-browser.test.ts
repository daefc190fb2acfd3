// Issue 18 acceptance, per connector (the webhook receiver, the Alloy fake, the real SOAP peer): a citizen submits;
// once the case is delivered they send a message with a photo from the tracking page in Chromium (no JavaScript; the
// page passes axe) and the back office holds it once — for the webhook, also after a worker SIGKILLed mid-send with
// its answer lost. The back office replies with a public note and a PDF (and a private document): the citizen gets one
// e-mail saying both, downloads the very PDF from the tracking page, and never sees the private document.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { generateWebhookSecret } from '@closeloop/sdk';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { launchBrowser, newPage, runAxe } from '../helpers/browser.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { startSoapBackoffice, type SoapBackoffice } from '../peers/soap-backoffice/index.ts';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { alloyExample, EXAMPLE_CONFIG, exampleAlloyDesigns } from '../helpers/example-backoffices.ts';
import { answers as noiseAnswers } from '../replies/support.ts';
import { isUpdateFor, killWorkerMidUpdate, startWorkerProcess, stopWorkerProcess } from '../replies/worker-crash.ts';

/** Long enough for the note and the document, added one after the other, to share one message. */
const COMBINE_WINDOW_SECONDS = 2;
const PHOTO = { name: 'still-going.png', mimeType: 'image/png', buffer: pngBytes(4000, 'both-ways') };
const MESSAGE = 'It started again at 2am and went on all night.';

interface Submitted {
  processId: string;
  reference: string;
  trackingUrl: string;
}

async function submit(t: TestHub, service: string, answers: Record<string, unknown>): Promise<Submitted> {
  const res = await fetch(`${t.url}/api/v1/services/${service}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Submitted;
}

async function deliveredRef(t: TestHub, processId: string): Promise<string> {
  const d = await waitFor(
    async () => {
      const row = await t.hub.db.row<{ status: string; external_ref: string | null }>('select status, external_ref from deliveries where process_id = $1', [
        processId,
      ]);
      return row?.status === 'delivered' && row;
    },
    'the case delivered',
    30_000,
  );
  return d.external_ref ?? '';
}

/** The citizen, in Chromium without JavaScript: the tracking page passes axe, then the message and photo are sent. */
async function sendFromTrackingPage(browser: Browser, trackingUrl: string): Promise<void> {
  assert.deepEqual(await runAxe(browser, trackingUrl, { javaScriptEnabled: false }), []);
  const guarded = await newPage(browser, { javaScriptEnabled: false });
  try {
    const { page } = guarded;
    await page.goto(trackingUrl);
    await page.getByLabel('Your message').fill(MESSAGE);
    await page.setInputFiles('#files', PHOTO);
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.waitForURL(/\?sent=1$/);
    assert.match(await page.locator('main').innerText(), /Your message has been sent/);
    assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
  } finally {
    await guarded.close();
  }
}

async function updateDelivered(t: TestHub, processId: string): Promise<{ id: string }> {
  return waitFor(
    async () => {
      const u = await t.hub.db.row<{ id: string; status: string }>('select id, status from update_deliveries where process_id = $1', [processId]);
      return u?.status === 'delivered' && u;
    },
    'the update delivered',
    30_000,
  );
}

/** Waits until no message to the citizen is waiting or being sent, and answers how many the SMTP peer holds for the case. */
async function settledMail(t: TestHub, smtp: SmtpPeer, s: Submitted): Promise<number> {
  await waitFor(
    async () =>
      (await t.hub.db.row<{ n: number }>(`select count(*)::int as n from notifications where process_id = $1 and status in ('pending', 'queued', 'sending')`, [
        s.processId,
      ]))!.n === 0,
    'no message waiting',
    30_000,
  );
  return smtp.messages.filter((m) => m.subject.includes(s.reference)).length;
}

interface Added {
  publicPdf: Buffer;
  privateId: string;
}

/** The back office answers over the REST API: a public note, a public PDF and a private document. */
async function replyFromBackOffice(t: TestHub, key: string, processId: string): Promise<Added> {
  const api = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/api/v1/processes/${processId}/${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body });
  const document = async (bytes: Buffer, name: string, title: string, visibleToCitizen: boolean) => {
    const form = new FormData();
    form.set('title', title);
    form.set('visibleToCitizen', String(visibleToCitizen));
    form.set('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
    const res = await api('documents', form);
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };
  const note = await api('notes', JSON.stringify({ text: 'An officer will visit on Monday evening.', visibleToCitizen: true }), {
    'content-type': 'application/json',
  });
  assert.equal(note.status, 201, await note.clone().text());
  const publicPdf = pdfBytes(`Decision letter ${randomBytes(4).toString('hex')}`);
  await document(publicPdf, 'decision-letter.pdf', 'Decision letter', true);
  const privateId = await document(pdfBytes('Officer notes: internal only'), 'officer-notes.pdf', 'Officer notes', false);
  return { publicPdf, privateId };
}

/** One message says both the note and the document; none speaks of the private one. */
async function assertOneEmail(smtp: SmtpPeer, s: Submitted, before: number): Promise<void> {
  const forCase = () => smtp.messages.filter((m) => m.subject.includes(s.reference)).slice(before);
  await smtp.waitFor(() => forCase().some((m) => m.text.includes('Decision letter')), 30_000);
  await new Promise((r) => setTimeout(r, (COMBINE_WINDOW_SECONDS + 1) * 1000));
  const mails = forCase();
  assert.equal(mails.length, 1, 'one e-mail for the note and the document');
  assert.ok(mails[0]!.text.includes('An officer will visit on Monday evening.'), 'the note');
  assert.ok(mails[0]!.text.includes('The council added a document: Decision letter'), 'the document');
  assert.ok(!mails[0]!.text.includes('Officer notes'), 'not the private document');
}

/** The citizen downloads the PDF from the tracking page in Chromium; the private document is neither shown nor served. */
async function downloadFromTrackingPage(browser: Browser, trackingUrl: string, added: Added): Promise<void> {
  const guarded = await newPage(browser, { javaScriptEnabled: false });
  try {
    const { page } = guarded;
    await page.goto(trackingUrl);
    const main = await page.locator('main').innerText();
    assert.match(main, /Documents from the council/);
    assert.ok(!main.includes('Officer notes') && !main.includes('officer-notes.pdf'), 'the private document is not listed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Decision letter' }).click()]);
    assert.equal(download.suggestedFilename(), 'decision-letter.pdf');
    assert.deepEqual(await readFile((await download.path())!), added.publicPdf, 'the same bytes');
    const token = new URL(trackingUrl).pathname.split('/track/')[1]!;
    const privateLink = await page.request.get(new URL(`/track/${token}/documents/${added.privateId}`, trackingUrl).href);
    assert.equal(privateLink.status(), 404, 'the private document is not downloadable');
    assert.ok(!(await privateLink.body()).includes('internal only'));
  } finally {
    await guarded.close();
  }
}

describe('the loop both ways, per connector', () => {
  let browser: Browser;
  let smtp: SmtpPeer;
  before(async () => {
    [browser, smtp] = await Promise.all([launchBrowser(), startSmtpPeer()]);
  });
  after(async () => {
    await browser?.close();
    await smtp?.close();
  });

  describe('webhook back office (worker processes, one killed mid-send)', () => {
    const SECRET = generateWebhookSecret();
    // The fixture council with an e-mail channel and a combine window, its noise service telling citizens by e-mail,
    // in files its worker processes read too.
    let configDir = '';
    let receiver: WebhookReceiver;
    let t: TestHub;
    const workers: ChildProcess[] = [];
    before(async () => {
      const config = parse(await readFile('test/fixtures/config/closeloop.yaml', 'utf8')) as Record<string, unknown>;
      config.channels = {
        email: { channel: 'smtp', config: { host: '127.0.0.1', port: { env: 'SMTP_PORT' }, secure: false, from: 'noise@example.gov.uk' } },
      };
      config.notifications = { combineWindowSeconds: COMBINE_WINDOW_SECONDS, attempts: 3 };
      configDir = await mkdtemp(join(tmpdir(), 'closeloop-both-ways-'));
      await cp('test/fixtures/config/services', join(configDir, 'services'), { recursive: true });
      const noise = join(configDir, 'services', 'noise.yaml');
      await writeFile(noise, `${await readFile(noise, 'utf8')}\nnotify:\n  channel: email\n`);
      Object.assign(config, { xsdDir: resolve('test/fixtures/config/xsd'), plugins: [resolve('connectors/template')] });
      const configFile = join(configDir, 'closeloop.yaml');
      await writeFile(configFile, stringify(config));
      receiver = await startWebhookReceiver(SECRET);
      t = await startTestHub({ configFile, env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET, SMTP_PORT: String(smtp.port) } });
    });
    after(async () => {
      for (const w of workers) await stopWorkerProcess(w, 'SIGKILL');
      await t?.close();
      await receiver?.close();
      if (configDir) await rm(configDir, { recursive: true, force: true });
    });

    test('message and photo held once after a SIGKILL and a lost answer; one e-mail; the PDF downloaded; the private one never shown', async () => {
      const first = startWorkerProcess(t);
      workers.push(first);
      const s = await submit(t, 'noise', noiseAnswers);
      await deliveredRef(t, s.processId);

      const crash = await killWorkerMidUpdate(t, receiver, first, s.processId, () => sendFromTrackingPage(browser, s.trackingUrl));
      workers.push(crash.worker);
      const held = [...receiver.records().values()].filter((r) => isUpdateFor(s.processId)(r.body));
      assert.equal(held.length, 1, 'the back office holds the message once');
      assert.deepEqual([...new Set(crash.attempts.map((r) => r.id))], [crash.updateId], 'one update id on every attempt');
      assert.ok(held[0]!.verified);
      const event = JSON.parse(held[0]!.body) as { data: { message: { text: string }; documents: { name: string }[] } };
      assert.equal(event.data.message.text, MESSAGE);
      assert.deepEqual(
        event.data.documents.map((d) => d.name),
        [PHOTO.name],
      );

      const before = await settledMail(t, smtp, s);
      const added = await replyFromBackOffice(t, await t.key(['noise']), s.processId);
      await assertOneEmail(smtp, s, before);
      await downloadFromTrackingPage(browser, s.trackingUrl, added);
    });
  });

  describe('Alloy and SOAP back offices (the example config)', () => {
    const apiKey = randomBytes(24).toString('base64url');
    let alloy: FakeAlloy;
    let bo: SoapBackoffice;
    let t: TestHub;
    let key: string;
    before(async () => {
      [alloy, bo] = await Promise.all([startFakeAlloy({ apiKey, designs: exampleAlloyDesigns() }), startSoapBackoffice()]);
      t = await startTestHub({
        configFile: EXAMPLE_CONFIG,
        env: {
          ALLOY_BASE_URL: alloy.url,
          ALLOY_API_KEY: apiKey,
          ALLOY_EVENTS_SECRET: randomBytes(24).toString('base64url'),
          ENVHEALTH_SOAP_URL: bo.url,
          ENVHEALTH_SOAP_USER: bo.username,
          ENVHEALTH_SOAP_PASSWORD: bo.password,
          SMTP_PORT: String(smtp.port),
        },
        configure: (c) => {
          c.notifications.combineWindowSeconds = COMBINE_WINDOW_SECONDS;
          const a = c.bindings['alloy-envhealth']!;
          a.retry = { attempts: 5, scheduleSeconds: [0.2] };
          // No polling: only the back office's replies below change the case.
          Object.assign(a.config, { timeoutMs: 1000, requestsPerSecond: 100, poll: { intervalSeconds: 0 } });
          delete a.rateLimit;
          c.bindings['soap-foodsafety']!.retry = { attempts: 4, scheduleSeconds: [0.2] };
        },
        worker: { sweepAfterMs: 500, sweepIntervalMs: 500 },
      });
      key = await t.key(['noise-complaint', 'food-hygiene-complaint']);
    });
    after(async () => {
      await t?.close();
      await alloy?.close();
      await bo?.close();
    });

    test('Alloy: the message on the item once and the photo attached once; one e-mail; the PDF downloaded; the private one never shown', async () => {
      const s = await submit(t, 'noise-complaint', {
        noiseType: 'music',
        noiseSource: { line1: '12 High Street', town: 'Exampleton', postcode: 'EX1 2AB', easting: 452110.95, northing: 304189.75 },
        whenHappens: ['night'],
        frequency: 'weekly',
        startedOn: '2026-10-01',
        impact: 'Bass through the wall until 3am.',
        spokenToNeighbour: 'no',
        fullName: 'Sam Citizen',
        email: 'sam@example.com',
        homeAddress: { line1: '14 High Street', town: 'Exampleton', postcode: 'EX1 2AB' },
      });
      const itemId = await deliveredRef(t, s.processId);
      const filesBefore = (alloy.items.get(itemId)!.attributes.find((a) => a.attributeCode === alloyExample.attachmentsAttribute)?.value as string[]) ?? [];

      await sendFromTrackingPage(browser, s.trackingUrl);
      const update = await updateDelivered(t, s.processId);
      const attribute = (code: string) => alloy.items.get(itemId)!.attributes.find((a) => a.attributeCode === code)?.value;
      const comment = String(attribute(alloyExample.updates.commentAttribute));
      assert.equal(comment.split(`[update ${update.id}]`).length - 1, 1, 'the message appended once');
      assert.equal(comment.split(MESSAGE).length - 1, 1);
      const files = attribute(alloyExample.attachmentsAttribute) as string[];
      assert.equal(files.length, filesBefore.length + 1, 'the photo attached once');
      assert.equal([...alloy.files.values()].filter((f) => f.content.equals(PHOTO.buffer)).length, 1, 'the photo uploaded once');
      assert.deepEqual(alloy.duplicateUploads(), [], 'no file uploaded twice');

      const before = await settledMail(t, smtp, s);
      const added = await replyFromBackOffice(t, key, s.processId);
      await assertOneEmail(smtp, s, before);
      await downloadFromTrackingPage(browser, s.trackingUrl, added);
    });

    test('SOAP: one AddNote and one AddAttachment for the photo; one e-mail; the PDF downloaded; the private one never shown', async () => {
      const s = await submit(t, 'food-hygiene-complaint', {
        businessName: 'The Greasy Spoon',
        businessAddress: { line1: '3 Market Street', town: 'Exampleton', postcode: 'EX1 1AA' },
        complaintType: 'foreign-object',
        purchaseDate: '2026-11-20',
        description: 'A piece of blue plastic in my sandwich.',
        stillHaveFood: 'yes',
        fullName: 'Jo Citizen',
        email: 'jo@example.com',
      });
      const caseRef = await deliveredRef(t, s.processId);

      await sendFromTrackingPage(browser, s.trackingUrl);
      await updateDelivered(t, s.processId);
      const c = bo.cases.get(caseRef)!;
      assert.deepEqual(
        c.notes.map((n) => n.text.includes(MESSAGE)),
        [true],
        'one note with the message',
      );
      assert.deepEqual(
        c.attachments.filter((a) => a.fileName === PHOTO.name).map((a) => a.content.equals(PHOTO.buffer)),
        [true],
        'the photo added once',
      );

      const before = await settledMail(t, smtp, s);
      const added = await replyFromBackOffice(t, key, s.processId);
      await assertOneEmail(smtp, s, before);
      await downloadFromTrackingPage(browser, s.trackingUrl, added);
    });
  });
});
