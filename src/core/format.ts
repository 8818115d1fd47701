// The one place Rightsize turns a quantity into text: the status bar, router reasons, budget messages,
// the usage panel (bundled into the webview) and the CLI all use these. One rule throughout:
// three significant digits; money at cents from $0.10 up; amounts too small to show at three digits of
// their unit say so ("< $0.0001", "< 0.0001 Wh") instead of printing 0.0000066.
// Pure (Intl only, no Node or DOM), so the webview bundle imports it too. In en-US the text is made
// without Intl (formatEnUs.ts: the same text, without loading ICU's locale data into a status line).
import { EnUsStyle, formatEnUs } from './formatEnUs';

let locale: string | undefined = 'en-US';
const numberFormats = new Map<string, Intl.NumberFormat>();

/** The locale of every formatter (the panel passes VS Code's language; the rest stay en-US). */
export function setFormatLocale(l: string | undefined): void {
  locale = l;
  numberFormats.clear();
}

/** Intl formatters cost ~0.1 ms to construct: one per option set, reused. */
function nf(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = numberFormats.get(key);
  if (!f) { f = new Intl.NumberFormat(locale, opts); numberFormats.set(key, f); }
  return f;
}

/** `n` as Intl.NumberFormat(locale, opts) writes it (`style`: the same options for formatEnUs). */
function text(key: string, opts: Intl.NumberFormatOptions, style: EnUsStyle, n: number): string {
  return (locale === 'en-US' ? formatEnUs(n, style) : undefined) ?? nf(key, opts).format(n);
}

function sig3(n: number): string {
  return text('sig3', { maximumSignificantDigits: 3 }, { maxSignificant: 3 }, n);
}

/** Below this a Wh, gram or dollar amount is shown as "< 0.0001 …". */
export const SMALLEST_SHOWN = 0.0001;

/** A whole count with grouping: `12,066`. */
export function formatCount(n: number): string {
  return text('int', { maximumFractionDigits: 0 }, { maxFraction: 0 }, Math.round(n));
}

/** `1 request`, `12 requests`. */
export function formatRequests(n: number): string {
  return `${formatCount(n)} ${Math.round(n) === 1 ? 'request' : 'requests'}`;
}

/** Tokens, compact, no unit: `950`, `1.23k`, `12.3k`, `4.56M`, `1.2B`. */
export function formatTokens(tokens: number): string {
  const a = Math.abs(tokens);
  if (a < 1000) return formatCount(tokens);
  if (a < 1e6) return `${sig3(tokens / 1e3)}k`;
  if (a < 1e9) return `${sig3(tokens / 1e6)}M`;
  return `${sig3(tokens / 1e9)}B`;
}

/** Tokens with their unit: `950 tokens`, `12.3k tokens`. */
export function formatTokensWithUnit(tokens: number): string {
  return `${formatTokens(tokens)} tokens`;
}

export type EnergyUnit = 'Wh' | 'kWh' | 'MWh';
/** The unit a chart or range whose largest value is `maxWh` is shown in. */
export function energyUnitFor(maxWh: number): { unit: EnergyUnit; factor: number } {
  const a = Math.abs(maxWh);
  if (a >= 1e6) return { unit: 'MWh', factor: 1e6 };
  if (a >= 1e3) return { unit: 'kWh', factor: 1e3 };
  return { unit: 'Wh', factor: 1 };
}

/** "< 0.0001 <unit>" for non-zero amounts too small to show, else undefined. */
function tooSmall(value: number, unit: string, prefix = ''): string | undefined {
  if (value === 0 || Math.abs(value) >= SMALLEST_SHOWN) return undefined;
  return `${value < 0 ? '-' : ''}< ${prefix}${text('smallest', { maximumSignificantDigits: 1 }, { maxSignificant: 1 }, SMALLEST_SHOWN)}${unit}`;
}

/** Energy: `0.0423 Wh`, `12.3 Wh`, `1.23 kWh`, `< 0.0001 Wh`. */
export function formatWh(wh: number): string {
  if (!Number.isFinite(wh)) return `${wh} Wh`;
  if (wh === 0) return '0 Wh';
  const small = tooSmall(wh, ' Wh');
  if (small) return small;
  const { unit, factor } = energyUnitFor(wh);
  return `${sig3(wh / factor)} ${unit}`;
}

