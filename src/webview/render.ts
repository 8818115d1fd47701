// Builds the panel's content from a PanelState. Everything the charts show is also in a table.
import type { BudgetUnit, DayRow, ModelRow, Totals, TopRequest, UsageReport } from '../core/types';
import type { LearnedRow, PanelState, ProjectedBudgetLine, WebviewMessage } from '../vscode/usagePanel/protocol';
import { formatAmount } from '../core/format';
import { budgetBar, dailyChart, splitBar } from './charts';
import { h, num } from './dom';
import {
  fmtCo2, fmtCount, fmtDay, fmtPct, fmtRequests, fmtTime, fmtTokensCompact, fmtUsd, fmtWh, fmtWhRange,
} from './format';
import { buildSeries, fillDays, localDayKey, modelClasses, OTHER_CLASS, type Series, type StackBy } from './series';

export interface UiState {
  stackBy: StackBy;
  /** Ids of <details> the user opened. */
  open: Set<string>;
}

export interface RenderContext {
  post(msg: WebviewMessage): void;
  ui: UiState;
  /** Called when the user changes the stacking (the caller persists it and re-renders). */
  setStackBy(stackBy: StackBy): void;
}

const RANGE_LABEL: Record<PanelState['filter']['range'], string> = {
  week: 'This week', lastWeek: 'Last week', last30Days: 'Last 30 days',
};

/** Replaces `root`'s children with the rendered state. Returns a function that redraws the daily
 *  chart at a new width (for resizes) and the width it was drawn at, or undefined when there is no chart. */
export function renderState(root: HTMLElement, state: PanelState, ctx: RenderContext): { redraw: (width: number) => void; width: number } | undefined {
  const { report, session } = state;
  const sections: HTMLElement[] = [];
  const empty = report.totals.requests === 0 && session.requests === 0;
  let chartHost: HTMLElement | undefined;
  let series: Series[] = [];
  let days: DayRow[] = [];

  if (empty) {
    sections.push(emptyState(state));
  } else {
    sections.push(nowSection(session));
    sections.push(periodSection(state));
  }
  sections.push(budgetSection(state.budgets, ctx));
  if (state.learned) sections.push(learnedSection(state.learned, ctx));
  if (!empty && report.totals.requests > 0) {
    days = fillDays(report);
    series = buildSeries(days, report.models, ctx.ui.stackBy);
    const daily = dailySection(report, days, series, ctx);
    chartHost = daily.chartHost;
    sections.push(daily.section);
    sections.push(modelSection(report, ctx.ui.stackBy === 'model' ? modelClasses(series) : undefined, ctx));
    if (report.top.length > 0) sections.push(topSection(report.top));
  } else if (!empty) {
    sections.push(h('section', { class: 'card-section', 'aria-labelledby': 'period-empty-h' },
      h('h2', { id: 'period-empty-h' }, 'No requests in this period'),
      h('p', {}, state.filter.range !== 'last30Days' || state.filter.workspace !== 'all'
        ? 'Try a longer period (Last 30 days) or All workspaces.'
        : 'No requests were recorded in the last 30 days.')));
  }
  sections.push(notes(report));
  // The chart spans the content's width: read it before the new content is in the document, so the
  // first render does not force a layout of everything it builds.
  const width = root.clientWidth;
  let draw: ((width: number) => void) | undefined;
  if (chartHost) {
    const host = chartHost;
    const stackLabel = ctx.ui.stackBy === 'model' ? 'model' : 'local versus cloud';
    draw = (w: number) => { host.replaceChildren(dailyChart(days, series, w, stackLabel)); };
    draw(width);
  }
  root.replaceChildren(...sections);
  return draw ? { redraw: draw, width } : undefined;
}

// -- sections ------------------------------------------------------------------------------------

