// Hand-written SVG charts. Each SVG has role="img" and an aria-label that states its numbers in words;
// the same numbers are in a table beside it. Geometry goes in attributes; colours in CSS classes.
import type { DayRow } from '../core/types';
import type { ProjectedBudgetLine } from '../vscode/usagePanel/protocol';
import { s } from './dom';
import { dayOfMonth, energyUnitFor, fmtNumber, fmtDay, fmtDayShort, fmtMonth, fmtTokensCompact, fmtUsd, fmtWh, niceTicks } from './format';
import type { Series } from './series';

const HEIGHT = 220;
const M = { top: 12, right: 8, bottom: 34, left: 56 };

/** Stacked daily bars of Wh. `width` in CSS pixels (the container's). */
export function dailyChart(days: DayRow[], series: Series[], width: number, stackLabel: string): SVGSVGElement {
  const W = Math.max(280, Math.floor(width));
  const plotW = W - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const n = days.length;
  const stackTotals = new Array<number>(n).fill(0);
  for (const se of series) for (let i = 0; i < n; i++) stackTotals[i] += se.values[i];
  let max = 0;
  let maxAt = -1;
  for (let i = 0; i < n; i++) if (stackTotals[i] > max) { max = stackTotals[i]; maxAt = i; }
  const { unit, factor } = energyUnitFor(max);
  const ticks = niceTicks(max / factor, 4);
  const top = ticks[ticks.length - 1] * factor;
  const y = (wh: number) => M.top + plotH - (top > 0 ? (wh / top) * plotH : 0);

  const total = stackTotals.reduce((a, b) => a + b, 0);
  const label = n === 0 ? 'Daily energy: no days in this period.' :
    `Daily energy in watt-hours, stacked by ${stackLabel}, ${n} days from ${fmtDay(days[0].day)} to ${fmtDay(days[n - 1].day)}. ` +
    `Total ${fmtWh(total)}` + (maxAt >= 0 ? `; highest day ${fmtDay(days[maxAt].day)} at ${fmtWh(max)}.` : '.') +
    ' The table below lists every day.';
  const slot = n > 0 ? plotW / n : plotW;
  const svg = s('svg', { class: slot < 4 ? 'chart daily-chart dense' : 'chart daily-chart', width: W, height: HEIGHT, viewBox: `0 0 ${W} ${HEIGHT}`, role: 'img', 'aria-label': label });
  svg.appendChild(yAxis(ticks, factor, unit, y, W));
  svg.appendChild(stackedBars(series, n, slot, y));
  // Hover targets with a tooltip per day, when days are wide enough to point at.
  if (n > 0 && n <= 92) svg.appendChild(dayHoverTargets(days, stackTotals, slot, plotH));
  svg.appendChild(xLabels(days, slot));
  return svg;
}

