// UK bank holidays, made from the statutory rules (Banking and Financial Dealings Act 1971 and the royal proclamations
// that follow it every year), so the hub needs no download at run time. GOV.UK publishes the same dates at
// https://www.gov.uk/bank-holidays; test/calendar/calendar.test.ts checks these against its 2026 list. The rules hold for
// any year; a one-off the government announces (a jubilee, a coronation) goes into ONE_OFFS below, or into a council's
// `extraHolidays` in closeloop.yaml until a release carries it.
import { addDays, type IsoDate, weekday } from './days.ts';

export const REGIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Region = (typeof REGIONS)[number];

/** The years the hub ships its calendar for (the rules above work for other years too). */
export const SHIPPED_YEARS = { from: 2025, to: 2028 } as const;

/** Holidays moved or added by proclamation: `add` days off, `remove` rule-made days that were moved away. */
const ONE_OFFS: { region: Region | 'all'; add?: IsoDate; remove?: IsoDate; why: string }[] = [
  { region: 'all', remove: '2020-05-04', add: '2020-05-08', why: 'Early May bank holiday moved for VE Day' },
  { region: 'all', remove: '2022-05-30', add: '2022-06-02', why: 'Spring bank holiday moved for the Platinum Jubilee' },
  { region: 'all', add: '2022-06-03', why: 'Platinum Jubilee bank holiday' },
  { region: 'all', add: '2022-09-19', why: 'State funeral of Queen Elizabeth II' },
  { region: 'all', add: '2023-05-08', why: 'Coronation of King Charles III' },
];

const iso = (year: number, month: number, day: number): IsoDate =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** Easter Sunday (Gregorian), by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

/** The first Monday of a month. */
function firstMonday(year: number, month: number): IsoDate {
  const first = iso(year, month, 1);
  return addDays(first, (8 - weekday(first)) % 7);
}

/** The last Monday of a month. */
function lastMonday(year: number, month: number): IsoDate {
  const last = addDays(month === 12 ? iso(year + 1, 1, 1) : iso(year, month + 1, 1), -1);
  return addDays(last, -((weekday(last) + 6) % 7));
}

const isWeekend = (date: IsoDate): boolean => weekday(date) === 0 || weekday(date) === 6;

/**
 * Fixed-date holidays in order; one falling on a Saturday or Sunday is given instead on the next weekday that is not
 * already a holiday (so Christmas on a Saturday gives Monday 27th, and Boxing Day on the Sunday Tuesday 28th).
 */
function withSubstitutes(dates: IsoDate[]): IsoDate[] {
  const taken = new Set<IsoDate>();
  for (const date of dates) {
    let day = date;
    while (isWeekend(day) || taken.has(day)) day = addDays(day, 1);
    taken.add(day);
  }
  return [...taken];
}

/** A region's bank holidays of one year, sorted. */
export function bankHolidays(region: Region, year: number): IsoDate[] {
  const easter = easterSunday(year);
  const days: IsoDate[] = [addDays(easter, -2), firstMonday(year, 5), lastMonday(year, 5)];
  if (region === 'scotland') {
    days.push(firstMonday(year, 8));
    days.push(...withSubstitutes([iso(year, 1, 1), iso(year, 1, 2)]));
    days.push(...withSubstitutes([iso(year, 11, 30)]));
  } else {
    days.push(addDays(easter, 1), lastMonday(year, 8));
    days.push(...withSubstitutes([iso(year, 1, 1)]));
    if (region === 'northern-ireland') days.push(...withSubstitutes([iso(year, 3, 17)]), ...withSubstitutes([iso(year, 7, 12)]));
  }
  days.push(...withSubstitutes([iso(year, 12, 25), iso(year, 12, 26)]));
  const prefix = `${year}-`;
  for (const o of ONE_OFFS) {
    if (o.region !== 'all' && o.region !== region) continue;
    if (o.remove?.startsWith(prefix)) days.splice(days.indexOf(o.remove), 1);
    if (o.add?.startsWith(prefix)) days.push(o.add);
  }
  return [...new Set(days)].sort();
}
