// --since / --until for reports: dates (2026-11-01, or ccusage's 20261101), date-times (ISO 8601, an
// exact instant), and presets (today, yesterday, this-week, last-week, this-month, last-month,
// this-year, all, and N days/weeks/months back: 7d, 2w, 3m — today included). Day boundaries are
// those of the report's calendar (local time, or UTC with --utc). --until DATE includes that day.
import { Calendar } from '../core/report';
import { parseIsoDate } from '../core/isoDate';
import { UsageError } from './args';

export interface DateRange {
  /** Inclusive; -Infinity for `all`. */
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

const DATE_RE = /^(\d{4})-?(\d{2})-?(\d{2})$/;
const RELATIVE_RE = /^(\d{1,4})([dwm])$/;

/** The start of the calendar day `YYYY-MM-DD` (or YYYYMMDD); undefined when `text` is not a date; throws on an impossible date. */
function dayStart(text: string, cal: Calendar, name: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1970 || y > 9999 || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) throw new UsageError(`--${name} ${text} is not a calendar date`);
  // midnight of that calendar day in the report's calendar
  return cal.zone === 'UTC' ? probe.getTime() : new Date(y, mo - 1, d).getTime();
}

function instant(text: string, name: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) throw new UsageError(`--${name} must be a date (2026-11-01), a date-time (2026-11-01T09:00:00Z) or one of today, yesterday, this-week, last-week, this-month, last-month, this-year, all, 7d, 2w, 3m (got "${text}")`);
  const r = parseIsoDate(text);
  if (!r.ok) throw new UsageError(`--${name} ${text}: ${r.reason}`);
  return r.ms;
}

/** [start, end) of a preset, or undefined when `text` is not one. */
function preset(text: string, now: number, cal: Calendar, weekStartsOn: 0 | 1): DateRange | undefined {
  const today = cal.startOfDay(now);
  const tomorrow = cal.addDays(today, 1);
  const weekStart = cal.addDays(today, -((cal.weekday(today) - weekStartsOn + 7) % 7));
  const monthStart = cal.startOfMonth(today);
  switch (text) {
    case 'all': return { startMs: -Infinity, endMs: tomorrow };
    case 'today': return { startMs: today, endMs: tomorrow };
    case 'yesterday': return { startMs: cal.addDays(today, -1), endMs: today };
    case 'this-week': return { startMs: weekStart, endMs: cal.addDays(weekStart, 7) };
    case 'last-week': return { startMs: cal.addDays(weekStart, -7), endMs: weekStart };
    case 'this-month': return { startMs: monthStart, endMs: cal.addMonths(monthStart, 1) };
    case 'last-month': return { startMs: cal.addMonths(monthStart, -1), endMs: monthStart };
    case 'this-year': return { startMs: cal.addMonths(monthStart, -(cal.zone === 'UTC' ? new Date(monthStart).getUTCMonth() : new Date(monthStart).getMonth())), endMs: tomorrow };
    default: break;
  }
  const rel = RELATIVE_RE.exec(text);
  if (!rel) return undefined;
  const n = Number(rel[1]);
  if (n < 1) throw new UsageError(`a relative range needs at least 1 (got "${text}")`);
  const start = rel[2] === 'd' ? cal.addDays(today, -(n - 1)) : rel[2] === 'w' ? cal.addDays(today, -(7 * n - 1)) : cal.addDays(cal.addMonths(today, -n), 1);
  return { startMs: start, endMs: tomorrow };
}

/**
 * The range --since/--until describe. A preset given to --since sets both ends (unless --until is
 * given too); `defaultSince` applies when --since is absent.
 */
export function parseDateRange(sinceRaw: string | undefined, untilRaw: string | undefined, defaultSince: string, now: Date, cal: Calendar, weekStartsOn: 0 | 1): DateRange {
  const since = (sinceRaw ?? defaultSince).trim().toLowerCase();
  const nowMs = now.getTime();
  const p = preset(since, nowMs, cal, weekStartsOn);
  let range: DateRange;
  if (p) range = p;
  else {
    const start = dayStart(since, cal, 'since') ?? instant(sinceRaw ?? since, 'since');
    range = { startMs: start, endMs: cal.addDays(cal.startOfDay(nowMs), 1) };
  }
  if (untilRaw !== undefined) {
    const u = untilRaw.trim().toLowerCase();
    const up = preset(u, nowMs, cal, weekStartsOn);
    const day = up ? undefined : dayStart(u, cal, 'until');
    range.endMs = up ? up.endMs : day !== undefined ? cal.addDays(day, 1) : instant(untilRaw, 'until');
  }
  if (range.endMs <= range.startMs) throw new UsageError('--until is before --since: the range is empty');
  return range;
}
