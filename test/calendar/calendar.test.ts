// The shipped bank-holiday calendar against GOV.UK's published list (https://www.gov.uk/bank-holidays.json, 2026), and
// working-day arithmetic across weekends, bank holidays and a council's own days off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bankHolidays, easterSunday, endOfUkDay, WorkingCalendar } from '../../core/calendar/index.ts';

// As GOV.UK publishes them for 2026.
const GOV_UK_2026 = {
  'england-and-wales': ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  scotland: ['2026-01-01', '2026-01-02', '2026-04-03', '2026-05-04', '2026-05-25', '2026-08-03', '2026-11-30', '2026-12-25', '2026-12-28'],
  'northern-ireland': [
    '2026-01-01',
    '2026-03-17',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-07-13',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28',
  ],
} as const;

test("each region's 2026 bank holidays are GOV.UK's published ones", () => {
  for (const [region, dates] of Object.entries(GOV_UK_2026)) assert.deepEqual(bankHolidays(region as keyof typeof GOV_UK_2026, 2026), dates, region);
});

test('Easter by the computus, and the substitute days of Christmas and New Year on a weekend', () => {
  assert.deepEqual([2025, 2026, 2027, 2028].map(easterSunday), ['2025-04-20', '2026-04-05', '2027-03-28', '2028-04-16']);
  // 2027: Christmas is a Saturday and Boxing Day a Sunday.
  assert.deepEqual(bankHolidays('england-and-wales', 2027), [
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27',
    '2027-12-28',
  ]);
  // 2028: New Year's Day is a Saturday; Scotland's 1 and 2 January move to Monday 3 and Tuesday 4.
  assert.deepEqual(bankHolidays('scotland', 2028).slice(0, 2), ['2028-01-03', '2028-01-04']);
  assert.equal(bankHolidays('england-and-wales', 2028)[0], '2028-01-03');
  // 2025 in Northern Ireland: St Patrick's Day Monday 17 March, the Boyne (12 July, a Saturday) on Monday 14.
  assert.ok(bankHolidays('northern-ireland', 2025).includes('2025-03-17'));
  assert.ok(bankHolidays('northern-ireland', 2025).includes('2025-07-14'));
  // A proclaimed one-off: the coronation.
  assert.ok(bankHolidays('england-and-wales', 2023).includes('2023-05-08'));
});

test('5 working days from a Friday before a bank holiday skip the weekend and the holiday', () => {
  const england = new WorkingCalendar({ bankHolidays: 'england-and-wales' });
  const scotland = new WorkingCalendar({ bankHolidays: 'scotland' });
  // Friday 28 August 2026; Monday 31 August is a bank holiday in England and Wales, not in Scotland.
  assert.equal(england.addWorkingDays('2026-08-28', 5), '2026-09-07');
  assert.equal(scotland.addWorkingDays('2026-08-28', 5), '2026-09-04');
  // Christmas 2026: Friday 25th and Monday 28th are holidays.
  assert.equal(england.addWorkingDays('2026-12-24', 1), '2026-12-29');
  // Counting from a Saturday starts on Monday.
  assert.equal(england.addWorkingDays('2026-12-05', 1), '2026-12-07');
});

test("a council's extra days off are not working days", () => {
  const closed = new WorkingCalendar({ bankHolidays: 'england-and-wales', extraHolidays: ['2026-12-29', '2026-12-30', '2026-12-31'] });
  assert.equal(closed.addWorkingDays('2026-12-24', 1), '2027-01-04');
  assert.equal(closed.isWorkingDay('2026-12-30'), false);
  assert.throws(() => closed.addWorkingDays('2026-12-24', -1), RangeError);
});

test('a target falls due at 23:59:59 in the UK on its last working day, in winter and in summer', () => {
  const england = new WorkingCalendar({ bankHolidays: 'england-and-wales' });
  assert.equal(endOfUkDay('2026-12-11').toISOString(), '2026-12-11T23:59:59.000Z');
  assert.equal(endOfUkDay('2026-09-07').toISOString(), '2026-09-07T22:59:59.000Z');
  // 23:30 UTC on Friday 28 August is already Saturday in London: counting starts from Saturday.
  assert.equal(england.dueAt(new Date('2026-08-28T23:30:00Z'), 5).toISOString(), '2026-09-07T22:59:59.000Z');
  assert.equal(england.dueAt(new Date('2026-08-28T09:00:00Z'), 5).toISOString(), '2026-09-07T22:59:59.000Z');
  assert.equal(england.dueAt(new Date('2026-08-28T09:00:00Z'), 6).toISOString(), '2026-09-08T22:59:59.000Z');
});
