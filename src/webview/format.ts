// Number formatting for the usage panel: every number carries its unit. Pure (Intl only), so it can
// also be unit-tested in Node.

let locale: string | undefined;
/** The locale used by all formatters (undefined = the runtime's default, i.e. VS Code's language). */
export function setLocale(l: string | undefined): void { locale = l; cache.clear(); dateCache.clear(); dayLabels.clear(); }

const cache = new Map<string, Intl.NumberFormat>();
const dateCache = new Map<string, Intl.DateTimeFormat>();
/** Intl formatters are costly to construct (~0.1 ms each): one per option set, reused. */
function df(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dateCache.get(key);
  if (!f) { f = new Intl.DateTimeFormat(locale, opts); dateCache.set(key, f); }
  return f;
}
function nf(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) { f = new Intl.NumberFormat(locale, opts); cache.set(key, f); }
  return f;
}

function sig3(n: number): string {
  return nf('sig3', { maximumSignificantDigits: 3 }).format(n);
}

/** Integer with grouping, e.g. `12,345`. */
export function fmtCount(n: number): string {
  return nf('int', { maximumFractionDigits: 0 }).format(Math.round(n));
}

/** `1 request`, `12 requests`. */
export function fmtRequests(n: number): string {
  return `${fmtCount(n)} ${Math.round(n) === 1 ? 'request' : 'requests'}`;
}

/** Tokens in compact form with unit: `950 tokens`, `12.3k tokens`, `4.56M tokens`. */
export function fmtTokensCompact(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return `${fmtCount(n)} tokens`;
  if (a < 1e6) return `${sig3(n / 1e3)}k tokens`;
  if (a < 1e9) return `${sig3(n / 1e6)}M tokens`;
  return `${sig3(n / 1e9)}B tokens`;
}

export type EnergyUnit = 'Wh' | 'kWh' | 'MWh';
export function energyUnitFor(maxWh: number): { unit: EnergyUnit; factor: number } {
  const a = Math.abs(maxWh);
  if (a >= 1e6) return { unit: 'MWh', factor: 1e6 };
  if (a >= 1e3) return { unit: 'kWh', factor: 1e3 };
  return { unit: 'Wh', factor: 1 };
}

/** Energy with three significant digits: `0.0423 Wh`, `12.3 Wh`, `1.23 kWh`. */
export function fmtWh(wh: number): string {
  if (wh === 0) return '0 Wh';
  const { unit, factor } = energyUnitFor(wh);
  return `${sig3(wh / factor)} ${unit}`;
}

/** A range in the unit of its upper end: `0.8–2.1 Wh`. */
export function fmtWhRange(low: number, high: number): string {
  const { unit, factor } = energyUnitFor(Math.max(Math.abs(low), Math.abs(high)));
  return `${sig3(low / factor)}–${sig3(high / factor)} ${unit}`;
}

/** US dollars: cents from ten cents up (`$0.50`, `$12.34`), three significant digits below
 *  (`$0.0123`, `$0.000423`), so small local costs are not shown as $0.00. */
export function fmtUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 0.1) {
    return nf('usd2', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(usd);
  }
  return nf('usdSig', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }).format(usd);
}

/** Carbon: `0.58 g CO₂e`, `1.23 kg CO₂e`, `4.5 t CO₂e`. */
export function fmtCo2(g: number): string {
  const a = Math.abs(g);
  if (a >= 1e6) return `${sig3(g / 1e6)} t CO₂e`;
  if (a >= 1e3) return `${sig3(g / 1e3)} kg CO₂e`;
  return `${g === 0 ? '0' : sig3(g)} g CO₂e`;
}

/** A fraction 0–1 as a percentage: `42%`, `4.2%`, `0.42%`. */
export function fmtPct(f: number): string {
  const p = f * 100;
  const a = Math.abs(p);
  const digits = a >= 10 || a === 0 ? 0 : a >= 1 ? 1 : 2;
  return `${nf('pct' + digits, { minimumFractionDigits: 0, maximumFractionDigits: digits }).format(p)}%`;
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

/** A plain number (axis ticks): up to 6 significant digits, grouped. */
export function fmtNumber(v: number): string {
  return nf('plain', { maximumSignificantDigits: 6 }).format(v);
}
