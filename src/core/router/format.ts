// Number formatting for the router's one-line reasons.

/** `0.0043 Wh`, `0.31 Wh`, `12.4 Wh`: two significant figures below 10 Wh. */
export function fmtWh(wh: number): string {
  return `${fmtNumber(wh)} Wh`;
}

/** `$0.0012`, `$0.31`, `$12.40`. */
export function fmtUsd(usd: number): string {
  if (!Number.isFinite(usd)) return `$${usd}`;
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 10) return `$${usd.toFixed(2)}`;
  return `$${sig2(usd)}`;
}

/** `850`, `12k`, `1.2M`. */
export function fmtTokens(tokens: number): string {
  if (tokens < 1000) return String(Math.round(tokens));
  if (tokens < 1_000_000) {
    const k = tokens / 1000;
    return `${k < 10 ? Number(k.toFixed(1)) : Math.round(k)}k`;
  }
  return `${Number((tokens / 1_000_000).toFixed(1))}M`;
}

/** Capability scores: integers as is, others with one decimal. */
export function fmtScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}

/** `4.2×`, `78×`; `about the same` near 1. */
export function fmtRatio(value: number, base: number): string {
  if (!(base > 0) || !Number.isFinite(value)) return 'more';
  const r = value / base;
  if (r < 1.05) return 'about the same';
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return sig2(x);
}

function sig2(x: number): string {
  // toPrecision(2) then strip the exponent form and trailing zeros: 0.0043, 0.31, 1.2
  return String(Number(x.toPrecision(2)));
}
