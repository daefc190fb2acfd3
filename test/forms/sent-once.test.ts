// Issue 14, citizen pages 1, 2 and the confirmation's wording: a sent form is sent once. After "Accept and send", every
// page of the form shows the confirmation (a stale tab, a change link, a second click), never a second process and never
// a 500, also with an uploaded file; the session keeps no answers; the confirmation says an e-mail "has been sent" only
// once it has; e-mails and pages say "your noise report", with dates as "1 October 2026".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-server.ts';
import { pngBytes } from '../helpers/files.ts';
import { waitFor } from '../helpers/wait.ts';
import { decode, FormClient, headingOf, type PageResponse } from './form-client.ts';

const PEST = '/services/pest-control';
const NOISE = '/services/noise-complaint';
const UK_DATE_TIME =
  /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4} at (\d{1,2}(:\d{2})?(am|pm)|midday|midnight)\b/;

function redirectsTo(r: PageResponse, path: string, what: string) {
  assert.equal(r.status, 302, `${what}: ${r.status} ${r.html.slice(0, 300)}`);
  assert.equal(new URL(r.location!, 'http://x').pathname, path, what);
}

async function answerPest(c: FormClient, fullName: string, photo?: Buffer) {
  await c.get(PEST);
  redirectsTo(await c.answer(`${PEST}/the-pest`, { pest: 'rats', whereSeen: ['garden'] }), `${PEST}/the-property`, 'the pest');
  redirectsTo(
    await c.answer(`${PEST}/the-property`, { premisesType: 'domestic', 'propertyAddress[line1]': '9 Orchard Way', 'propertyAddress[postcode]': 'EX3 1PL' }),
    `${PEST}/appointment`,
    'the property',
  );
  redirectsTo(await c.answer(`${PEST}/appointment`, { preferredDays: ['tue'], concession: 'no' }), `${PEST}/photos`, 'appointment');
  const files = photo ? [{ field: 'photos', filename: 'rat.png', bytes: photo, type: 'image/png' }] : [];
  redirectsTo(await c.answer(`${PEST}/photos`, {}, files), `${PEST}/your-details`, 'photos');
  redirectsTo(await c.answer(`${PEST}/your-details`, { fullName, email: 'jo@example.com', phone: '07700 900123' }), `${PEST}/check-answers`, 'your details');
}

