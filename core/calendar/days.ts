// Calendar days as the UK counts them: plain dates ("2026-12-12", no time, no zone) and the instants that start and end
// them in Europe/London (GMT in winter, BST in summer).

/** A calendar date, YYYY-MM-DD. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The date of a UTC midnight. */
export function toIsoDate(utcMidnight: Date): IsoDate {
  return utcMidnight.toISOString().slice(0, 10);
}

/** UTC midnight of a date (dates are counted on UTC midnights, where no clock change can shift them). */
export function fromIsoDate(date: IsoDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = fromIsoDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return toIsoDate(d);
}

/** 0 Sunday … 6 Saturday. */
export function weekday(date: IsoDate): number {
  return fromIsoDate(date).getUTCDay();
}

const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const LONDON_HOUR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23' });

/** The date it is in the UK at `instant`. */
export function ukDateOf(instant: Date): IsoDate {
  return LONDON_DATE.format(instant);
}

/** The last second of `date` in the UK (23:59:59 Europe/London) as an instant. */
export function endOfUkDay(date: IsoDate): Date {
  // The clocks change at 01:00 UTC, so London's offset at noon UTC is the offset all evening.
  const noon = new Date(`${date}T12:00:00Z`);
  const offsetHours = Number(LONDON_HOUR.format(noon)) - 12;
  return new Date(Date.UTC(noon.getUTCFullYear(), noon.getUTCMonth(), noon.getUTCDate(), 23 - offsetHours, 59, 59));
}
