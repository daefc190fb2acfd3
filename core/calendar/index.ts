// Working days and UK bank holidays: when a task's target (N working days) falls due.
export { REGIONS, SHIPPED_YEARS, bankHolidays, easterSunday, type Region } from './bank-holidays.ts';
export { WorkingCalendar, MAX_WORKING_DAYS, type CalendarSettings } from './working-days.ts';
export { isIsoDate, endOfUkDay, ukDateOf, type IsoDate } from './days.ts';