function emptyState(state: PanelState): HTMLElement {
  const wsLabel = state.filter.workspace === 'this' ? 'this workspace' : 'any workspace';
  return h('section', { class: 'empty', 'aria-labelledby': 'empty-h', id: 'empty-state' },
    h('h2', { id: 'empty-h' }, 'No usage yet'),
    h('p', {}, `Rightsize has not metered any request in ${wsLabel} for ${RANGE_LABEL[state.filter.range].toLowerCase()}.`),
    h('p', {}, 'To fill this panel:'),
    h('ol', {},
      h('li', {}, 'Open the Chat view, pick a Rightsize model in the model picker, and ask something: Rightsize routes it to the smallest capable model and meters it.'),
      h('li', {}, 'Or point a tool at the Rightsize gateway, or import another tool\'s logs, so its requests are metered too.'),
      h('li', {}, 'Optionally set a budget for this workspace below, so Rightsize warns you before you overspend.')),
    state.filter.range !== 'last30Days' || state.filter.workspace !== 'all'
      ? h('p', { class: 'muted' }, 'Already used Rightsize? Try Last 30 days or All workspaces above.')
      : null);
}

function nowSection(t: Totals): HTMLElement {
  return h('section', { class: 'card-section', 'aria-labelledby': 'now-h', id: 'now' },
    h('h2', { id: 'now-h' }, 'Now ', h('span', { class: 'muted heading-note' }, 'this session')),
    t.requests === 0 ? h('p', { class: 'muted' }, 'No requests in this session yet.') : totalsCards(t, 'session'));
}

function periodSection(state: PanelState): HTMLElement {
  const { report, filter } = state;
  const t = report.totals;
  const ws = filter.workspace === 'this' ? (state.workspaceName ? `workspace ${state.workspaceName}` : 'this workspace') : 'all workspaces';
  const ms = report.missedSavings;
  const savings = h('div', { class: 'cards savings' },
    card('Saved by routing',
      num('strong', t.savedWh, fmtWh(t.savedWh), { 'data-field': 'period.savedWh' }),
      h('span', {}, num('span', t.savedUsd, fmtUsd(t.savedUsd), { 'data-field': 'period.savedUsd' }),
        t.savedWh < 0 ? ' — the models used cost more than the reference model' : ' vs always using the reference model')),
    card('Missed by not following suggestions',
      num('strong', ms.wh, fmtWh(ms.wh), { 'data-field': 'missed.wh' }),
      h('span', {}, num('span', ms.usd, fmtUsd(ms.usd), { 'data-field': 'missed.usd' }), ' over ',
        num('span', ms.requests, fmtRequests(ms.requests), { 'data-field': 'missed.requests' }),
        ms.wh < 0 || ms.usd < 0
          ? h('span', { class: 'block' }, `Negative: the suggested models would have used more ${ms.wh < 0 && ms.usd < 0 ? 'energy and money' : ms.wh < 0 ? 'energy' : 'money'}.`)
          : null)));
  return h('section', { class: 'card-section', 'aria-labelledby': 'period-h', id: 'period' },
    h('h2', { id: 'period-h' }, `${RANGE_LABEL[filter.range]} `, h('span', { class: 'muted heading-note' }, `${periodText(report)} · ${ws}`)),
    t.requests > 0 ? totalsCards(t, 'period') : h('p', { class: 'muted' }, 'No requests in this period.'),
    t.requests > 0 ? savings : null);
}

