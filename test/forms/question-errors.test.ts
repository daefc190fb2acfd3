// Issue 14, citizen pages 3 and 4: a refused upload shows the question again with a GOV.UK error summary and the error
// on the file input (no dead-end 413/415 page, nothing typed lost), and errors and headings read the GOV.UK way: made
// from the question, never two identical entries in one summary, dates in the form the hint shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { pngBytes, pdfBytes } from '../helpers/files.ts';
import { errorMessages, fieldSchema, serviceDefinitionSchema, type Field } from '../../core/services/index.ts';
import { decode, errorsOf, FormClient, headingOf } from './form-client.ts';

const PEST = '/services/pest-control';
const NOISE = '/services/noise-complaint';
const FOOD = '/services/food-hygiene-complaint';
/** The first bytes of a Windows program. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(4000, 1)]);

describe('question pages: upload errors and wording', () => {
  let t: TestHub;
  before(async () => {
    // A body limit a little over the questions' 10MB, so both the question's limit and the hub's can be reached.
    t = await startTestHub({ configure: (c) => void (c.server.limits.multipartBytes = 12 * 1024 * 1024) });
  });
  after(async () => {
    await t?.close();
  });

  /** Files kept in every form session. */
  const sessionFiles = async () => {
    const rows = await t.hub.db.rows(`select coalesce(sum(jsonb_array_length(files)), 0)::int as n from form_sessions`);
    return (rows as { n: number }[])[0]!.n;
  };

  test('a file of the wrong type: the question again, with the error in the summary and on the file input', async () => {
    const c = new FormClient(t.url);
    const r = await c.answer(`${PEST}/photos`, {}, [{ field: 'photos', filename: 'photo.exe', bytes: EXE, type: 'application/x-msdownload' }]);
    assert.equal(r.status, 422, r.html.slice(0, 300));
    const errors = errorsOf(r.html);
    assert.deepEqual(errors.summary, ['The selected file must be a JPG or PNG']);
    assert.deepEqual(errors.inline, ['The selected file must be a JPG or PNG']);
    assert.match(r.html, /<a href="#photos">The selected file must be a JPG or PNG<\/a>/, 'the summary links to the file input');
    assert.match(r.html, /class="govuk-file-upload govuk-file-upload--error" id="photos" name="photos" type="file"/);
    assert.equal(headingOf(r.html), 'Upload photos (optional)');
    assert.match(r.html, /<title>Error: /);
    for (const technical of ['application/x-msdownload', 'bytes', 'Unsupported media type']) assert.ok(!r.html.includes(technical), `no "${technical}"`);
    assert.equal(await sessionFiles(), 0, 'nothing kept');

    // A PDF sent as a PNG: its bytes decide, the same message.
    const lying = await c.answer(`${PEST}/photos`, {}, [{ field: 'photos', filename: 'photo.png', bytes: pdfBytes(), type: 'image/png' }]);
    assert.equal(lying.status, 422);
    assert.deepEqual(errorsOf(lying.html).summary, ['The selected file must be a JPG or PNG']);

    // The list comes from the question's settings.
    const noise = await c.answer(`${NOISE}/evidence`, {}, [{ field: 'evidence', filename: 'x.exe', bytes: EXE, type: 'application/octet-stream' }]);
    assert.deepEqual(errorsOf(noise.html).summary, ['The selected file must be a MP3, MP4, JPG, PNG or PDF']);

    // Then a good file goes through.
    const good = await c.answer(`${PEST}/photos`, {}, [{ field: 'photos', filename: 'rat.png', bytes: pngBytes(3000, 'good'), type: 'image/png' }]);
    assert.equal(good.status, 302);
  });

  test('a file over the question\'s size (or over the whole upload limit): "The selected file must be smaller than 10MB"', async () => {
    const c = new FormClient(t.url);
    const filesBefore = await sessionFiles();
    const big = await c.answer(`${PEST}/photos`, {}, [
      { field: 'photos', filename: 'big.png', bytes: pngBytes(10 * 1024 * 1024 + 5000, 'big'), type: 'image/png' },
    ]);
    assert.equal(big.status, 422);
    assert.deepEqual(errorsOf(big.html), { summary: ['The selected file must be smaller than 10MB'], inline: ['The selected file must be smaller than 10MB'] });
    assert.ok(!/10485760|larger than/.test(big.html), 'no technical text');

    const huge = await c.answer(`${PEST}/photos`, {}, [
      { field: 'photos', filename: 'huge.png', bytes: pngBytes(13 * 1024 * 1024, 'huge'), type: 'image/png' },
    ]);
    assert.equal(huge.status, 422);
    assert.deepEqual(errorsOf(huge.html).summary, ['The selected file must be smaller than 10MB']);
    assert.equal(await sessionFiles(), filesBefore, 'nothing kept');
  });

  test('a refused file loses nothing else typed on the page; other problems on it are listed too', async () => {
    const c = new FormClient(t.url);
    const description = 'A hair in my "burger" & chips';
    const r = await c.answer(`${FOOD}/details`, { description, stillHaveFood: 'yes' }, [
      { field: 'evidence', filename: 'receipt.exe', bytes: EXE, type: 'application/x-msdownload' },
    ]);
    assert.equal(r.status, 422);
    assert.deepEqual(errorsOf(r.html).summary, ['The selected file must be a JPG, PNG or PDF']);
    assert.ok(decode(r.html).includes(description), 'the description is still there');
    assert.match(r.html, /name="stillHaveFood" type="radio" value="yes" checked/);

    const both = await c.answer(`${FOOD}/details`, { stillHaveFood: 'yes' }, [
      { field: 'evidence', filename: 'receipt.exe', bytes: EXE, type: 'application/x-msdownload' },
    ]);
    assert.deepEqual(errorsOf(both.html).summary, ['Tell us what happened', 'The selected file must be a JPG, PNG or PDF']);
  });

  test('errors name their question; headings come from page titles; no summary lists a message twice', async () => {
    const c = new FormClient(t.url);
    const when = await c.answer(`${NOISE}/when`, {});
    assert.equal(when.status, 422);
    assert.equal(headingOf(when.html), 'When the noise happens');
    assert.match(when.html, /<title>Error: When the noise happens – /);
    assert.deepEqual(errorsOf(when.html).summary, ['Select when the noise happens', 'Select how often it happens', 'Enter the date the problem started']);

    const pest = await c.answer(`${PEST}/the-pest`, {});
    assert.equal(headingOf(pest.html), 'The pest');
    const summary = errorsOf(pest.html).summary;
    assert.deepEqual(summary, ['Select what pest you need treated', 'Select where you have seen them']);
    assert.equal(new Set(summary).size, summary.length, 'no message twice');

    const details = await c.answer(`${NOISE}/your-details`, { email: 'sam@', 'homeAddress[line1]': '1 Road' });
    assert.deepEqual(errorsOf(details.html).summary, [
      'Enter your full name',
      'Enter an email address in the correct format, like name@example.com',
      'Enter a postcode',
    ]);
  });

  test('date errors: "must include a month", a real date "for example 27 3 2026", "must be today or in the past"', async () => {
    const c = new FormClient(t.url);
    const base = { whenHappens: ['night'], frequency: 'daily' };
    const dateError = async (day: string, month: string, year: string) =>
      errorsOf((await c.answer(`${NOISE}/when`, { ...base, 'startedOn-day': day, 'startedOn-month': month, 'startedOn-year': year })).html).summary;
    assert.deepEqual(await dateError('12', '', '2026'), ['Date the problem started must include a month']);
    assert.deepEqual(await dateError('', '', '2026'), ['Date the problem started must include a day and month']);
    assert.deepEqual(await dateError('31', '2', '2026'), ['Date the problem started must be a real date, for example 27 3 2026']);
    assert.deepEqual(await dateError('1', '3', '26'), ['Date the problem started must be a real date, for example 27 3 2026']);
    assert.deepEqual(await dateError('1', '1', String(new Date().getFullYear() + 2)), ['Date the problem started must be today or in the past']);

    const food = await c.answer(`${FOOD}/the-complaint`, {
      complaintType: 'other',
      'purchaseDate-day': '40',
      'purchaseDate-month': '1',
      'purchaseDate-year': '2026',
    });
    assert.deepEqual(errorsOf(food.html).summary, ['Date you bought the food or visited must be a real date, for example 27 3 2026']);
  });

  test("a definition without errorName: each question's messages still differ, quoting its label", () => {
    const question = (input: Record<string, unknown>): Field => fieldSchema.parse(input);
    const often = question({ id: 'often', type: 'select', label: 'How often does it happen?', options: [{ value: 'a', label: 'A' }] });
    const where = question({ id: 'where', type: 'radios', label: 'Where is it?', options: [{ value: 'a', label: 'A' }] });
    const when = question({ id: 'when', type: 'date', label: 'When did it start?' });
    const name = question({ id: 'name', type: 'text', label: 'Full name', maxLength: 10 });
    const describe = question({ id: 'describe', type: 'textarea', label: 'Describe the noise', maxLength: 200 });
    assert.equal(errorMessages.required(often), 'Select an answer to ‘How often does it happen?’');
    assert.equal(errorMessages.required(where), 'Select an answer to ‘Where is it?’');
    assert.equal(errorMessages.required(when), 'Enter a date for ‘When did it start?’');
    assert.equal(errorMessages.notInFuture(when), 'Your answer to ‘When did it start?’ must be today or in the past');
    assert.equal(errorMessages.required(name), 'Enter full name');
    assert.equal(errorMessages.tooLong(name, 10), 'Full name must be 10 characters or less');
    assert.equal(errorMessages.required(describe), 'Describe the noise');
    assert.equal(errorMessages.tooLong(describe, 200), 'Describe the noise in 200 characters or less');
  });

  test('page titles must name a page of the service; noun, pages and errorName are optional', () => {
    const definition = {
      id: 'tiny',
      title: 'Tiny',
      referencePrefix: 'TNY',
      tasks: [{ key: 'triage', title: 'Triage' }],
      fields: [
        { id: 'a', type: 'text', label: 'A', page: 'first' },
        { id: 'b', type: 'text', label: 'B', page: 'first' },
      ],
    };
    assert.equal(serviceDefinitionSchema.safeParse(definition).success, true, 'a definition without them is still valid');
    assert.equal(serviceDefinitionSchema.safeParse({ ...definition, noun: 'request', pages: { first: { title: 'First things' } } }).success, true);
    const wrong = serviceDefinitionSchema.safeParse({ ...definition, pages: { frist: { title: 'First things' } } });
    assert.deepEqual(
      wrong.error?.issues.map((i) => [i.path.join('.'), i.message]),
      [['pages.frist', '"frist" is not a page of this service (no question has this page id)']],
    );
  });
});
