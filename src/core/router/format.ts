// Number formatting for the router's one-line reasons: units come from core/format.ts (one rule for
// every surface); scores and ratios are the router's own.

export { formatWh as fmtWh, formatUsd as fmtUsd, formatTokens as fmtTokens } from '../format';

/** Capability scores: integers as is, others with one decimal. */
export function fmtScore(score: number): string {
  let s = SCORES.get(score);
  if (s === undefined) {
    s = Number.isInteger(score) ? String(score) : score.toFixed(1);
    // Catalog scores and requirements are a small set of values; the bound keeps an odd caller harmless.
    if (SCORES.size >= 4096) SCORES.clear();
    SCORES.set(score, s);
  }
  return s;
}

const SCORES = new Map<number, string>();

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