function totalsCards(t: Totals, prefix: string): HTMLElement {
  const cloudRequests = t.requests - t.localRequests;
  return h('div', { class: 'cards' },
    card('Requests',
      num('strong', t.requests, fmtCount(t.requests), { 'data-field': `${prefix}.requests` }),
      h('span', {}, num('span', t.localRequests, `${fmtCount(t.localRequests)} local`, { 'data-field': `${prefix}.localRequests` }),
        ' · ', num('span', cloudRequests, `${fmtCount(cloudRequests)} cloud`))),
    card('Tokens',
      h('strong', {}, num('span', t.tokens.input, fmtTokensCompact(t.tokens.input), { 'data-field': `${prefix}.tokensIn` }), ' in'),
      h('span', {}, num('span', t.tokens.output, fmtTokensCompact(t.tokens.output), { 'data-field': `${prefix}.tokensOut` }), ' out',
        t.tokens.cachedInput > 0 ? ` · ${fmtTokensCompact(t.tokens.cachedInput)} cached input` : '')),
    card('Energy',
      num('strong', t.wh, fmtWh(t.wh), { 'data-field': `${prefix}.wh` }),
      h('span', {}, 'range ', h('span', { 'data-field': `${prefix}.whRange`, 'data-low': String(t.whLow), 'data-high': String(t.whHigh) }, fmtWhRange(t.whLow, t.whHigh)))),
    card('Cost', num('strong', t.usd, fmtUsd(t.usd), { 'data-field': `${prefix}.usd` }), h('span', {}, 'US dollars')),
    card('Carbon', num('strong', t.gco2e, fmtCo2(t.gco2e), { 'data-field': `${prefix}.gco2e` }), h('span', {}, 'grid average for your region')),
    card('Local vs cloud energy',
      h('span', { class: 'split-text' },
        h('span', { class: 'part' }, h('span', { class: 'swatch series-green', 'aria-hidden': 'true' }), 'Local ',
          num('span', t.localWh, fmtWh(t.localWh), { 'data-field': `${prefix}.localWh` })),
        h('span', { class: 'part' }, h('span', { class: 'swatch series-blue', 'aria-hidden': 'true' }), 'Cloud ',
          num('span', t.cloudWh, fmtWh(t.cloudWh), { 'data-field': `${prefix}.cloudWh` }))),
      splitBar(t.localWh, t.cloudWh)));
}

function card(title: string, value: Node, sub?: Node): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'card-title' }, title), h('div', { class: 'card-value' }, value), sub ? h('div', { class: 'card-sub muted' }, sub) : null);
}

const PERIOD_LABEL = { session: 'Session', day: 'Today', week: 'This week', month: 'This month' } as const;
const UNIT_LABEL: Record<BudgetUnit, string> = { tokens: 'tokens', wh: 'energy', usd: 'cost' };
const LEVEL_LABEL = { ok: 'OK', warn: 'Near limit', exceeded: 'Exceeded' } as const;


function budgetSection(lines: ProjectedBudgetLine[], ctx: RenderContext): HTMLElement {
  const buttons = h('div', { class: 'button-row' },
    button('Set workspace budget…', () => ctx.post({ type: 'setBudget' }), 'open-set-budget', 'Run "Rightsize: Set Workspace Budget…"'),
    button('Budget settings', () => ctx.post({ type: 'openSettings' }), 'open-settings', 'Open the rightsize.budget settings', 'secondary'));
  const section = h('section', { class: 'card-section', 'aria-labelledby': 'budgets-h', id: 'budgets' },
    h('h2', { id: 'budgets-h' }, 'Budgets ', h('span', { class: 'muted heading-note' }, 'current periods')));
  if (lines.length === 0) {
    section.append(h('p', { class: 'muted' }, 'No budget is set. A budget limits tokens, energy or cost per session, day, week or month, and warns (or routes locally, or blocks cloud requests) when reached.'), buttons);
    return section;
  }
  const rows = lines.map((l) => {
    const f = (v: number) => formatAmount(l.unit, v);
    return h('tr', { 'data-budget': `${l.period}.${l.unit}`, class: `level-${l.level}` },
      h('th', { scope: 'row' }, `${PERIOD_LABEL[l.period]} · ${UNIT_LABEL[l.unit]}`),
      num('td', l.used, f(l.used), { 'data-col': 'used' }),
      num('td', l.limit, f(l.limit), { 'data-col': 'limit' }),
      num('td', l.fraction, fmtPct(l.fraction), { 'data-col': 'fraction' }),
      l.period === 'session' ? h('td', { class: 'num muted' }, '—') : num('td', l.projected, f(l.projected), { 'data-col': 'projected' }),
      h('td', {}, h('span', { class: `level level-${l.level}` }, LEVEL_LABEL[l.level])),
      h('td', { class: 'meter-cell' }, budgetBar(l, f)));
  });
  section.append(
    tableOf('Budget use', ['Budget', 'Used', 'Limit', 'Share used', 'Projected by period end', 'Status', 'Meter'], [1, 2, 3, 4], rows, undefined, 'budget-table'),
    h('p', { class: 'muted small' }, 'Projection: linear — the use so far divided by the fraction of the period elapsed (at least 5% of it is assumed, so the first minutes of a period do not explode). The light bar is the projection, the mark is the limit.'),
    buttons);
  return section;
}

