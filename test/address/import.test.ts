// `closeloop gazetteer import` (the command's own function, as the command line calls it) on a test database: rows,
// time and rows/s printed; bad rows reported by line, importing nothing (abort) or the rest (skip); header names of
// LLPG/AddressBase exports; a re-import replaces the list atomically (a reader during the import sees the old list);
// a broken file or a second import at once changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gazetteerCommand } from '../../core/gazetteer-command.ts';
import { addressFinder, GazetteerImportError, importGazetteer, type AddressFinder } from '../../core/address/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';

const HEADER = 'uprn,address_line_1,address_line_2,town,postcode,easting,northing\n';
const row = (uprn: number, line1: string, postcode = 'AA5 5AB', e = 452000 + uprn, n = 304000) => `${uprn},${line1},,Newtown,${postcode},${e},${n}\n`;

let t: TestHub;
let dir: string;
let council: string;
let finder: AddressFinder;

async function run(args: { file: string; council?: string; onBadRows?: string }): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += c.toString()));
  err.on('data', (c: Buffer) => (e += c.toString()));
  const code = await gazetteerCommand(t.config, 'import', args.file, { council: args.council, 'on-bad-rows': args.onBadRows }, out, err);
  return { code, out: o, err: e };
}

async function csv(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function tables(): Promise<string[]> {
  return (await t.hub.db.rows<{ relname: string }>(`select relname from pg_class where relname ~ '^gazetteer_g[0-9]+$' and relkind = 'r' order by 1`)).map(
    (r) => r.relname,
  );
}

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('address/import', () => {
  before(async () => {
    t = await startTestHub();
    dir = await mkdtemp(join(tmpdir(), 'closeloop-gazetteer-import-'));
    council = t.config.council.id;
    finder = await addressFinder(t.hub, council); // seeds the example list (190 addresses)
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('closeloop gazetteer import', () => {
    test('imports a file, prints rows, time and rows/s, and the new list replaces the old at once', async () => {
      assert.equal((await finder.byPostcode('AA1 1AB')).length, 22, 'the seed is there first');
      const file = await csv(
        'new.csv',
        HEADER + row(1, '1 New Road') + row(2, '"2 New Road, Upper"') + '3,"3 Back\\Slash ""Yard""",,Newtown,AA5 5AB,452003,304000\n',
      );
      const { code, out, err } = await run({ file });
      assert.equal(code, 0, err);
      assert.match(out, /^Imported 3 addresses for council "default" in \d+\.\d s \(\d[\d,]* rows\/s\); they replace the council's previous list\.\n$/);
      assert.deepEqual(await finder.byPostcode('AA1 1AB'), []);
      assert.deepEqual(
        (await finder.byPostcode('AA5 5AB')).map((a) => a.lines),
        [['1 New Road'], ['2 New Road, Upper'], ['3 Back\\Slash "Yard"']],
        'commas, quotes and backslashes survive CSV and COPY',
      );
      assert.equal((await tables()).length, 1, 'the replaced list is dropped');
      const [audit] = await t.hub.db.rows<{ target: string; detail: { rows: number } }>(
        `select target, detail from audit_events where action = 'gazetteer.imported'`,
      );
      assert.deepEqual({ target: audit!.target, rows: audit!.detail.rows }, { target: 'default', rows: 3 });
    });

    const BAD =
      HEADER +
      row(10, '10 Good Road') + // line 2
      row(11, '11 Bad Postcode Road', 'SW1A 2AC') + // line 3
      '1234567890123,Too Long UPRN Road,,Newtown,AA5 5AB,452000,304000\n' + // line 4
      row(12, '12 Off The Grid Road', 'AA5 5AB', 800_000) + // line 5
      row(10, '10 Again Road') + // line 6
      row(13, '13 Good Road') + // line 7
      '14,,,Newtown,AA5 5AB,452000,304000\n'; // line 8

    test('bad rows are reported by line, and by default nothing is imported', async () => {
      const before = await finder.byPostcode('AA5 5AB');
      const { code, out, err } = await run({ file: await csv('bad.csv', BAD) });
      assert.equal(code, 1);
      assert.equal(out, '');
      assert.match(err, /5 bad rows:\n/);
      assert.match(err, / {2}line 3: "SW1A 2AC" is not a UK postcode\n/);
      assert.match(err, / {2}line 4: UPRN "1234567890123" is not 1 to 12 digits\n/);
      assert.match(err, / {2}line 5: easting "800000", northing "304000" is not a point in Great Britain/);
      assert.match(err, / {2}line 6: UPRN 10 is already on line 2\n/);
      assert.match(err, / {2}line 8: the address has no lines\n/);
      assert.match(err, /Nothing was imported; council "default"'s addresses are as they were\. .*--on-bad-rows skip/);
      assert.deepEqual(await finder.byPostcode('AA5 5AB'), before);
      assert.equal((await tables()).length, 1, 'no half-made table is left');
      assert.deepEqual(await t.hub.db.rows(`select generation from gazetteer_imports where finished_at is null`), []);
    });

    test('with --on-bad-rows skip the bad rows are listed and the rest imported', async () => {
      const { code, out, err } = await run({ file: await csv('bad.csv', BAD), onBadRows: 'skip' });
      assert.equal(code, 0, err);
      assert.match(out, /^Skipped 5 bad rows:\n {2}line 3: .*\n {2}line 4: .*\n {2}line 5: .*\n {2}line 6: .*\n {2}line 8: .*\nImported 2 addresses/);
      assert.deepEqual(
        (await finder.byPostcode('AA5 5AB')).map((a) => a.uprn),
        ['10', '13'],
      );
    });

    test('AddressBase-style column names are understood', async () => {
      const file = await csv(
        'addressbase.csv',
        'UPRN,SUB_BUILDING_NAME,BUILDING_NAME,BUILDING_NUMBER,THOROUGHFARE,POST_TOWN,POSTCODE,X_COORDINATE,Y_COORDINATE\n' +
          '5001,Flat 2,Rose Court,12,High Street,NEWTOWN,aa55ab,452100.5,304100.25\n' +
          '5002,,,14,High Street,NEWTOWN,AA5 5AB,452120,304100\n',
      );
      const { code, err } = await run({ file });
      assert.equal(code, 0, err);
      const found = await finder.byUprn('5001');
      assert.deepEqual(
        { lines: found?.lines, town: found?.town, postcode: found?.postcode, easting: found?.easting },
        { lines: ['Flat 2', 'Rose Court', '12 High Street'], town: 'NEWTOWN', postcode: 'AA5 5AB', easting: 452100.5 },
      );
    });

    test('a file that is not an address list, or is broken half way, imports nothing and says why', async () => {
      const before = await finder.byPostcode('AA5 5AB');
      let r = await run({ file: await csv('names.csv', 'name,email\nA,a@example.com\n') });
      assert.equal(r.code, 1);
      assert.match(r.err, /line 1: the header row has no uprn, postcode, easting, northing, address_line_1 \(or street_name\) columns \(found: name, email\)/);
      r = await run({ file: await csv('quote.csv', HEADER + row(20, '20 Fine Road') + '21,"21 Unclosed Road,,Newtown,AA5 5AB,452000,304000\n') });
      assert.equal(r.code, 1);
      assert.match(r.err, /Nothing was imported/);
      r = await run({ file: await csv('empty.csv', HEADER) });
      assert.match(r.err, /the file has a header row but no addresses/);
      r = await run({ file: join(dir, 'missing.csv') });
      assert.match(r.err, /cannot read .*missing\.csv/);
      r = await run({ file: await csv('x.csv', HEADER), council: 'atlantis' });
      assert.match(r.err, /--council "atlantis" is not a council/);
      r = await run({ file: await csv('x.csv', HEADER), onBadRows: 'ignore' });
      assert.match(r.err, /--on-bad-rows must be abort .* or skip/);
      assert.deepEqual(await finder.byPostcode('AA5 5AB'), before);
      assert.equal((await tables()).length, 1);
    });

    test('a reader during an import sees the old list until the switch; a second import at once is refused', async () => {
      const input = new PassThrough();
      input.write(HEADER);
      for (let i = 0; i < 500; i++) input.write(row(30_000 + i, `${i + 1} Switch Street`, 'AA6 6AB'));
      const importing = importGazetteer(t.hub.db.url, input, { council, source: 'stream' });
      // The import has begun (its table is made and rows are flowing) …
      await waitFor(async () => (await t.hub.db.rows(`select 1 from gazetteer_imports where finished_at is null`)).length === 1, 'the import to start');
      // … but readers see the old list.
      assert.deepEqual(await finder.byPostcode('AA6 6AB'), []);
      assert.equal((await finder.byPostcode('AA5 5AB')).length, 2);
      await assert.rejects(importGazetteer(t.hub.db.url, new PassThrough(), { council, source: 'second' }), (err: unknown) => {
        assert.ok(err instanceof GazetteerImportError);
        assert.match(err.message, /another import of council "default"'s addresses is running/);
        return true;
      });
      input.end(row(31_000, 'Last Street', 'AA6 6AB'));
      const report = await importing;
      assert.equal(report.outcome, 'imported');
      assert.equal(report.rows, 501);
      assert.equal((await finder.byPostcode('AA6 6AB')).length, 100, 'the council’s maxResults');
      assert.deepEqual(await finder.byPostcode('AA5 5AB'), []);
      assert.equal((await tables()).length, 1);
    });

    test("an import for one council leaves another's list alone", async () => {
      t.config.councils.west = { name: 'West Council' };
      const file = await csv('west.csv', HEADER + row(40, '40 West Road', 'AA7 7AB'));
      const { code, err } = await run({ file, council: 'west' });
      assert.equal(code, 0, err);
      assert.equal((await (await addressFinder(t.hub, 'west')).byPostcode('AA7 7AB')).length, 1);
      assert.equal((await finder.byPostcode('AA6 6AB')).length, 100);
      assert.deepEqual(await finder.byPostcode('AA7 7AB'), []);
    });
  });
});
