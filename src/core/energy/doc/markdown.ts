// Small helpers for the generated energy-model document: deterministic number formatting and tables.

/** Three significant digits, no trailing zeros; thousands separated by commas; scientific below 0.001. */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  if (a >= 1000) return int(Number(x.toPrecision(Math.max(digits, 4))));
  const s = x.toPrecision(digits);
  return s.includes('e') ? String(Number(s)) : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** An integer with thousands separators (deterministic, locale-independent). */
export function int(x: number): string {
  const s = String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return x < 0 ? `-${s}` : s;
}

export function ratio(x: number): string {
  return `${x.toFixed(2)}×`;
}

export function range3(r: { low: number; mid: number; high: number }, digits = 3): string {
  return `${num(r.low, digits)} – ${num(r.mid, digits)} – ${num(r.high, digits)}`;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number) => String(typeof v === 'number' ? num(v) : v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function yes(b: boolean): string {
  return b ? 'yes' : '**no**';
}