describe('a sent form is sent once', () => {
  let t: TestHub;
  let smtp: SmtpPeer;
  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestHub({ env: { SMTP_PORT: String(smtp.port) }, worker: true });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  const processesOf = async (fullName: string) => {
    const rows = await t.hub.db.rows(`select id, reference from processes where answers->>'fullName' = $1`, [fullName]);
    return rows as { id: string; reference: string }[];
  };

  test('after sending (with a photo), a change link, a stale tab and a re-sent form show the confirmation: one process, no 500', async () => {
    const c = new FormClient(t.url);
    await answerPest(c, 'Jo Sent-Once', pngBytes(6000, 'sent-once'));
    // A second tab still shows a question page and the check your answers page.
    const staleQuestion = await c.actionOf(`${PEST}/the-pest?change=1`);
    const stalePhotos = await c.actionOf(`${PEST}/photos?change=1`);
    const staleCsrf = await c.csrfOfCheckAnswers('pest-control');

    const sent = await c.send('pest-control');
    redirectsTo(sent, `${PEST}/confirmation`, 'sending');
    const confirmation = await c.get(`${PEST}/confirmation`);
    assert.equal(confirmation.status, 200);
    const reference = /PST-[A-HJ-NP-Z2-9]{8}/.exec(confirmation.html)![0];

    // The steps: the change link, Continue, Accept and send.
    redirectsTo(await c.get(`${PEST}/the-pest?change=1`), `${PEST}/confirmation`, 'a change link after sending');
    redirectsTo(await c.postTo(staleQuestion, { pest: 'mice', whereSeen: ['loft'] }), `${PEST}/confirmation`, 'a question posted after sending');
    redirectsTo(
      await c.postTo(stalePhotos, {}, [{ field: 'photos', filename: 'again.png', bytes: pngBytes(6000, 'sent-once-again'), type: 'image/png' }]),
      `${PEST}/confirmation`,
      'a photo posted after sending',
    );
    redirectsTo(await c.get(`${PEST}/check-answers`), `${PEST}/confirmation`, 'check your answers after sending');
    redirectsTo(await c.sendWith('pest-control', staleCsrf), `${PEST}/confirmation`, 'Accept and send again');

    const again = await c.get(`${PEST}/confirmation`);
    assert.equal(again.status, 200);
    assert.ok(again.html.includes(reference), 'the same confirmation');
    assert.deepEqual(
      (await processesOf('Jo Sent-Once')).map((p) => p.reference),
      [reference],
      'exactly one process',
    );
  });

  test('sending clears the answers: check your answers shows nothing, and the session keeps only the reference and link', async () => {
    const c = new FormClient(t.url);
    await answerPest(c, 'Jo Cleared', pngBytes(5000, 'cleared'));
    redirectsTo(await c.send('pest-control'), `${PEST}/confirmation`, 'sending');
    const [p] = await processesOf('Jo Cleared');

    const check = await c.get(`${PEST}/check-answers`);
    redirectsTo(check, `${PEST}/confirmation`, 'check your answers after sending');
    for (const answer of ['Jo Cleared', '9 Orchard Way', 'rat.png', 'Accept and send']) assert.ok(!check.html.includes(answer), `no ${answer}`);
    const rows = await t.hub.db.rows(`select answers, files, result from form_sessions where result->>'processId' = $1`, [p!.id]);
    const [session] = rows as { answers: object; files: unknown[]; result: Record<string, string> }[];
    assert.deepEqual(session!.answers, {}, 'no answers kept');
    assert.deepEqual(session!.files, [], 'no files kept');
    assert.deepEqual(Object.keys(session!.result).sort(), ['processId', 'reference', 'trackingUrl']);
  });

  test('two clicks on Accept and send at once (no JavaScript to stop the second): one process, both see the confirmation', async () => {
    const c = new FormClient(t.url);
    await answerPest(c, 'Jo Double-Click', pngBytes(5000, 'double-click'));
    const csrf = await c.csrfOfCheckAnswers('pest-control');
    const results = await Promise.all([c.sendWith('pest-control', csrf), c.sendWith('pest-control', csrf), c.sendWith('pest-control', csrf)]);
    for (const r of results) redirectsTo(r, `${PEST}/confirmation`, 'each click');
    const processes = await processesOf('Jo Double-Click');
    assert.equal(processes.length, 1, 'exactly one process');
    const confirmation = await c.get(`${PEST}/confirmation`);
    assert.ok(confirmation.html.includes(processes[0]!.reference));
  });

  test('the start page after sending begins a fresh form, which can be sent as a new request', async () => {
    const c = new FormClient(t.url);
    await answerPest(c, 'Jo Twice');
    redirectsTo(await c.send('pest-control'), `${PEST}/confirmation`, 'sending');
    assert.equal((await c.get(PEST)).status, 200);
    const fresh = await c.get(`${PEST}/the-pest`);
    assert.equal(fresh.status, 200);
    assert.ok(!/checked/.test(fresh.html), 'nothing chosen');
    await answerPest(c, 'Jo Twice');
    redirectsTo(await c.send('pest-control'), `${PEST}/confirmation`, 'sending the new form');
    assert.equal((await processesOf('Jo Twice')).length, 2);
  });

  test('the confirmation says the e-mail was sent only once it was; pages and e-mails say "your noise report" with UK dates', async () => {
    const c = new FormClient(t.url);
    await c.get(NOISE);
    redirectsTo(await c.answer(`${NOISE}/about-the-noise`, { noiseType: 'dog' }), `${NOISE}/where`, 'about the noise');
    await c.answer(`${NOISE}/where?manual=1`, { 'noiseSource[line1]': '3 Kennel Row', 'noiseSource[postcode]': 'EX9 7QY' });
    redirectsTo(
      await c.answer(`${NOISE}/when`, { whenHappens: ['night'], frequency: 'daily', 'startedOn-day': '1', 'startedOn-month': '10', 'startedOn-year': '2026' }),
      `${NOISE}/impact`,
      'when',
    );
    await c.answer(`${NOISE}/impact`, { impact: 'Barking all night.', spokenToNeighbour: 'no' });
    await c.answer(`${NOISE}/evidence`, {});
    redirectsTo(
      await c.answer(`${NOISE}/your-details`, {
        fullName: 'Sam Mailer',
        email: 'sam.mailer@example.com',
        'homeAddress[line1]': '5 Kennel Row',
        'homeAddress[postcode]': 'EX9 7QZ',
      }),
      `${NOISE}/check-answers`,
      'your details',
    );

    const check = await c.get(`${NOISE}/check-answers`);
    assert.equal(headingOf(check.html), 'Check your answers before sending your noise report');
    assert.ok(check.html.includes('Now send your noise report'));
    assert.ok(check.html.includes('1 October 2026'), 'the date answer as 1 October 2026');
    assert.ok(!check.html.includes('2026-10-01'), 'not as ISO');

    // The mail server is down: the confirmation is still waiting to go.
    await smtp.stop();
    try {
      redirectsTo(await c.send('noise-complaint'), `${NOISE}/confirmation`, 'sending');
      const waiting = decode((await c.get(`${NOISE}/confirmation`)).html);
      assert.ok(waiting.includes('We will send a confirmation to sam.mailer@example.com.'), 'will send');
      assert.ok(!/We have sent/.test(waiting), 'does not claim it was sent');
      assert.ok(waiting.includes('We have received your noise report'));
      assert.ok(waiting.includes('Track your noise report'));
      assert.ok(!/your report a noise problem/i.test(waiting), 'no sentence built from the title');
    } finally {
      await smtp.start();
    }
    const reference = (await processesOf('Sam Mailer'))[0]!.reference;
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference)), 30_000);
    const sent = await waitFor(async () => {
      const html = decode((await c.get(`${NOISE}/confirmation`)).html);
      return html.includes('We have sent a confirmation email to sam.mailer@example.com.') && html;
    }, 'the confirmation to say the e-mail was sent');
    assert.ok(!sent.includes('We will send'));

    // The confirmation by its subject: while it waited for the mail server the case was delivered, and that update (a
    // message of its own, as the confirmation had already been tried) may have reached the server first.
    const mail = smtp.messages.find((m) => m.subject === `We have received your noise report – ${reference}`);
    assert.ok(mail, `the confirmation e-mail, among: ${smtp.messages.map((m) => m.subject).join('; ')}`);
    assert.ok(mail.text.includes('Track your noise report'), mail.text);
    assert.ok(!/your report a noise problem/i.test(mail.text + mail.html), 'no sentence built from the title');

    // An update from the back office: its date as "1 October 2026 at 2:05pm".
    const key = await t.key(['noise-complaint']);
    const [p] = await processesOf('Sam Mailer');
    const note = await fetch(`${t.url}/api/v1/processes/${p!.id}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'An officer will call this week.', visibleToCitizen: true }),
    });
    assert.equal(note.status, 201);
    await smtp.waitFor((ms) => ms.some((m) => m.subject.includes(reference) && m.text.includes('An officer will call')), 30_000);
    const update = smtp.messages.find((m) => m.subject.includes(reference) && m.text.includes('An officer will call'))!;
    assert.match(update.subject, /^Update on your noise report – /);
    assert.match(update.text, UK_DATE_TIME);
    assert.match(update.html, UK_DATE_TIME);

    const trackingUrl = /href="([^"]+)" id="tracking-link"/.exec(sent)![1]!;
    const tracking = await c.get(new URL(trackingUrl).pathname);
    assert.equal(tracking.status, 200);
    assert.match(tracking.html, UK_DATE_TIME);
    assert.ok(!/\d{4}-\d{2}-\d{2}T/.test(tracking.html.replace(/datetime="[^"]*"/g, '')), 'no ISO dates shown');
  });
});