/** “Learned here”: the floors routing learned from the user's escalations in this workspace, and Reset. */
function learnedSection(rows: LearnedRow[], ctx: RenderContext): HTMLElement {
  const section = h('section', { class: 'card-section', 'aria-labelledby': 'learned-h', id: 'learned' },
    h('h2', { id: 'learned-h' }, 'Learned here ', h('span', { class: 'muted heading-note' }, 'from your escalations, this workspace')));
  if (rows.length === 0) {
    section.append(h('p', { class: 'muted', 'data-field': 'learned.none' }, 'Nothing learned yet. When you pick a bigger model after a Rightsize Auto answer, or run “Rightsize: Retry with a Bigger Model”, Auto asks more of the next models for that kind of request here — and relaxes again after answers you accept.'));
    return section;
  }
  const list = h('ul', { class: 'learned-list' }, ...rows.map((r) => {
    const left = Math.max(0, r.holdFor - r.accepted);
    return h('li', { 'data-learned': r.summary },
      h('strong', {}, `learned here: ${r.summary}`), ' ',
      h('span', { class: 'muted' },
        `above ${r.above} · escalated ${r.escalations === 1 ? 'once' : `${fmtCount(r.escalations)}×`} · relaxes after ${fmtCount(left)} more accepted ${left === 1 ? 'answer' : 'answers'} · lapses ${fmtDay(localDayKey(new Date(r.lapses)))}`));
  }));
  section.append(list,
    h('div', { class: 'button-row' },
      button('Reset what routing learned here', () => ctx.post({ type: 'resetLearned' }), 'reset-learned', 'Run "Rightsize: Reset What Routing Learned…" for this workspace', 'secondary')),
    h('p', { class: 'muted small' }, 'Kept on this machine only (never synced). Each decision it changes says so in the routing log.'));
  return section;
}

function dailySection(report: UsageReport, days: DayRow[], series: Series[], ctx: RenderContext): { section: HTMLElement; chartHost: HTMLElement } {
  const select = h('select', { id: 'stack-by' },
    h('option', { value: 'model', selected: ctx.ui.stackBy === 'model' }, 'Model'),
    h('option', { value: 'location', selected: ctx.ui.stackBy === 'location' }, 'Local vs cloud'));
  select.addEventListener('change', () => ctx.setStackBy(select.value === 'location' ? 'location' : 'model'));
  const chartHost = h('div', { class: 'chart-host', id: 'daily-chart' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Chart legend' },
    ...series.map((se) => h('li', {}, h('span', { class: `swatch ${se.cls}`, 'aria-hidden': 'true' }), se.label, ' ',
      h('span', { class: 'muted' }, fmtWh(se.total)))));

  // The per-day table is built when first opened: a year is ~10,000 cells the first render can skip.
  const table = () => {
    const headers = ['Day', 'Requests', 'Input tokens', 'Output tokens', 'Energy', 'Energy range', 'Cost', 'Carbon', ...series.map((se) => se.label)];
    const numeric = headers.map((_, i) => i).filter((i) => i > 0 && i !== 5);
    const rows = days.map((d, i) => dayRow(d, i, series));
    const t = report.totals;
    const foot = h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'Total'),
      num('td', t.requests, fmtCount(t.requests)), num('td', t.tokens.input, fmtCount(t.tokens.input)), num('td', t.tokens.output, fmtCount(t.tokens.output)),
      num('td', t.wh, fmtWh(t.wh)), h('td', {}, fmtWhRange(t.whLow, t.whHigh)), num('td', t.usd, fmtUsd(t.usd)), num('td', t.gco2e, fmtCo2(t.gco2e)),
      ...series.map((se) => num('td', se.total, fmtWh(se.total))));
    return tableOf('Energy, tokens and cost per day', headers, numeric, rows, foot, 'day-table');
  };
  return {
    chartHost,
    section: h('section', { class: 'card-section', 'aria-labelledby': 'daily-h', id: 'daily' },
      h('div', { class: 'section-head' },
        h('h2', { id: 'daily-h' }, 'Energy per day'),
        h('label', { class: 'control' }, 'Stack by ', select)),
      chartHost, legend,
      details('days-table', `Numbers per day (${days.length} ${days.length === 1 ? 'day' : 'days'})`, table, ctx)),
  };
}

