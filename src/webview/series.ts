// Stacks for the daily chart: by model (the largest models by energy, the rest grouped as "Other") or
// local vs cloud. Pure.
import type { DayRow, ModelRow, UsageReport } from '../core/types';

export type StackBy = 'model' | 'location';

/** Theme chart colours, in the order series get them (CSS classes `series-<name>` in panel.css). */
// Orange and yellow are close in the light theme, so yellow comes last (used only with six models).
export const SERIES_COLOURS = ['blue', 'purple', 'orange', 'green', 'red', 'yellow'] as const;
export const OTHER_CLASS = 'series-other';

export interface Series {
  key: string;
  label: string;
  /** CSS class that sets fill (and the legend swatch). */
  cls: string;
  /** Wh per day, aligned with report.days. */
  values: number[];
  total: number;
  /** For "Other": the models it groups. */
  members?: string[];
}

export function buildSeries(days: DayRow[], models: ModelRow[], stackBy: StackBy, maxSeries = SERIES_COLOURS.length): Series[] {
  if (stackBy === 'location') {
    const local = days.map((d) => d.localWh);
    const cloud = days.map((d) => d.cloudWh);
    return [
      { key: 'local', label: 'Local', cls: 'series-green', values: local, total: sum(local) },
      { key: 'cloud', label: 'Cloud', cls: 'series-blue', values: cloud, total: sum(cloud) },
    ];
  }
  // Every model that appears, largest energy first (report.models first, then any only seen in days).
  const whByModel = new Map<string, number>();
  for (const m of models) whByModel.set(m.model, m.wh);
  for (const d of days) for (const k in d.byModel) if (!whByModel.has(k)) whByModel.set(k, 0);
  const ordered = [...whByModel.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const shown = ordered.length <= maxSeries ? ordered : ordered.slice(0, maxSeries - 1);
  const shownSet = new Set(shown);
  const series: Series[] = shown.map((model, i) => {
    const values = days.map((d) => d.byModel[model]?.wh ?? 0);
    return { key: model, label: model, cls: `series-${SERIES_COLOURS[i % SERIES_COLOURS.length]}`, values, total: sum(values) };
  });
  if (shown.length < ordered.length) {
    const members = ordered.filter((m) => !shownSet.has(m));
    const values = days.map((d) => {
      let t = 0;
      for (const k in d.byModel) if (!shownSet.has(k)) t += d.byModel[k].wh;
      return t;
    });
    series.push({ key: '__other__', label: `Other (${members.length} models)`, cls: OTHER_CLASS, values, total: sum(values), members });
  }
  return series;
}

/** The colour class of each model under a by-model stacking (grouped models get OTHER_CLASS). */
export function modelClasses(series: Series[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const s of series) {
    if (s.members) for (const m of s.members) map.set(m, s.cls);
    else map.set(s.key, s.cls);
  }
  return map;
}

function sum(xs: number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

/** Local date YYYY-MM-DD of a Date. */
export function localDayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Every local day of the report's period (start inclusive, end exclusive), with the report's row for
 *  that day or a zero row, so a chart never hides an idle day. Days the report has outside the period
 *  are kept, in order. Falls back to report.days when the period is not usable (or over 3 years). */
export function fillDays(report: UsageReport): DayRow[] {
  const start = new Date(report.period.start);
  const end = new Date(report.period.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) return report.days;
  const byDay = new Map<string, DayRow>();
  for (const d of report.days) byDay.set(d.day, d);
  const out: DayRow[] = [];
  const used = new Set<string>();
  const cursor = new Date(start.getFullYear(), start.getMonth(), start.getDate());
  for (let i = 0; cursor < end; i++) {
    if (i > 1100) return report.days;
    const key = localDayKey(cursor);
    const row = byDay.get(key);
    out.push(row ?? zeroDay(key));
    if (row) used.add(key);
    cursor.setDate(cursor.getDate() + 1);
  }
  if (used.size === byDay.size) return out;
  const extra = report.days.filter((d) => !used.has(d.day));
  return [...out, ...extra].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

function zeroDay(day: string): DayRow {
  return {
    day, requests: 0, tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0 }, wh: 0, whLow: 0, whHigh: 0, usd: 0, gco2e: 0,
    localRequests: 0, localWh: 0, cloudWh: 0, savedWh: 0, savedUsd: 0, byModel: {},
  };
}
