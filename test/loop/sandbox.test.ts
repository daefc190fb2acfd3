// The example council's sandbox back office: deliveries arrive signed, the page lists them, and its forms act through the
// public API (so the citizen's tracking page shows the change). Forms need the CSRF token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('sandbox back office', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ worker: true });
  });
  after(async () => {
    await t.close();
  });

  test('a submission arrives in the sandbox and a person can act on it through the API', async () => {
    const res = await fetch(`${t.url}/api/v1/services/fly-tipping/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        answers: { location: { easting: 292100, northing: 92300 }, wasteTypes: ['tyres', 'rubble'], amount: 'small-van', blocking: 'no', seenOn: '2026-11-20', sawDumping: 'yes', vehicleRegistration: 'ab12 cde', witnessDescription: 'A white van, about 7am.', fullName: 'Pat Walker', email: 'pat@example.com' },
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { processId, reference, trackingUrl } = (await res.json()) as { processId: string; reference: string; trackingUrl: string };

    let page = '';
    let cookie = '';
    for (let i = 0; i < 100 && !page.includes(reference); i++) {
      const r = await fetch(`${t.url}/sandbox`);
      cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      page = await r.text();
      if (!page.includes(reference)) await new Promise((x) => setTimeout(x, 100));
    }
    assert.ok(page.includes(reference), 'the delivery is listed');
    assert.ok(page.includes(processId));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;

    const refused = await fetch(`${t.url}/sandbox/act/${processId}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=close', redirect: 'manual' });
    assert.equal(refused.status, 403, 'no CSRF token, no change');

    const act = (fields: Record<string, string>) =>
      fetch(`${t.url}/sandbox/act/${processId}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(), redirect: 'manual' });
    assert.equal((await act({ action: 'note', text: 'A crew is booked for Thursday.', visibility: 'public' })).status, 302);
    assert.equal((await act({ action: 'task', taskKey: 'clearance', status: 'completed' })).status, 302);

    const view = (await (await fetch(`${t.url}/api/v1/track/${trackingUrl.split('/track/')[1]}`)).json()) as { status: string; timeline: { text: string }[] };
    assert.ok(view.timeline.some((e) => e.text === 'A crew is booked for Thursday.'));
    assert.ok(view.timeline.some((e) => e.text === 'Clearance: completed'));
    assert.equal(view.status, 'in_progress');

    const key = await t.key(['fly-tipping']);
    const tl = (await (await fetch(`${t.url}/api/v1/processes/${processId}/timeline`, { headers: { authorization: `Bearer ${key}` } })).json()) as { events: { by: string; kind: string }[] };
    assert.ok(tl.events.some((e) => e.kind === 'note' && e.by === 'Sandbox back office'), 'recorded as made by the sandbox key');
    const proc = (await (await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { externalRef: string };
    assert.match(proc.externalRef, /^SBX-\d+$/);
  });

  test('the sandbox inbox refuses unsigned deliveries', async () => {
    const res = await fetch(`${t.url}/sandbox/inbox`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
    assert.equal(res.status, 401);
  });
});