function dayRow(d: DayRow, i: number, series: Series[]): HTMLTableRowElement {
  return h('tr', { 'data-day': d.day },
    h('th', { scope: 'row' }, fmtDay(d.day)),
    num('td', d.requests, fmtCount(d.requests), { 'data-col': 'requests' }),
    num('td', d.tokens.input, fmtCount(d.tokens.input), { 'data-col': 'tokensIn' }),
    num('td', d.tokens.output, fmtCount(d.tokens.output), { 'data-col': 'tokensOut' }),
    num('td', d.wh, fmtWh(d.wh), { 'data-col': 'wh' }),
    h('td', {}, fmtWhRange(d.whLow, d.whHigh)),
    num('td', d.usd, fmtUsd(d.usd), { 'data-col': 'usd' }),
    num('td', d.gco2e, fmtCo2(d.gco2e), { 'data-col': 'gco2e' }),
    ...series.map((se) => num('td', se.values[i], fmtWh(se.values[i]))));
}

function modelSection(report: UsageReport, classes: Map<string, string> | undefined, ctx: RenderContext): HTMLElement {
  const t = report.totals;
  const models = [...report.models].sort((a, b) => b.wh - a.wh);
  const rows = models.map((m) => modelRow(m, t.wh, classes));
  const foot = h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'Total'), h('td', {}, ''),
    num('td', t.requests, fmtCount(t.requests)), num('td', t.tokens.input, fmtCount(t.tokens.input)), num('td', t.tokens.output, fmtCount(t.tokens.output)),
    num('td', t.wh, fmtWh(t.wh)), num('td', t.usd, fmtUsd(t.usd)), num('td', t.gco2e, fmtCo2(t.gco2e)),
    h('td', { class: 'num' }, t.wh > 0 ? '100%' : '—'),
    t.requests > 0 ? num('td', t.wh / t.requests, fmtWh(t.wh / t.requests)) : h('td', { class: 'num' }, '—'));
  void ctx;
  return h('section', { class: 'card-section', 'aria-labelledby': 'models-h', id: 'models' },
    h('h2', { id: 'models-h' }, 'Models'),
    tableOf('Use per model', ['Model', 'Where', 'Requests', 'Input tokens', 'Output tokens', 'Energy', 'Cost', 'Carbon', 'Share of energy', 'Energy per request'],
      [2, 3, 4, 5, 6, 7, 8, 9], rows, foot, 'model-table'));
}

function modelRow(m: ModelRow, totalWh: number, classes: Map<string, string> | undefined): HTMLTableRowElement {
  const cls = classes ? classes.get(m.model) ?? OTHER_CLASS : m.location === 'local' ? 'series-green' : 'series-blue';
  const share = totalWh > 0 ? m.wh / totalWh : 0;
  return h('tr', { 'data-model': m.model },
    h('th', { scope: 'row' }, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), m.model),
    h('td', {}, `${m.location} · ${m.provider}`),
    num('td', m.requests, fmtCount(m.requests), { 'data-col': 'requests' }),
    num('td', m.tokens.input, fmtCount(m.tokens.input), { 'data-col': 'tokensIn' }),
    num('td', m.tokens.output, fmtCount(m.tokens.output), { 'data-col': 'tokensOut' }),
    num('td', m.wh, fmtWh(m.wh), { 'data-col': 'wh' }),
    num('td', m.usd, fmtUsd(m.usd), { 'data-col': 'usd' }),
    num('td', m.gco2e, fmtCo2(m.gco2e), { 'data-col': 'gco2e' }),
    num('td', share, fmtPct(share), { 'data-col': 'share' }),
    m.requests > 0 ? num('td', m.wh / m.requests, fmtWh(m.wh / m.requests), { 'data-col': 'whPerRequest' }) : h('td', { class: 'num' }, '—'));
}