/** Grid lines, tick labels and the unit of the y axis. */
function yAxis(ticks: number[], factor: number, unit: string, y: (wh: number) => number, W: number): SVGElement {
  const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
  for (const t of ticks) {
    const yy = y(t * factor);
    grid.appendChild(s('line', { x1: M.left, x2: W - M.right, y1: yy, y2: yy, class: t === 0 ? 'axis' : 'gridline' }));
    grid.appendChild(s('text', { x: M.left - 6, y: yy, class: 'tick tick-y', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, formatTick(t)));
  }
  grid.appendChild(s('text', { x: 4, y: M.top - 2, class: 'tick unit', 'dominant-baseline': 'hanging' }, unit));
  return grid;
}

/** Bars: one <path> per series (a rectangle sub-path per day), so a year is a handful of elements. */
function stackedBars(series: Series[], n: number, slot: number, y: (wh: number) => number): SVGElement {
  const gap = slot >= 8 ? Math.min(slot * 0.25, 12) : slot >= 3 ? 1 : 0;
  const barW = round(Math.max(0.5, slot - gap));
  const acc = new Array<number>(n).fill(0);
  const bars = s('g', { class: 'bars' });
  for (const se of series) {
    let d = '';
    for (let i = 0; i < n; i++) {
      const v = se.values[i];
      if (!(v > 0)) continue;
      const y1 = round(y(acc[i] + v));
      const hgt = round(Math.max(0.5, y(acc[i]) - y(acc[i] + v)));
      acc[i] += v;
      d += `M${round(M.left + i * slot + gap / 2)} ${y1}h${barW}v${hgt}h${-barW}Z`;
    }
    if (d) bars.appendChild(s('path', { d, class: `bar ${se.cls}`, 'data-series': se.key }));
  }
  return bars;
}

/** A transparent rectangle per day with a tooltip of its figures. */
function dayHoverTargets(days: DayRow[], stackTotals: number[], slot: number, plotH: number): SVGElement {
  const hits = s('g', { class: 'hits' });
  for (let i = 0; i < days.length; i++) {
    if (stackTotals[i] <= 0) continue;
    const d = days[i];
    const r = s('rect', { x: round(M.left + i * slot), y: M.top, width: round(slot), height: plotH, class: 'hit' });
    r.appendChild(s('title', {}, `${fmtDay(d.day)}: ${fmtWh(d.wh)} · ${fmtTokensCompact(d.tokens.input)} in, ${fmtTokensCompact(d.tokens.output)} out · ${fmtUsd(d.usd)}`));
    hits.appendChild(r);
  }
  return hits;
}

/** X labels: every day when they fit, else every k-th day, else month starts. */
function xLabels(days: DayRow[], slot: number): SVGElement {
  const n = days.length;
  const xl = s('g', { class: 'x-labels', 'aria-hidden': 'true' });
  const base = HEIGHT - M.bottom + 16;
  if (n > 0 && slot >= 14) {
    const every = Math.max(1, Math.ceil(44 / slot));
    for (let i = 0; i < n; i += every) {
      const d = days[i].day;
      const text = slot >= 60 ? fmtDay(d) : fmtDayShort(d, i === 0 || dayOfMonth(d) <= every);
      xl.appendChild(s('text', { x: round(M.left + i * slot + slot / 2), y: base, class: 'tick', 'text-anchor': 'middle' }, text));
    }
  } else {
    let lastX = -Infinity;
    for (let i = 0; i < n; i++) {
      const d = days[i].day;
      if (i !== 0 && dayOfMonth(d) !== 1) continue;
      const x = M.left + i * slot;
      if (x - lastX < 36) continue;
      lastX = x;
      xl.appendChild(s('line', { x1: round(x), x2: round(x), y1: HEIGHT - M.bottom, y2: HEIGHT - M.bottom + 4, class: 'axis' }));
      xl.appendChild(s('text', { x: round(x + 2), y: base, class: 'tick', 'text-anchor': 'start' }, fmtMonth(d)));
    }
  }
  return xl;
}

/** A budget meter: use, reserved, projection and the limit marker, scaled to the largest of them. */
export function budgetBar(line: ProjectedBudgetLine, describe: (v: number) => string): SVGSVGElement {
  const W = 200;
  const H = 14;
  const scaleMax = Math.max(line.limit, line.used + line.reserved, line.projected) || 1;
  const x = (v: number) => round((Math.max(0, v) / scaleMax) * W);
  const label = `${describe(line.used)} used of ${describe(line.limit)}` +
    (line.reserved > 0 ? `, ${describe(line.reserved)} reserved` : '') +
    (line.period !== 'session' ? `; projected ${describe(line.projected)} by the end of the ${line.period}` : '') + '.';
  const svg = s('svg', { class: `budget-bar level-${line.level}`, viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
  svg.appendChild(s('rect', { x: 0, y: 0, width: W, height: H, class: 'track' }));
  if (line.projected > line.used) svg.appendChild(s('rect', { x: 0, y: 3, width: x(line.projected), height: H - 6, class: 'projected' }));
  if (line.reserved > 0) svg.appendChild(s('rect', { x: x(line.used), y: 0, width: Math.max(0, x(line.used + line.reserved) - x(line.used)), height: H, class: 'reserved' }));
  svg.appendChild(s('rect', { x: 0, y: 0, width: x(line.used), height: H, class: 'used' }));
  svg.appendChild(s('line', { x1: x(line.limit), x2: x(line.limit), y1: 0, y2: H, class: 'limit', 'vector-effect': 'non-scaling-stroke' }));
  return svg;
}

/** Local vs cloud share of energy as one bar. */
export function splitBar(localWh: number, cloudWh: number): SVGSVGElement {
  const W = 200;
  const H = 10;
  const total = localWh + cloudWh;
  const lw = total > 0 ? round((localWh / total) * W) : 0;
  const svg = s('svg', {
    class: 'split-bar', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': total > 0 ? `Energy: local ${fmtWh(localWh)}, cloud ${fmtWh(cloudWh)}.` : 'No energy used yet.',
  });
  svg.appendChild(s('rect', { x: 0, y: 0, width: W, height: H, class: 'track' }));
  if (lw > 0) svg.appendChild(s('rect', { x: 0, y: 0, width: lw, height: H, class: 'series-green' }));
  if (total > 0 && lw < W) svg.appendChild(s('rect', { x: lw, y: 0, width: W - lw, height: H, class: 'series-blue' }));
  return svg;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function formatTick(v: number): string {
  return fmtNumber(v);
}
