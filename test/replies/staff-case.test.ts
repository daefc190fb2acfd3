// Issue 18 with the example council: a citizen's message and photo from the tracking page reach the sandbox back office
// (its inbox keeps them under the case's reference), and a caseworker sees them on the case page with the file to
// download and where the update went.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestHub } from '../helpers/hub.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { signUpStaff, staffTestHub, type StaffAccount } from '../staff/support.ts';
import { openTrackingPage, postMessage } from './support.ts';
import { submitNoise } from '../helpers/noise-complaint.ts';

describe('a citizen message on the staff case page (example council, sandbox back office)', () => {
  let t: TestHub;
  let caseworker: StaffAccount;
  before(async () => {
    t = await staffTestHub({ worker: { sweepAfterMs: 500, sweepIntervalMs: 500 } });
    caseworker = await signUpStaff(t, { role: 'caseworker', council: 'default', services: 'noise-complaint', name: 'Jane Smith' });
  });
  after(async () => {
    await t?.close();
  });

  test('the sandbox receives it, the caseworker reads it and downloads the photo', async () => {
    const { processId, reference, trackingUrl } = await submitNoise(t);
    const photo = pngBytes(1500, 'dog');
    const sent = await postMessage(t.url, await openTrackingPage(trackingUrl), 'He barked from 6am.\nStill going.', [
      { name: 'dog at 6am.png', type: 'image/png', bytes: photo },
    ]);
    assert.equal(sent.status, 303);
    await waitFor(
      async () => (await t.hub.db.row<{ status: string }>('select status from update_deliveries where process_id = $1', [processId]))?.status === 'delivered',
      'the update delivered to the sandbox',
    );

    // The citizen is not e-mailed about what they sent themselves (their timeline shows it).
    const told = await t.hub.db.rows<{ updates: { text: string }[] }>('select updates from notifications where process_id = $1', [processId]);
    assert.ok(told.length > 0, 'the citizen has a channel (the confirmation was queued)');
    assert.ok(told.every((n) => n.updates.every((u) => !u.text.startsWith('You sent'))));

    const page = await caseworker.browser.get(`/staff/cases/${processId}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Messages from the citizen/);
    assert.match(page.html, /moj-timeline__title">Message from the citizen/);
    assert.match(page.html, /The citizen sent a message and 1 file/);
    assert.match(page.html, /He barked from 6am\.<br \/>\s*Still going\./);
    assert.match(page.html, /data-status="delivered"/);
    const link = /href="(\/staff\/cases\/[0-9a-f-]+\/documents\/[0-9a-f-]+)" download>dog at 6am\.png</.exec(page.html)?.[1];
    assert.ok(link, 'the photo is linked');
    const file = await caseworker.browser.request('GET', link!);
    assert.equal(file.status, 200);

    // The sandbox's inbox keeps what arrived under the case's reference: the case, then the message with its text.
    const inbox = await t.hub.db.rows<{ body: string }>('select body from sandbox_inbox where reference = $1 order by seq', [reference]);
    assert.equal(inbox.length, 2);
    assert.match(inbox[1]!.body, /<CitizenMessage>[^]*<Text>He barked from 6am\.\nStill going\.<\/Text>[^]*name="dog at 6am\.png"/);
  });
});
