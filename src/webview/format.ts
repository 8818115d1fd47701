// Formatting for the usage panel: dates and axis ticks here, every number with its unit from
// core/format.ts. Pure (Intl only), so it can also be unit-tested in Node.

import { setFormatLocale } from '../core/format';

// Units come from core/format.ts, the one rule shared with the status bar, router reasons and the CLI.
export {
  formatCount as fmtCount, formatRequests as fmtRequests, formatTokensWithUnit as fmtTokensCompact,
  energyUnitFor, formatWh as fmtWh, formatWhRange as fmtWhRange, formatUsd as fmtUsd, formatGrams as fmtCo2,
  formatPercent as fmtPct, formatNumber as fmtNumber,
} from '../core/format';
export type { EnergyUnit } from '../core/format';

let locale: string | undefined;
/** The locale used by all formatters (undefined = the runtime's default, i.e. VS Code's language). */
export function setLocale(l: string | undefined): void { locale = l; setFormatLocale(l); dateCache.clear(); dayLabels.clear(); }

const dateCache = new Map<string, Intl.DateTimeFormat>();
/** Intl formatters are costly to construct (~0.1 ms each): one per option set, reused. */
function df(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dateCache.get(key);
  if (!f) { f = new Intl.DateTimeFormat(locale, opts); dateCache.set(key, f); }
  return f;
}

function localDate(day: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

const dayLabels = new Map<string, string>();
/** `Mon, Nov 17` (en-US) from `2025-11-17` (a local date; never parsed as UTC). Memoised: a day is
 *  labelled in the chart, its tooltip and the table. */
export function fmtDay(day: string): string {
  let label = dayLabels.get(day);
  if (label === undefined) {
    const d = localDate(day);
    label = d ? df('day', { weekday: 'short', day: 'numeric', month: 'short' }).format(d) : day;
    if (dayLabels.size > 5000) dayLabels.clear();
    dayLabels.set(day, label);
  }
  return label;
}

/** Short day label for axes: `17` or `17 Nov`. */
export function fmtDayShort(day: string, withMonth: boolean): string {
  const d = localDate(day);
  if (!d) return day;
  return withMonth ? df('dayMonth', { day: 'numeric', month: 'short' }).format(d) : String(d.getDate());
}

export function fmtMonth(day: string): string {
  const d = localDate(day);
  return d ? df('month', { month: 'short' }).format(d) : day;
}

export function dayOfMonth(day: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? Number(day.slice(8, 10)) : 0;
}

/** `Mon 17 Nov, 14:32` from an ISO time stamp, in local time. */
export function fmtTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return df('time', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(d);
}

export function fmtClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return df('clock', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
}

/** Axis ticks: 0 and `count` or so "nice" steps up to at least `max`. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}