/** A range in the unit of its upper end: `0.8–2.1 Wh`. */
export function formatWhRange(low: number, high: number): string {
  const { unit, factor } = energyUnitFor(Math.max(Math.abs(low), Math.abs(high)));
  if (Math.max(Math.abs(low), Math.abs(high)) < SMALLEST_SHOWN) return formatWh(high);
  return `${sig3(low / factor)}–${sig3(high / factor)} ${unit}`;
}

/** US dollars: cents from ten cents up (`$0.50`, `$12.34`, `$1,234.00`), three significant digits below
 *  (`$0.0423`, `$0.000423` is shown as `< $0.0001`), `$0.00` for nothing. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return `$${usd}`;
  const small = tooSmall(usd, '', '$');
  if (small) return small;
  if (usd === 0 || Math.abs(usd) >= 0.1) {
    return text('usd2', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }, { usd: true, minFraction: 2, maxFraction: 2 }, usd);
  }
  return text('usdSig', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }, { usd: true, maxSignificant: 3 }, usd);
}

/** Carbon: `0.58 g CO2e`, `1.23 kg CO2e`, `4.5 t CO2e`, `< 0.0001 g CO2e`. */
export function formatGrams(g: number): string {
  if (!Number.isFinite(g)) return `${g} g CO2e`;
  const small = tooSmall(g, ' g CO2e');
  if (small) return small;
  const a = Math.abs(g);
  if (a >= 1e6) return `${sig3(g / 1e6)} t CO2e`;
  if (a >= 1e3) return `${sig3(g / 1e3)} kg CO2e`;
  return `${g === 0 ? '0' : sig3(g)} g CO2e`;
}

export type AmountUnit = 'tokens' | 'wh' | 'usd';

/** The short name of a budget unit: `USD`, `Wh`, or `tokenWord` (`tokens`, `token` before a noun). */
export function unitSymbol(unit: AmountUnit, tokenWord = 'tokens'): string {
  return unit === 'usd' ? 'USD' : unit === 'wh' ? 'Wh' : tokenWord;
}

/** An amount in a budget unit: `$0.0423`, `1.23 Wh`, `12,066 tokens` (budgets are set in exact tokens: shown
 *  exactly), or with `tokens: 'compact'` `12.1k tokens` where room is short; `tokenWord` replaces `tokens`. */
export function formatAmount(unit: AmountUnit, v: number, o: { tokens?: 'exact' | 'compact'; tokenWord?: string } = {}): string {
  if (unit === 'usd') return formatUsd(v);
  if (unit === 'wh') return formatWh(v);
  return `${o.tokens === 'compact' ? formatTokens(v) : formatCount(v)} ${o.tokenWord ?? 'tokens'}`;
}

/** A fraction 0–1 as a percentage: `42%`, `4.2%`, `0.42%`. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  const a = Math.abs(p);
  const digits = a >= 10 || a === 0 ? 0 : a >= 1 ? 1 : 2;
  return `${text('pct' + digits, { minimumFractionDigits: 0, maximumFractionDigits: digits }, { minFraction: 0, maxFraction: digits }, p)}%`;
}

/** A plain number (axis ticks, scores): up to 6 significant digits, grouped. */
export function formatNumber(v: number): string {
  return text('plain', { maximumSignificantDigits: 6 }, { maxSignificant: 6 }, v);
}

/** Bytes in binary units: 812 B, 4.2 KiB, 1.5 MiB, 1.02 GiB. */
export function formatBytes(bytes: number): string {
  const n = Math.abs(bytes);
  if (n < 1024) return `${Math.round(bytes)} B`;
  if (n < 1024 ** 2) return `${sig3(bytes / 1024)} KiB`;
  if (n < 1024 ** 3) return `${sig3(bytes / 1024 ** 2)} MiB`;
  return `${sig3(bytes / 1024 ** 3)} GiB`;
}

/** Milliseconds for humans: 42 ms, 3.4 s, 2 min 5 s. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${sig3(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
