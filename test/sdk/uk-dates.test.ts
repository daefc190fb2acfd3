// UK dates come from an offset remembered per UTC hour (core of every page's dates): across two years, including both
// clock changes of each, every sampled instant reads exactly as Intl's Europe/London formatting gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ukDate, ukDateTime, ukTime } from '@closeloop/sdk';

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function expected(at: Date): string {
  const p = Object.fromEntries(LONDON.formatToParts(at).map((x) => [x.type, x.value]));
  return `${Number(p.day)} ${MONTHS[Number(p.month) - 1]} ${p.year} at ${ukTime(Number(p.hour) % 24, Number(p.minute))}`;
}

test('UK date and time match Intl Europe/London across two years and their clock changes', () => {
  let checked = 0;
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 17 * 60_000 + 7_000, checked++) {
    assert.equal(ukDateTime(new Date(ms)), expected(new Date(ms)), new Date(ms).toISOString());
  }
  assert.ok(checked > 60_000);
  // Either side of the clocks going forward (29 March 2026, 01:00 UTC) and back (25 October 2026, 01:00 UTC).
  assert.equal(ukDateTime('2026-03-29T00:59:00Z'), '29 March 2026 at 12:59am');
  assert.equal(ukDateTime('2026-03-29T01:00:00Z'), '29 March 2026 at 2am');
  assert.equal(ukDateTime('2026-10-25T00:59:00Z'), '25 October 2026 at 1:59am');
  assert.equal(ukDateTime('2026-10-25T01:00:00Z'), '25 October 2026 at 1am');
  assert.equal(ukDate('2026-12-31T23:30:00Z'), '31 December 2026');
  assert.equal(ukDate('2026-06-30T23:30:00Z'), '1 July 2026');
});
