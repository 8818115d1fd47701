// Strict ISO 8601 dates and date-times, in one place for the ledger, the CLI and imports. JavaScript's
// Date.parse is lenient (`"1"` is 2001-01-01, `2026-02-30` is March 2nd, year 10000 is accepted), and a
// record whose `ts` the ledger files under a name its readers never read is a record lost. Accepted here:
//   YYYY-MM-DD                                   (midnight UTC; a calendar day)
//   YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)?   (no offset: local time, as ECMAScript reads it)
// with a real calendar date (month 1–12, day within its month, leap years), hours 0–23, minutes and
// seconds 0–59, and a year from MIN_YEAR to MAX_YEAR.

export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;

const RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Days in month `m` (1–12) of year `y`. */
function daysIn(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** `d` when the character at `i` of `s` is an ASCII digit, else NaN. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * The instant of the form the ledger writes (`YYYY-MM-DDTHH:MM:SS.sssZ`, what toISOString gives), checked
 * as parseIsoDate checks it, without a regular expression; NaN for any other form or an invalid one (which
 * parseIsoDate then reads or rejects the slow way).
 */
function canonicalInstantMs(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  const y = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
  const mo = digitAt(s, 5) * 10 + digitAt(s, 6);
  const d = digitAt(s, 8) * 10 + digitAt(s, 9);
  const h = digitAt(s, 11) * 10 + digitAt(s, 12);
  const mi = digitAt(s, 14) * 10 + digitAt(s, 15);
  const sec = digitAt(s, 17) * 10 + digitAt(s, 18);
  const ms = digitAt(s, 20) * 100 + digitAt(s, 21) * 10 + digitAt(s, 22);
  // NaN (a non-digit) fails every comparison below.
  if (!(y >= MIN_YEAR && y <= MAX_YEAR && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** Milliseconds since the epoch of a strict ISO 8601 date or date-time, or why it is not one. */
export function parseIsoDate(text: string): { ok: true; ms: number; dateOnly: boolean } | { ok: false; reason: string } {
  const fast = canonicalInstantMs(text);
  if (fast === fast) return { ok: true, ms: fast, dateOnly: false };
  const m = RE.exec(text.trim());
  if (!m) return { ok: false, reason: 'not an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)' };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return { ok: false, reason: `the year ${y} is outside ${MIN_YEAR}–${MAX_YEAR}` };
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return { ok: false, reason: `${m[1]}-${m[2]}-${m[3]} is not a calendar date` };
  if (m[4] === undefined) return { ok: true, ms: Date.UTC(y, mo - 1, d), dateOnly: true };
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return { ok: false, reason: `${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''} is not a time of day` };
  const ms = Date.parse(text.trim().replace(' ', 'T'));
  if (!Number.isFinite(ms)) return { ok: false, reason: 'not a valid date-time' };
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const off = /^[+-](\d{2}):?(\d{2})$/.exec(m[8])!;
    if (Number(off[1]) > 23 || Number(off[2]) > 59) return { ok: false, reason: `the offset ${m[8]} is not valid` };
  }
  const year = new Date(ms).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, reason: `the instant falls in ${year}, outside ${MIN_YEAR}–${MAX_YEAR}` };
  return { ok: true, ms, dateOnly: false };
}

/** True when `ts` is an ISO 8601 instant in the sane year range (the ledger's rule for `ts`). */
export function isSaneTimestamp(ts: string): boolean {
  const r = parseIsoDate(ts);
  return r.ok;
}
