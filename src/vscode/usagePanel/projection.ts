// End-of-period projection of budget use, shown beside each budget line in the usage panel.
// No `vscode` import.
//
// Method (linear): a period (day, week, month; local time) has run for a fraction f of its length;
// the use so far is `used`; if use continues at the same average rate, the period ends at used / f.
//   - f is measured in real milliseconds between the period's local start and end, so a 23- or 25-hour
//     day around a daylight-saving change is handled.
//   - Early in a period f is tiny and used / f explodes (one request in the first minute of a month
//     would "project" 40,000 times its cost). f is therefore floored at `minElapsedFraction`
//     (default 0.05: 72 minutes of a day, 8.4 hours of a week, about 1.5 days of a month).
//   - Once the period is over (f >= 1) the projection is the use itself.
//   - A session has no known end: its projection is its use.
//   - `reserved` (requests in flight) is not projected: it is momentary.
// The projection is never below `used`.
import type { BudgetLine, BudgetPeriod } from '../../core/types';
import type { ProjectedBudgetLine } from './protocol';

export const DEFAULT_MIN_ELAPSED_FRACTION = 0.05;

export interface PeriodBounds { start: Date; end: Date }

/** Local-time bounds of the day, week or month that contains `now`. `weekStartsOn`: 0 = Sunday,
 *  1 = Monday (ISO 8601, the default). */
export function periodBounds(period: Exclude<BudgetPeriod, 'session'>, now: Date, weekStartsOn = 1): PeriodBounds {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  switch (period) {
    case 'day':
      return { start: new Date(y, m, d), end: new Date(y, m, d + 1) };
    case 'week': {
      const back = (now.getDay() - weekStartsOn + 7) % 7;
      return { start: new Date(y, m, d - back), end: new Date(y, m, d - back + 7) };
    }
    case 'month':
      return { start: new Date(y, m, 1), end: new Date(y, m + 1, 1) };
  }
}

/** Fraction of the period elapsed at `now`, clamped to [0, 1]. */
export function elapsedFraction(bounds: PeriodBounds, now: Date): number {
  const length = bounds.end.getTime() - bounds.start.getTime();
  if (!(length > 0)) return 1;
  const f = (now.getTime() - bounds.start.getTime()) / length;
  return Math.min(1, Math.max(0, f));
}

/** Linear projection of `used` to the end of a period of which `elapsed` (0–1) has passed. */
export function projectLinear(used: number, elapsed: number, minElapsedFraction = DEFAULT_MIN_ELAPSED_FRACTION): number {
  if (!(used > 0)) return Math.max(0, used || 0);
  if (elapsed >= 1) return used;
  const f = Math.max(elapsed, minElapsedFraction, Number.MIN_VALUE);
  return Math.max(used, used / f);
}

export interface ProjectionOptions { weekStartsOn?: number; minElapsedFraction?: number }

/** Adds `projected` to each budget line (session lines project to their use). */
export function projectBudgetLines(lines: readonly BudgetLine[], now: Date, opts: ProjectionOptions = {}): ProjectedBudgetLine[] {
  return lines.map((line) => {
    if (line.period === 'session') return { ...line, projected: Math.max(0, line.used) };
    const f = elapsedFraction(periodBounds(line.period, now, opts.weekStartsOn ?? 1), now);
    return { ...line, projected: projectLinear(line.used, f, opts.minElapsedFraction) };
  });
}
