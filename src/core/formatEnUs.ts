// en-US number text without Intl, for format.ts: the first Intl.NumberFormat of a process loads ICU's
// locale data, ~50–150 ms of a status line that must take ≤ 50 ms in all. Same text as
// Intl.NumberFormat('en-US') for the option sets format.ts uses (tested against Intl on a few hundred
// thousand values, halfway cases included): ICU rounds the shortest round-trip decimal form of the
// double half away from zero, and so does this. Anything else returns undefined (the caller uses Intl).

/** What format.ts asks of a number: significant digits, or fraction digits (min–max), plain or as USD. */
export interface EnUsStyle {
  maxSignificant?: number;
  minFraction?: number;
  maxFraction?: number;
  usd?: boolean;
}

/** `digits` with d[0] at 10^exp (no leading zeros), rounded half away from zero to `keep` digits. */
function round(digits: string, exp: number, keep: number): { digits: string; exp: number } {
  if (keep >= digits.length) return { digits, exp };
  if (keep < 0) return { digits: '', exp };
  const up = digits.charCodeAt(keep) >= 53; // '5'
  let head = digits.slice(0, keep);
  if (!up) return { digits: head, exp };
  let i = head.length - 1;
  while (i >= 0 && head[i] === '9') i--;
  if (i < 0) return { digits: '1', exp: exp + 1 }; // 9.99 → 10.0 (or nothing kept → one unit of the next place)
  head = head.slice(0, i) + String.fromCharCode(head.charCodeAt(i) + 1);
  return { digits: head, exp };
}

function group(int: string): string {
  if (int.length <= 3) return int;
  let out = int.slice(0, int.length % 3 || 3);
  for (let i = out.length; i < int.length; i += 3) out += ',' + int.slice(i, i + 3);
  return out;
}

export function formatEnUs(n: number, style: EnUsStyle): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const negative = n < 0 || Object.is(n, -0);
  const a = Math.abs(n);
  let digits = '';
  let exp = 0;
  if (a !== 0) {
    const s = a.toExponential(); // the shortest round-trip digits, as ICU reads a double
    const e = s.indexOf('e');
    digits = s[1] === '.' ? s[0] + s.slice(2, e) : s.slice(0, e);
    exp = Number(s.slice(e + 1));
  }
  if (digits) {
    const keep = style.maxSignificant !== undefined ? style.maxSignificant : exp + 1 + (style.maxFraction ?? 0);
    ({ digits, exp } = round(digits, exp, keep));
    digits = digits.replace(/0+$/, '');
  }
  let int: string;
  let frac: string;
  if (!digits) { int = '0'; frac = ''; }
  else if (exp >= 0) { int = digits.slice(0, exp + 1).padEnd(exp + 1, '0'); frac = digits.slice(exp + 1); }
  else { int = '0'; frac = '0'.repeat(-exp - 1) + digits; }
  const minFraction = style.maxSignificant !== undefined ? 0 : style.minFraction ?? 0;
  if (frac.length < minFraction) frac = frac.padEnd(minFraction, '0');
  const body = group(int) + (frac ? '.' + frac : '');
  return (negative ? '-' : '') + (style.usd ? '$' : '') + body;
}