function topSection(top: TopRequest[]): HTMLElement {
  const rows = top.map((r) => h('tr', { 'data-request': r.id },
    h('td', {}, h('time', { datetime: r.ts }, fmtTime(r.ts))),
    h('td', {}, r.task),
    h('td', {}, r.model),
    num('td', r.tokens.input, fmtCount(r.tokens.input), { 'data-col': 'tokensIn' }),
    num('td', r.tokens.output, fmtCount(r.tokens.output), { 'data-col': 'tokensOut' }),
    num('td', r.wh, fmtWh(r.wh), { 'data-col': 'wh' }),
    num('td', r.usd, fmtUsd(r.usd), { 'data-col': 'usd' })));
  return h('section', { class: 'card-section', 'aria-labelledby': 'top-h', id: 'top' },
    h('h2', { id: 'top-h' }, 'Most expensive requests'),
    tableOf('Most expensive requests in the period', ['Time', 'Task', 'Model', 'Input tokens', 'Output tokens', 'Energy', 'Cost'], [3, 4, 5, 6], rows, undefined, 'top-table'));
}

function notes(report: UsageReport): HTMLElement {
  return h('section', { class: 'notes muted small', 'aria-label': 'About these numbers' },
    h('p', {}, 'Energy is an estimate: the central value is shown, with its low–high range where one is known. Cloud energy follows from model size and tokens (input and output); local energy from measured or profiled power × time. Carbon = energy × grid intensity. Savings compare each request with the same tokens on the workspace\'s reference model.'),
    report.corruptLines > 0
      ? h('p', { class: 'warning', 'data-field': 'corruptLines' }, `${fmtCount(report.corruptLines)} ledger ${report.corruptLines === 1 ? 'line' : 'lines'} could not be read and ${report.corruptLines === 1 ? 'is' : 'are'} not counted.`)
      : null);
}

// -- helpers -------------------------------------------------------------------------------------

function button(label: string, onClick: () => void, id: string, title: string, cls?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', id, title, class: cls });
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function tableOf(caption: string, headers: string[], numericCols: number[], rows: HTMLTableRowElement[], foot: HTMLTableRowElement | undefined, id: string): HTMLElement {
  const numeric = new Set(numericCols);
  const table = h('table', { id },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...headers.map((label, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : undefined }, label)))));
  const body = h('tbody');
  body.append(...rows);
  table.appendChild(body);
  if (foot) table.appendChild(h('tfoot', {}, foot));
  return h('div', { class: 'table-wrap' }, table);
}

/** A disclosure whose content is built the first time it is open. */
function details(id: string, summary: string, build: () => HTMLElement, ctx: RenderContext): HTMLElement {
  const open = ctx.ui.open.has(id);
  const d = h('details', { id, open }, h('summary', {}, summary));
  let built = false;
  const ensure = () => { if (!built) { built = true; d.appendChild(build()); } };
  if (open) ensure();
  d.addEventListener('toggle', () => {
    if (d.open) { ensure(); ctx.ui.open.add(id); } else ctx.ui.open.delete(id);
  });
  return d;
}

/** The period's first and last local day (period.end is exclusive: a period ending at midnight ends
 *  on the day before). */
function periodText(report: UsageReport): string {
  const start = new Date(report.period.start);
  const end = new Date(new Date(report.period.end).getTime() - 1);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${report.period.start} – ${report.period.end}`;
  const first = localDayKey(start);
  const last = localDayKey(end);
  return first === last ? fmtDay(first) : `${fmtDay(first)} – ${fmtDay(last)}`;
}
