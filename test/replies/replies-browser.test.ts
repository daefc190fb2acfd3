// Issue 18 in a real browser: the citizen writes a message and adds a photo on the tracking page (with JavaScript and
// without), the webhook back office receives one signed citizen.message with the photo's link, the page says it was
// sent and shows it; the page with the form and its error state pass axe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { generateWebhookSecret } from '@closeloop/sdk';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../peers/webhook-receiver.ts';
import { launchBrowser, newPage, runAxe, axeOnPage } from '../helpers/browser.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { submitNoise } from './support.ts';

const SECRET = generateWebhookSecret();

describe('citizen replies in the browser', () => {
  let receiver: WebhookReceiver;
  let t: TestHub;
  let browser: Browser;
  before(async () => {
    receiver = await startWebhookReceiver(SECRET);
    t = await startTestHub({
      configFile: 'test/fixtures/config/closeloop.yaml',
      env: { TEST_WEBHOOK_URL: receiver.url, TEST_WEBHOOK_SECRET: SECRET },
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  const messagesTo = (processId: string) =>
    receiver.requests.filter((r) => r.body.startsWith('{"type":"citizen.message"') && r.body.includes(processId) && r.answeredWith === 200);

  for (const javaScriptEnabled of [true, false]) {
    test(`a message and a photo from the tracking page reach the back office once (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const { processId, trackingUrl } = await submitNoise(t);
      const guarded = await newPage(browser, { javaScriptEnabled });
      try {
        const { page } = guarded;
        await page.goto(trackingUrl);
        await page.getByLabel('Your message').fill('The bass is still shaking the windows.');
        await page.setInputFiles('#files', { name: 'windows.png', mimeType: 'image/png', buffer: pngBytes(3000, `w${javaScriptEnabled}`) });
        await page.getByRole('button', { name: 'Send message' }).click();
        await page.waitForURL(/\?sent=1$/);
        const main = await page.locator('main').innerText();
        assert.match(main, /Your message has been sent/);
        assert.match(main, /You sent a message and 1 file/);
        assert.match(main, /The bass is still shaking the windows\./);
        assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside');
      } finally {
        await guarded.close();
      }
      await waitFor(() => messagesTo(processId).length > 0, 'the citizen.message event');
      await new Promise((r) => setTimeout(r, 500));
      const got = messagesTo(processId);
      assert.equal(got.length, 1, 'received once');
      assert.ok(got[0]!.verified);
      const event = JSON.parse(got[0]!.body) as { data: { message: { text: string }; documents: { name: string }[] } };
      assert.equal(event.data.message.text, 'The bass is still shaking the windows.');
      assert.deepEqual(
        event.data.documents.map((d) => d.name),
        ['windows.png'],
      );
    });
  }

  test('the tracking page with its form, and with an error, passes axe', async () => {
    const { trackingUrl } = await submitNoise(t);
    assert.deepEqual(await runAxe(browser, trackingUrl), []);
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(trackingUrl);
      await page.getByRole('button', { name: 'Send message' }).click();
      await page.locator('.govuk-error-summary').waitFor();
      assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter a message or select a file/);
      assert.deepEqual(await axeOnPage(page), []);
    } finally {
      await context.close();
    }
  });
});
