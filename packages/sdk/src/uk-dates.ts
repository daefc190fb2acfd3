// Dates and times as GOV.UK writes them: "1 October 2026", "1 October 2026 at 2:05pm", "10am", "midday", "midnight",
// in UK time (Europe/London). Built from numeric parts rather than Intl's own phrasing, which differs between ICU
// versions (Node 20 and 24 put different spaces before "pm").

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function londonPartsFromIntl(at: Date): Parts {
  const parts = Object.fromEntries(LONDON.formatToParts(at).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour) % 24, minute: Number(parts.minute) };
}

const HOUR = 3_600_000;
/**
 * UK time's offset from UTC (ms) by UTC hour. Intl's formatToParts costs microseconds a call and a page of 25 cases
 * made 25 calls; the offset changes only on the hour (the clocks go forward and back at 01:00 UTC), so it is asked once
 * per hour of UTC seen.
 */
const offsetByHour = new Map<number, number>();

function londonParts(at: Date | string): Parts {
  const ms = new Date(at).getTime();
  if (!Number.isFinite(ms)) return londonPartsFromIntl(new Date(ms));
  const hour = Math.floor(ms / HOUR);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const p = londonPartsFromIntl(new Date(hour * HOUR));
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - hour * HOUR;
    if (offsetByHour.size > 50_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  const local = new Date(ms + offset);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), hour: local.getUTCHours(), minute: local.getUTCMinutes() };
}

function dateText(p: Pick<Parts, 'year' | 'month' | 'day'>): string {
  return `${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
}

/** 14:05 → "2:05pm", 10:00 → "10am", 12:00 → "midday", 00:00 → "midnight". */
export function ukTime(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'midday';
  const h = hour % 12 || 12;
  return `${h}${minute ? `:${String(minute).padStart(2, '0')}` : ''}${hour < 12 ? 'am' : 'pm'}`;
}

/** An instant's UK date: "1 October 2026". */
export function ukDate(at: Date | string): string {
  return dateText(londonParts(at));
}

/** An instant's UK date and time: "1 October 2026 at 2:05pm". */
export function ukDateTime(at: Date | string): string {
  const p = londonParts(at);
  return `${dateText(p)} at ${ukTime(p.hour, p.minute)}`;
}

/** A date answer ("2026-10-01") or date-and-time answer ("2026-10-01T21:30", UK wall-clock time) as citizens read it;
 * anything else is returned as it is. */
export function ukAnswerDate(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return text;
  const date = dateText({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
  return m[4] === undefined ? date : `${date} at ${ukTime(Number(m[4]), Number(m[5]))}`;
}
