// Working days: Monday to Friday, except the bank holidays of the council's part of the UK and the council's own extra
// days off (closeloop.yaml: council.bankHolidays, council.extraHolidays).
import { bankHolidays, type Region } from './bank-holidays.ts';
import { addDays, endOfUkDay, type IsoDate, ukDateOf, weekday } from './days.ts';

export interface CalendarSettings {
  bankHolidays: Region;
  /** Days off of the council's own (e.g. a closure between Christmas and New Year), YYYY-MM-DD. */
  extraHolidays?: IsoDate[];
}

/** Most working days a target may be: a bound on the day-by-day walk. */
export const MAX_WORKING_DAYS = 365;

export class WorkingCalendar {
  private readonly extra: Set<IsoDate>;
  private readonly years = new Map<number, Set<IsoDate>>();

  constructor(readonly settings: CalendarSettings) {
    this.extra = new Set(settings.extraHolidays ?? []);
  }

  isHoliday(date: IsoDate): boolean {
    const year = Number(date.slice(0, 4));
    let days = this.years.get(year);
    if (!days) {
      days = new Set(bankHolidays(this.settings.bankHolidays, year));
      this.years.set(year, days);
    }
    return days.has(date) || this.extra.has(date);
  }

  isWorkingDay(date: IsoDate): boolean {
    const day = weekday(date);
    return day !== 0 && day !== 6 && !this.isHoliday(date);
  }

  /**
   * The date `n` working days after `date` (the day itself does not count, whether or not it is a working day): 5 working
   * days from Friday 28 August 2026 in England, with Monday 31st a bank holiday, is Monday 7 September.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) throw new RangeError(`working days must be a whole number from 0 to ${MAX_WORKING_DAYS}`);
    let day = date;
    for (let counted = 0; counted < n;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) counted++;
    }
    return day;
  }

  /** When a target of `n` working days from `start` falls due: the end of that working day in the UK. */
  dueAt(start: Date, n: number): Date {
    return endOfUkDay(this.addWorkingDays(ukDateOf(start), n));
  }
}
