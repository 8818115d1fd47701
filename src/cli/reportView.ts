// How a report Table is shown: a box table sized to the terminal (full columns when they fit, a
// compact set otherwise, as ccusage does), JSON (the shape documented in the README), or CSV.
import { formatCount, formatGrams, formatPercent, formatUsd, formatWh, formatWhRange } from '../core/format';
import type { GroupBy, Table, TableRow } from '../core/report';
import type { Totals } from '../core/types';
import { Cell, Column, renderBoxTable } from './boxTable';
import { csvCell } from './commands/export';

export interface ReportMeta {
  report: string;
  title: string;
  range: { start: string | null; end: string; timeZone: string };
  filters: { workspace: string | null; model: string | null };
  unreadableLines: number;
}

const LABELS: Record<GroupBy, string> = {
  day: 'Date', week: 'Week of', month: 'Month', session: 'Session', model: 'Model', workspace: 'Workspace',
  provider: 'Provider', location: 'Where', task: 'Task', surface: 'Surface',
};

// --- JSON and CSV --------------------------------------------------------------------------------

export function totalsJson(t: Totals): Record<string, number> {
  return {
    requests: t.requests,
    inputTokens: t.tokens.input,
    cachedInputTokens: t.tokens.cachedInput,
    outputTokens: t.tokens.output,
    reasoningTokens: t.tokens.reasoning,
    totalTokens: t.tokens.input + t.tokens.output,
    wh: t.wh, whLow: t.whLow, whHigh: t.whHigh,
    usd: t.usd,
    gco2e: t.gco2e,
    localRequests: t.localRequests,
    localShare: t.requests ? t.localRequests / t.requests : 0,
    savedWh: t.savedWh,
    savedUsd: t.savedUsd,
  };
}

function rowJson(r: TableRow): Record<string, unknown> {
  return {
    key: r.key,
    label: r.label,
    ...totalsJson(r.totals),
    modelsUsed: r.models,
    ...(r.workspace ? { workspace: r.workspace } : {}),
    ...(r.firstMs !== undefined ? { firstActivity: new Date(r.firstMs).toISOString(), lastActivity: new Date(r.lastMs!).toISOString() } : {}),
    ...(r.breakdown ? { breakdown: r.breakdown.map(rowJson) } : {}),
  };
}

export function reportJson(t: Table, meta: ReportMeta): Record<string, unknown> {
  return {
    report: meta.report,
    groupBy: t.groupBy,
    breakdown: t.breakdown ?? null,
    range: meta.range,
    filters: meta.filters,
    rows: t.rows.map(rowJson),
    totals: totalsJson(t.totals),
    missedSavings: t.missedSavings,
    unreadableLines: meta.unreadableLines,
  };
}

const CSV_COLUMNS: Array<[string, (r: TableRow) => unknown]> = [
  ['requests', (r) => r.totals.requests], ['input_tokens', (r) => r.totals.tokens.input], ['cached_input_tokens', (r) => r.totals.tokens.cachedInput],
  ['output_tokens', (r) => r.totals.tokens.output], ['reasoning_tokens', (r) => r.totals.tokens.reasoning],
  ['total_tokens', (r) => r.totals.tokens.input + r.totals.tokens.output], ['wh', (r) => r.totals.wh], ['wh_low', (r) => r.totals.whLow],
  ['wh_high', (r) => r.totals.whHigh], ['usd', (r) => r.totals.usd], ['gco2e', (r) => r.totals.gco2e], ['local_requests', (r) => r.totals.localRequests],
  ['saved_wh', (r) => r.totals.savedWh], ['saved_usd', (r) => r.totals.savedUsd], ['models', (r) => r.models.join(' ')],
];

/** One line per row and one per breakdown row (with its parent's key); no total line. */
export function reportCsv(t: Table): string {
  const head = [t.groupBy, 'label', 'breakdown', ...CSV_COLUMNS.map(([h]) => h)].join(',');
  const line = (key: string, label: string, sub: string, r: TableRow): string => [key, label, sub, ...CSV_COLUMNS.map(([, f]) => f(r))].map(csvCell).join(',');
  const out = [head];
  for (const r of t.rows) {
    out.push(line(r.key, r.label, '', r));
    for (const b of r.breakdown ?? []) out.push(line(r.key, r.label, b.key, b));
  }
  return out.join('\n') + '\n';
}

// --- tables --------------------------------------------------------------------------------------

const grams = (g: number): string => formatGrams(g).replace(' CO2e', '');
const local = (t: Totals): string => (t.requests ? formatPercent(t.localRequests / t.requests) : '-');
const when = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};

interface Metric { column: Column; value: (t: Totals) => string; compact: boolean }

