// Budget period instances, in local time: a day starts at local midnight, a week on Monday at local
// midnight (ISO 8601 weeks), a month on the 1st at local midnight. An instance is named by a key that
// changes exactly when the period rolls over; dates are built from year/month/day fields, so DST shifts
// do not move a boundary.
import type { BudgetPeriod } from '../types';

export type CalendarPeriod = Exclude<BudgetPeriod, 'session'>;
export const CALENDAR_PERIODS: readonly CalendarPeriod[] = ['day', 'week', 'month'];

/** `2025-03-14` (day), `2025-03-10` (the week's Monday), `2025-03` (month). */
export function periodKey(period: CalendarPeriod, at: Date): string {
  switch (period) {
    case 'day':
      return ymd(at.getFullYear(), at.getMonth(), at.getDate());
    case 'week': {
      const monday = startOfPeriod('week', at);
      return ymd(monday.getFullYear(), monday.getMonth(), monday.getDate());
    }
    case 'month':
      return `${at.getFullYear()}-${pad2(at.getMonth() + 1)}`;
  }
}

/** Local midnight starting the period instance that contains `at`. */
export function startOfPeriod(period: CalendarPeriod, at: Date): Date {
  const y = at.getFullYear(), m = at.getMonth(), d = at.getDate();
  switch (period) {
    case 'day':
      return new Date(y, m, d);
    case 'week': {
      const sinceMonday = (at.getDay() + 6) % 7; // getDay: 0 = Sunday
      return new Date(y, m, d - sinceMonday);
    }
    case 'month':
      return new Date(y, m, 1);
  }
}

/** Local midnight starting the next period instance (when the current one resets). */
export function nextPeriodStart(period: CalendarPeriod, at: Date): Date {
  const s = startOfPeriod(period, at);
  switch (period) {
    case 'day':
      return new Date(s.getFullYear(), s.getMonth(), s.getDate() + 1);
    case 'week':
      return new Date(s.getFullYear(), s.getMonth(), s.getDate() + 7);
    case 'month':
      return new Date(s.getFullYear(), s.getMonth() + 1, 1);
  }
}

function ymd(y: number, m0: number, d: number): string {
  return `${y}-${pad2(m0 + 1)}-${pad2(d)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
