// Human formatting of the units Rightsize shows (status bar, CLI tables, messages).

export function formatTokens(tokens: number): string {
  const n = Math.abs(tokens);
  if (n < 1000) return `${Math.round(tokens)}`;
  if (n < 1e6) return `${trim((tokens / 1e3).toFixed(n < 1e4 ? 1 : 0))}k`;
  if (n < 1e9) return `${trim((tokens / 1e6).toFixed(n < 1e7 ? 2 : 1))}M`;
  return `${trim((tokens / 1e9).toFixed(2))}B`;
}

/** Watt-hours with a precision that suits the size: 0.0042 Wh, 0.31 Wh, 12.5 Wh, 3.2 kWh. */
export function formatWh(wh: number): string {
  const n = Math.abs(wh);
  if (n === 0) return '0 Wh';
  if (n >= 1000) return `${trim((wh / 1000).toFixed(n >= 1e4 ? 1 : 2))} kWh`;
  if (n >= 10) return `${trim(wh.toFixed(1))} Wh`;
  if (n >= 0.01) return `${trim(wh.toFixed(n >= 1 ? 2 : 3))} Wh`;
  return `${wh.toPrecision(2)} Wh`;
}

export function formatWhRange(low: number, high: number): string {
  return `${formatWh(low)}–${formatWh(high)}`;
}

/** US dollars: cents precision for large amounts, more digits for the tiny costs of single requests. */
export function formatUsd(usd: number): string {
  const n = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (n === 0) return '$0';
  if (n >= 100) return `${sign}$${n.toFixed(0)}`;
  if (n >= 1) return `${sign}$${n.toFixed(2)}`;
  if (n >= 0.01) return `${sign}$${trim(n.toFixed(3))}`;
  return `${sign}$${n.toPrecision(2)}`;
}

export function formatGrams(g: number): string {
  const n = Math.abs(g);
  if (n >= 1000) return `${trim((g / 1000).toFixed(2))} kg CO2e`;
  if (n >= 1) return `${trim(g.toFixed(1))} g CO2e`;
  if (n === 0) return '0 g CO2e';
  return `${g.toPrecision(2)} g CO2e`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
