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

/** Bytes in binary units: 812 B, 4.2 KiB, 1.5 MiB, 1.02 GiB. */
export function formatBytes(bytes: number): string {
  const n = Math.abs(bytes);
  if (n < 1024) return `${Math.round(bytes)} B`;
  if (n < 1024 ** 2) return `${trim((bytes / 1024).toFixed(1))} KiB`;
  if (n < 1024 ** 3) return `${trim((bytes / 1024 ** 2).toFixed(1))} MiB`;
  return `${trim((bytes / 1024 ** 3).toFixed(2))} GiB`;
}

/** Milliseconds for humans: 42 ms, 3.4 s, 2 min 5 s. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim((ms / 1000).toFixed(1))} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A whole count with thousands separators: 12,066. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
