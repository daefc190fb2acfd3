// Issue 18: "Add a document" on a case's page in the staff console. A caseworker uploads a file, says whether the
// citizen can see it, and the citizen is told by e-mail and downloads it from the tracking page; a private one never
// reaches them. Missing, oversized and mistyped files get GOV.UK error messages and store nothing; the form needs the
// session's CSRF token and a role that may change cases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { axeOnPage, launchBrowser, newPage } from '../helpers/browser.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pdfBytes, pngBytes } from '../helpers/files.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from './support.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;|’/g, "'")
    .replace(/&ldquo;|&rdquo;|“|”/g, '"')
    .replace(/\s+/g, ' ');

/** Every file in the document store (the blobs of refused uploads must not stay behind). */
async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out.sort();
}

describe('staff console: add a document to a case', () => {
  let smtp: SmtpPeer;
  let t: TestHub;
  let caseworker: StaffAccount;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await staffTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  const councilDocs = async (processId: string) =>
    ((await t.hub.db.rows(`select count(*)::int as n from documents where process_id = $1 and kind = 'council'`, [processId])) as { n: number }[])[0]!.n;

  test('missing, mistyped and oversized files get GOV.UK error messages; nothing is stored', async () => {
    const { processId } = await submitNoise(t);
    const b = caseworker.browser;
    const page = await b.get(`/staff/cases/${processId}`);
    assert.match(page.html, /<h3 class="govuk-heading-s" id="add-document">Add a document<\/h3>/);
    assert.match(page.html, /enctype="multipart\/form-data"/);
    const files = await storedFiles(t.config.paths.documents);

    const empty = await b.postMultipart(`/staff/cases/${processId}/documents`, { title: 'A title kept' });
    assert.equal(empty.status, 400);
    assert.match(empty.html, /There is a problem/);
    assert.match(empty.html, /<title>Error: /);
    assert.match(empty.html, /href="#document-file">Select a file</);
    assert.match(empty.html, /href="#document-visibility">Select whether the citizen can see the document</);
    assert.match(empty.html, /id="document-title"[^>]*value="A title kept"/, 'what was typed is kept');

    await b.get(`/staff/cases/${processId}`);
    const mistyped = await b.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: Buffer.from('<html><body>not a letter</body></html>'), name: 'letter.pdf', type: 'application/pdf' },
      visibility: 'public',
    });
    assert.equal(mistyped.status, 400);
    assert.match(text(mistyped.html), /The selected file must be a PDF, JPG, PNG, Word \(\.docx\) or OpenDocument text file/);
    assert.match(mistyped.html, /id="document-visibility"[^>]*value="public" checked/, 'the choice is kept');

    await b.get(`/staff/cases/${processId}`);
    const oversized = await b.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: pngBytes(10 * 1024 * 1024 + 100), name: 'huge.png', type: 'image/png' },
      visibility: 'private',
    });
    assert.equal(oversized.status, 400);
    assert.match(text(oversized.html), /The selected file must be smaller than 10 MB/);

    await b.get(`/staff/cases/${processId}`);
    const longTitle = await b.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: pdfBytes(), name: 'a.pdf' },
      title: 'x'.repeat(201),
      visibility: 'private',
    });
    assert.equal(longTitle.status, 400);
    assert.match(text(longTitle.html), /The title must be 200 characters or fewer/);

    assert.equal(await councilDocs(processId), 0);
    assert.deepEqual(await storedFiles(t.config.paths.documents), files, 'no file of a refused upload stays in the store');
  });

  test('a public document reaches the citizen: e-mail, tracking page and download; a private one never does', async () => {
    const { processId, reference, token } = await submitNoise(t);
    const b = caseworker.browser;
    await b.get(`/staff/cases/${processId}`);
    const pdf = pdfBytes('Decision letter for 3 Kennel Row');
    const added = await b.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: pdf, name: 'decision-letter.pdf', type: 'application/pdf' },
      title: 'Decision letter',
      visibility: 'public',
    });
    assert.equal(added.status, 200, text(added.html).slice(0, 500));
    assert.ok(added.url.endsWith(`/staff/cases/${processId}?done=public-document`));
    assert.match(text(added.html), /Document added\. The citizen can download it from their tracking page and is told by message\./);
    const row = /<tr class="govuk-table__row" data-document="([0-9a-f-]{36})">((?:(?!<\/tr>)[\s\S])*Decision letter[\s\S]*?)<\/tr>/.exec(added.html);
    assert.ok(row, 'the document is listed on the case');
    assert.match(text(row[2]!), /Decision letter decision-letter\.pdf From the council The citizen sees this/);
    assert.match(text(added.html), /Document added The citizen sees this by Jane Smith \(staff\)/);

    await b.get(`/staff/cases/${processId}`);
    const privately = await b.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: pngBytes(3000, 'private'), name: 'officer-photo.png', type: 'image/png' },
      title: 'PRIVATE officer photo',
      visibility: 'private',
    });
    assert.equal(privately.status, 200);
    assert.match(text(privately.html), /Document added\. Only staff and back offices can see it\./);
    const privateId = /data-document="([0-9a-f-]{36})">(?:(?!<\/tr>)[\s\S])*PRIVATE officer photo/.exec(privately.html)?.[1];
    assert.ok(privateId);
    assert.equal(await councilDocs(processId), 2);

    // The citizen is told of the public one only.
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.text.includes('The council added a document: Decision letter')));
    assert.deepEqual(smtp.messages.find((m) => m.text.includes('The council added a document'))?.to, ['alex@example.com']);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!smtp.messages.some((m) => m.raw.includes('PRIVATE')), 'no message names the private document');

    // The tracking page lists the public one with a download link; the private one is neither listed nor downloadable.
    const tracking = await (await fetch(`${t.url}/track/${token}`)).text();
    assert.match(text(tracking), /Documents from the council Decision letter/);
    assert.ok(!tracking.includes('PRIVATE') && !tracking.includes(privateId!));
    const link = new RegExp(`href="(/track/${token}/documents/[0-9a-f-]{36})"`).exec(tracking)?.[1];
    assert.ok(link);
    const download = await fetch(`${t.url}${link}`);
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="decision-letter\.pdf"/);
    assert.equal(download.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), pdf);
    assert.equal((await fetch(`${t.url}/track/${token}/documents/${privateId}`)).status, 404);

    // Staff download either from the case page.
    const staffCopy = await b.get(`/staff/cases/${processId}/documents/${privateId}`);
    assert.equal(staffCopy.status, 200);
  });

  test('the form needs the session’s CSRF token and a role that may change cases', async () => {
    const { processId } = await submitNoise(t);
    const b = caseworker.browser;
    await b.get(`/staff/cases/${processId}`);
    const forged = await b.postMultipart(
      `/staff/cases/${processId}/documents`,
      { file: { bytes: pdfBytes(), name: 'a.pdf' }, visibility: 'public' },
      { csrf: false },
    );
    assert.equal(forged.status, 403);

    const auditor = await signUpStaff(t, { role: 'auditor', council: 'default' });
    const read = await auditor.browser.get(`/staff/cases/${processId}`);
    assert.equal(read.status, 200);
    assert.ok(!read.html.includes('id="document-form"'), 'an auditor is not offered the form');
    const refused = await auditor.browser.postMultipart(`/staff/cases/${processId}/documents`, {
      file: { bytes: pdfBytes(), name: 'a.pdf' },
      visibility: 'public',
    });
    assert.equal(refused.status, 403);

    const signedOut = await fetch(`${t.url}/staff/cases/${processId}/documents`, { method: 'POST', body: new FormData() });
    assert.equal(signedOut.status, 403);
    assert.equal(await councilDocs(processId), 0);
  });

  test('in Chromium, with and without JavaScript: the form, its errors, the case page and the tracking page are axe clean', async () => {
    const browser: Browser = await launchBrowser();
    try {
      for (const js of [true, false]) {
        const { processId, token } = await submitNoise(t);
        const guarded = await newPage(browser, { javaScriptEnabled: js, bypassCSP: true });
        const page = guarded.page;
        const violations: string[] = [];
        const check = async () => {
          if (!js) return;
          for (const v of await axeOnPage(page)) violations.push(`${page.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        };
        try {
          await guarded.context.addCookies([{ name: 'closeloop_staff', value: caseworker.browser.sessionCookie()!, domain: '127.0.0.1', path: '/staff' }]);
          await page.goto(`${t.url}/staff/cases/${processId}`);
          await check();
          await page.locator('#document-form').getByRole('button', { name: 'Add document' }).click();
          await page.waitForLoadState();
          assert.match(await page.locator('.govuk-error-summary').innerText(), /Select a file/);
          await check();
          await page.locator('#document-file').setInputFiles({ name: 'notice.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Notice') });
          await page.getByLabel('Title (optional)').fill('Notice of entry');
          await page.locator('#document-visibility').check();
          await page.locator('#document-form').getByRole('button', { name: 'Add document' }).click();
          await page.waitForURL(/done=public-document/);
          assert.match(await page.locator('#documents ~ table').first().innerText(), /Notice of entry/);
          await check();
          await page.goto(`${t.url}/track/${token}`);
          assert.match(await page.locator('#council-documents-list').innerText(), /Notice of entry/);
          await check();
          assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
          assert.deepEqual(violations, [], 'axe found no violations');
        } finally {
          await guarded.close();
        }
      }
    } finally {
      await browser.close();
    }
  });
});
