// Calendar arithmetic in local time (the process's time zone, DST-aware through Date) or UTC.
// Days are keyed `YYYY-MM-DD` in the chosen zone; periods are half-open [start, end).
import { readlinkSync } from 'fs';

export type ReportTimeZone = 'local' | 'UTC';
export type PeriodKind = 'day' | 'week' | 'month' | 'lastWeek' | 'last30Days';

export interface Calendar {
  readonly zone: ReportTimeZone;
  startOfDay(ms: number): number;
  /** `ms` moved by `days` calendar days (keeps the wall-clock time; midnight stays midnight). */
  addDays(ms: number, days: number): number;
  startOfMonth(ms: number): number;
  addMonths(ms: number, months: number): number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday(ms: number): number;
  dayKey(ms: number): string;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const key = (y: number, m0: number, d: number): string => `${String(y).padStart(4, '0')}-${pad2(m0 + 1)}-${pad2(d)}`;

const localCalendar: Calendar = {
  zone: 'local',
  startOfDay(ms) { const d = new Date(ms); return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(); },
  addDays(ms, days) { const d = new Date(ms); return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()).getTime(); },
  startOfMonth(ms) { const d = new Date(ms); return new Date(d.getFullYear(), d.getMonth(), 1).getTime(); },
  addMonths(ms, months) { const d = new Date(ms); return new Date(d.getFullYear(), d.getMonth() + months, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()).getTime(); },
  weekday(ms) { return new Date(ms).getDay(); },
  dayKey(ms) { const d = new Date(ms); return key(d.getFullYear(), d.getMonth(), d.getDate()); },
};

const utcCalendar: Calendar = {
  zone: 'UTC',
  startOfDay(ms) { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); },
  addDays(ms, days) { return ms + days * 86_400_000; },
  startOfMonth(ms) { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); },
  addMonths(ms, months) { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()); },
  weekday(ms) { return new Date(ms).getUTCDay(); },
  dayKey(ms) { const d = new Date(ms); return key(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); },
};

export function calendarFor(zone: ReportTimeZone = 'local'): Calendar {
  return zone === 'UTC' ? utcCalendar : localCalendar;
}

let localName: { tz: string | undefined; name: string | undefined } | undefined;

/**
 * The name of the process's time zone, found the way the runtime finds it: `TZ` when set, else the
 * zoneinfo file /etc/localtime links to (Linux, macOS), else Intl — whose first use loads ICU's
 * time-zone data, tens of milliseconds a status line should not pay when the other two answer.
 */
function localZoneName(): string | undefined {
  const tz = process.env.TZ;
  if (localName && localName.tz === tz) return localName.name;
  let name: string | undefined;
  if (tz) name = tz.startsWith(':') ? tz.slice(1) : tz;
  else if (process.platform !== 'win32') {
    try {
      const target = readlinkSync('/etc/localtime');
      const i = target.lastIndexOf('zoneinfo/');
      if (i >= 0 && target.length > i + 9) name = target.slice(i + 9);
    } catch {
      // not a link (a copied file) or absent: ask Intl
    }
  }
  name ||= Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  localName = { tz, name };
  return name;
}

/** The time zone a local calendar currently means (rollups are keyed by it). */
export function zoneId(zone: ReportTimeZone): string {
  if (zone === 'UTC') return 'UTC';
  const name = localZoneName();
  if (name) return `local:${name}`;
  const y = new Date().getFullYear();
  return `local:offsets${new Date(y, 0, 1).getTimezoneOffset()}/${new Date(y, 6, 1).getTimezoneOffset()}`;
}

/**
 * The period of `kind` that contains `now`:
 *  - day: today; week: the week containing today, starting on `weekStartsOn` (1 = Monday, ISO);
 *  - month: this calendar month; lastWeek: the full week before this one;
 *  - last30Days: the 30 calendar days ending with today (today included).
 */
export function periodRange(kind: PeriodKind, now: Date, weekStartsOn: 0 | 1 = 1, zone: ReportTimeZone = 'local'): { start: Date; end: Date } {
  const cal = calendarFor(zone);
  const today = cal.startOfDay(now.getTime());
  const weekStart = cal.addDays(today, -((cal.weekday(today) - weekStartsOn + 7) % 7));
  let start: number;
  let end: number;
  switch (kind) {
    case 'day': start = today; end = cal.addDays(today, 1); break;
    case 'week': start = weekStart; end = cal.addDays(weekStart, 7); break;
    case 'lastWeek': start = cal.addDays(weekStart, -7); end = weekStart; break;
    case 'month': start = cal.startOfMonth(today); end = cal.addMonths(start, 1); break;
    case 'last30Days': start = cal.addDays(today, -29); end = cal.addDays(today, 1); break;
    default: throw new Error(`periodRange: no fixed range for ${String(kind)}`);
  }
  return { start: new Date(start), end: new Date(end) };
}

/** Day keys of every calendar day that [startMs, endMs) touches, in order. */
export function dayKeysBetween(cal: Calendar, startMs: number, endMs: number): string[] {
  const out: string[] = [];
  for (let d = cal.startOfDay(startMs); d < endMs; d = cal.addDays(d, 1)) out.push(cal.dayKey(d));
  return out;
}

/** True when both ends fall on day starts, so that whole-day buckets answer the range exactly. */
export function isDayAligned(cal: Calendar, startMs: number, endMs: number): boolean {
  return cal.startOfDay(startMs) === startMs && cal.startOfDay(endMs) === endMs;
}

/** dayKey with a one-day memo (records arrive mostly in time order). */
export function dayKeyer(cal: Calendar): (ms: number) => string {
  let lo = 1;
  let hi = 0;
  let k = '';
  return (ms: number): string => {
    if (ms >= lo && ms < hi) return k;
    lo = cal.startOfDay(ms);
    hi = cal.addDays(lo, 1);
    k = cal.dayKey(lo);
    return k;
  };
}