const METRICS: Metric[] = [
  { column: { header: 'Requests', align: 'right' }, value: (t) => formatCount(t.requests), compact: false },
  { column: { header: 'Input', align: 'right' }, value: (t) => formatCount(t.tokens.input), compact: false },
  { column: { header: 'Output', align: 'right' }, value: (t) => formatCount(t.tokens.output), compact: false },
  { column: { header: 'Cache Read', align: 'right' }, value: (t) => formatCount(t.tokens.cachedInput), compact: false },
  { column: { header: 'Total Tokens', align: 'right' }, value: (t) => formatCount(t.tokens.input + t.tokens.output), compact: true },
  { column: { header: 'Energy', align: 'right' }, value: (t) => formatWh(t.wh), compact: true },
  { column: { header: 'Cost (USD)', align: 'right' }, value: (t) => formatUsd(t.usd), compact: true },
  { column: { header: 'CO2e', align: 'right' }, value: (t) => grams(t.gco2e), compact: false },
  { column: { header: 'Local', align: 'right' }, value: local, compact: false },
  { column: { header: 'Saved', align: 'right' }, value: (t) => formatUsd(t.savedUsd), compact: true },
];

/**
 * Columns before the metrics: the row's label, and what the grouping adds. A breakdown row shows what it
 * breaks down by in the first column (a model id, or a workspace's name) and nothing in the columns that
 * describe its parent (a model row's Provider is the model's, not the workspace's).
 */
function leading(g: GroupBy, breakdown: Table['breakdown']): Array<{ column: Column; value: (r: TableRow, sub: boolean) => Cell }> {
  const label: Column = { header: LABELS[g], flexible: g !== 'day' && g !== 'month' && g !== 'week', minWidth: 10 };
  const first = { column: label, value: (r: TableRow, sub: boolean): Cell => (sub ? `  └─ ${breakdown === 'workspace' ? r.label : r.key}` : g === 'workspace' ? r.label : r.key) };
  const models = { column: { header: 'Models', flexible: true, minWidth: 8 } as Column, value: (r: TableRow, sub: boolean): Cell => (sub ? '' : r.models.map((m) => `- ${m}`)) };
  switch (g) {
    case 'session':
      return [first, { column: { header: 'Workspace', flexible: true, minWidth: 8 }, value: (r, sub) => (sub ? '' : r.label) }, models,
        { column: { header: 'Last Activity' }, value: (r, sub) => (sub || r.lastMs === undefined ? '' : when(r.lastMs)) }];
    case 'model':
      // sub-rows per model carry the model's provider as label; sub-rows per workspace the workspace's name
      return [first, { column: { header: 'Provider' }, value: (r, sub) => (sub && breakdown !== 'model' ? '' : r.label) }];
    case 'workspace':
      return [first, { column: { header: 'Id' }, value: (r, sub) => (sub ? '' : r.key) }, models];
    default:
      return [first, models];
  }
}

/** The table for `width` columns (full when it fits, else compact), with a total row. */
export function renderReportTable(t: Table, width: number | undefined, forceCompact: boolean): { text: string; compact: boolean } {
  const lead = leading(t.groupBy, t.breakdown);
  const build = (compact: boolean): { columns: Column[]; rows: Cell[][] } => {
    const metrics = METRICS.filter((m) => !compact || m.compact);
    const columns = [...lead.map((l) => l.column), ...metrics.map((m) => m.column)];
    const rows: Cell[][] = [];
    const push = (r: TableRow, sub: boolean): void => { rows.push([...lead.map((l) => l.value(r, sub)), ...metrics.map((m) => m.value(r.totals))]); };
    for (const r of t.rows) {
      push(r, false);
      for (const b of r.breakdown ?? []) push(b, true);
    }
    rows.push(['Total', ...lead.slice(1).map(() => ''), ...metrics.map((m) => m.value(t.totals))]);
    return { columns, rows };
  };
  let view = build(forceCompact);
  let compact = forceCompact;
  const natural = [...renderBoxTable(view.columns, view.rows).split('\n')[0]].length;
  if (!forceCompact && width !== undefined && natural > width) {
    view = build(true);
    compact = true;
  }
  return { text: renderBoxTable(view.columns, view.rows, { width, ruleBefore: [view.rows.length - 1] }), compact };
}

/** Lines under the table: the energy range, missed savings, unreadable lines, and a compact-mode hint. */
export function reportFooter(t: Table, meta: ReportMeta, compact: boolean): string {
  const out = [`Energy ${formatWhRange(t.totals.whLow, t.totals.whHigh)} (central ${formatWh(t.totals.wh)}); ${formatGrams(t.totals.gco2e)}. Saved vs the reference model: ${formatWh(t.totals.savedWh)}, ${formatUsd(t.totals.savedUsd)}.`];
  if (t.missedSavings.requests) out.push(`Suggestions not followed would have saved ${formatWh(t.missedSavings.wh)} and ${formatUsd(t.missedSavings.usd)} over ${formatCount(t.missedSavings.requests)} requests.`);
  if (meta.unreadableLines) out.push(`${formatCount(meta.unreadableLines)} unreadable ledger line(s) were skipped (corrupt, invalid, or written by a newer version).`);
  if (compact) out.push('Compact view: widen the terminal (or pipe to a file) for input, output, cache, CO2e and local columns.');
  return out.join('\n') + '\n';
}
