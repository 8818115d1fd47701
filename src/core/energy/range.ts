// A value with its uncertainty: the low end, a central estimate and the high end. Formulas are written once,
// for plain numbers, and evaluated at the three ends (`lift`), in the style of EcoLogits' RangeValue
// (ecologits/utils/range_value.py): uncertainty travels through the arithmetic instead of three copies of
// each formula.
//
// Convention: a `Range` of *inputs* is ordered by its effect on the result, so that `lift` maps low inputs to
// the low result. A batch size, which lowers energy as it grows, is therefore written {low: 256, mid: 64,
// high: 32} ("the batch at the low, central and high end of energy"). `ordered()` checks results.

export interface Range<T = number> {
  low: T;
  mid: T;
  high: T;
}

export const ENDS = ['low', 'mid', 'high'] as const;
export type End = (typeof ENDS)[number];

export function range(low: number, mid: number, high: number): Range {
  return { low, mid, high };
}

/** The same value at all three ends (a known number). */
export function exact<T>(x: T): Range<T> {
  return { low: x, mid: x, high: x };
}

/** From published bounds: low = min, central = geometric mean, high = max. */
export function fromBounds(b: { min: number; max: number }): Range {
  return { low: b.min, mid: Math.sqrt(b.min * b.max), high: b.max };
}

export type RangeOr<T = number> = Range<T> | T;

function isRange<T>(x: RangeOr<T>): x is Range<T> {
  return typeof x === 'object' && x !== null && 'low' in x && 'mid' in x && 'high' in x;
}

export function at<T>(x: RangeOr<T>, end: End): T {
  return isRange(x) ? x[end] : x;
}

/** Evaluates a formula written for plain values at each end of its inputs. */
export function lift<A extends unknown[], R>(f: (...args: A) => R): (...args: { [K in keyof A]: RangeOr<A[K]> }) => Range<R> {
  return (...args) => {
    const one = (end: End) => f(...(args.map((a) => at(a as RangeOr<unknown>, end)) as A));
    return { low: one('low'), mid: one('mid'), high: one('high') };
  };
}

export function map<T, R>(r: Range<T>, f: (x: T, end: End) => R): Range<R> {
  return { low: f(r.low, 'low'), mid: f(r.mid, 'mid'), high: f(r.high, 'high') };
}

export function add(...xs: RangeOr[]): Range {
  return lift((...v: number[]) => v.reduce((s, x) => s + x, 0))(...xs);
}

export function scale(r: RangeOr, k: RangeOr): Range {
  return lift((a: number, b: number) => a * b)(r, k);
}

/** True when low <= mid <= high (within floating-point noise). */
export function ordered(r: Range): boolean {
  const eps = 1e-12 * Math.max(1, Math.abs(r.high));
  return r.low <= r.mid + eps && r.mid <= r.high + eps;
}

/** Whether a measured value lies inside [low, high]. */
export function contains(r: Range, x: number): boolean {
  return x >= r.low && x <= r.high;
}
