// rightsize report daily|weekly|monthly|session|models|workspaces [--since …] [--until …]
//   [--workspace ID|NAME|PATH] [--model ID] [--group-by G] [--breakdown[=model|workspace]] [--json|--csv]
// Rows per day, week, month, session, model or workspace, with tokens, Wh, USD, gCO2e, the local share
// and what routing saved, read from the ledger's rollups. `--period P` is the older form (one
// period's days and models) and stays for scripts written against it.
import { formatGrams, formatPercent, formatTokens, formatUsd, formatWh } from '../../core/format';
import { GROUP_BYS, GroupBy, Breakdown, buildReport, calendarFor, knownWorkspaces, loadRange, tabulate, zoneId } from '../../core/report';
import type { ReportTimeZone } from '../../core/report';
import { Totals, UsageReport } from '../../core/types';
import { helpText, OptionSpec, parseArgs, ParsedArgs, stringOption, UsageError } from '../args';
import { parseDateRange } from '../dateRange';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { ReportMeta, renderReportTable, reportCsv, reportFooter, reportJson, totalsJson } from '../reportView';
import { renderTable } from '../table';
import { resolveWorkspace } from '../workspaceOption';

const KINDS: Record<string, { groupBy: GroupBy; since: string; title: string }> = {
  daily: { groupBy: 'day', since: '30d', title: 'by day' },
  weekly: { groupBy: 'week', since: '12w', title: 'by week' },
  monthly: { groupBy: 'month', since: '12m', title: 'by month' },
  session: { groupBy: 'session', since: '30d', title: 'by session' },
  models: { groupBy: 'model', since: '30d', title: 'by model' },
  workspaces: { groupBy: 'workspace', since: '30d', title: 'by workspace' },
};
const PERIODS = ['session', 'day', 'week', 'month', 'lastWeek', 'last30Days'] as const;
type Period = typeof PERIODS[number];

const SPEC: Record<string, OptionSpec> = {
  since: { value: true, placeholder: 'WHEN', description: 'From this day: 2026-11-01 (or 20261101), a date-time, today, yesterday, this-week, last-week, this-month, last-month, this-year, all, or 7d / 2w / 3m back (default: 30d; weekly 12w; monthly 12m)' },
  until: { value: true, placeholder: 'WHEN', description: 'Up to and including this day (or before this date-time)' },
  workspace: { value: true, placeholder: 'ID|NAME|DIR', description: 'Only this workspace: its id, its name, or its folder' },
  model: { value: true, placeholder: 'ID', description: 'Only this model id' },
  'group-by': { value: true, placeholder: 'G', description: `Rows per ${GROUP_BYS.join(', ')} (default: the report's own)` },
  breakdown: { optionalValue: true, placeholder: 'model|workspace', description: 'A sub-row per model (or per workspace) inside each row; `report models --breakdown`: per workspace' },
  order: { value: true, placeholder: 'asc|desc', description: 'Oldest first (asc, default) or newest first' },
  'week-start': { value: true, placeholder: 'DAY', description: 'monday (default) or sunday' },
  timezone: { value: true, placeholder: 'TZ', description: 'Day boundaries in this IANA time zone (default: the system\'s); UTC for UTC' },
  compact: { description: 'Compact columns even when the terminal is wide' },
  json: { description: 'JSON (shape in the README: report, groupBy, range, filters, rows[], totals, missedSavings, unreadableLines)' },
  csv: { description: 'CSV, one line per row and per breakdown row' },
  period: { value: true, placeholder: 'P', description: `Older form: one of ${PERIODS.join(', ')} (days and models of that period)` },
  session: { value: true, placeholder: 'ID', description: 'With --period session: this session id instead of the latest' },
  ...LEDGER_OPTION,
  help: { description: 'Show this help' },
};

export const reportHelp = helpText('rightsize report daily|weekly|monthly|session|models|workspaces [options]',
  'Usage rows with requests, tokens, Wh, USD, gCO2e, the local share and what routing saved, and a total.\nExamples: rightsize report daily --since 7d --breakdown;  rightsize report monthly --json;\n          rightsize report session --workspace . --since this-week;  rightsize report daily --group-by task', SPEC);

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(reportHelp); return 0; }
  const tz = stringOption(args, 'timezone');
  return withTimeZone(tz, () => {
    if (args.positionals.length === 0 && args.options.has('period')) return periodReport(args, io);
    const kind = args.positionals[0] ?? 'daily';
    if (!KINDS[kind]) throw new UsageError(`unknown report "${kind}" (one of ${Object.keys(KINDS).join(', ')})`);
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
    return tableReport(kind, args, io, tz === 'UTC' ? 'UTC' : 'local');
  });
}

/** Runs `f` with process.env.TZ set to `tz` (validated), restoring it after. */
async function withTimeZone<T>(tz: string | undefined, f: () => Promise<T>): Promise<T> {
  if (tz === undefined || tz === 'UTC') return f();
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new UsageError(`--timezone ${tz} is not a time zone (e.g. Europe/Paris, America/New_York, UTC)`);
  }
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = stringOption(args, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

async function tableReport(kind: string, args: ParsedArgs, io: CliIo, zone: ReportTimeZone): Promise<number> {
  const spec = KINDS[kind];
  const groupBy = choice(args, 'group-by', GROUP_BYS, spec.groupBy);
  const b = args.options.get('breakdown');
  // A bare --breakdown is per model, except in rows that already are models: there, per workspace.
  const bare: Breakdown = groupBy === 'model' ? 'workspace' : 'model';
  const breakdown: Breakdown | undefined = b === undefined ? undefined : b === true ? bare : choice(args, 'breakdown', ['model', 'workspace'] as const, bare);
  const weekStartsOn = choice(args, 'week-start', ['monday', 'sunday'] as const, 'monday') === 'sunday' ? 0 : 1;
  const cal = calendarFor(zone);
  const range = parseDateRange(stringOption(args, 'since'), stringOption(args, 'until'), spec.since, new Date(), cal, weekStartsOn);
  const ledger = ledgerFromArgs(args, io, { readOnly: true });
  const load = await loadRange(ledger, { ...range, zone, sessions: groupBy === 'session', facets: groupBy === 'task' || groupBy === 'surface' });
  const wsArg = stringOption(args, 'workspace');
  const workspace = wsArg === undefined ? undefined : resolveWorkspace(wsArg, knownWorkspaces(load.buckets));
  const model = stringOption(args, 'model');
  const first = Number.isFinite(range.startMs) ? cal.dayKey(range.startMs) : '';
  const last = cal.dayKey(range.endMs - 1);
  let table;
  try {
    table = tabulate(load.buckets, { inRange: (d) => d >= first && d <= last, workspace, model, groupBy, breakdown, weekStartsOn, sessionRange: range });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (stringOption(args, 'order') === 'desc') table.rows.reverse();
  else choice(args, 'order', ['asc', 'desc'] as const, 'asc');
  const meta: ReportMeta = {
    report: kind,
    title: `Rightsize usage ${groupBy === spec.groupBy ? spec.title : `by ${groupBy}`} — ${first || 'first record'} to ${last}${workspace ? `, workspace ${wsArg}` : ', all workspaces'}${model ? `, model ${model}` : ''}`,
    range: { start: Number.isFinite(range.startMs) ? new Date(range.startMs).toISOString() : null, end: new Date(range.endMs).toISOString(), timeZone: zoneId(zone) },
    filters: { workspace: workspace ?? null, model: model ?? null },
    unreadableLines: load.unreadable,
  };
  if (args.options.has('json')) io.stdout.write(JSON.stringify(reportJson(table, meta), null, 2) + '\n');
  else if (args.options.has('csv')) io.stdout.write(reportCsv(table));
  else if (table.rows.length === 0) io.stdout.write(`${meta.title}\n\nNo requests recorded in this range.\n`);
  else {
    const width = (io.stdout as { columns?: number }).columns ?? (Number(io.env.COLUMNS) || undefined);
    const shown = renderReportTable(table, width, args.options.has('compact'));
    io.stdout.write(`${meta.title}\n\n${shown.text}${reportFooter(table, meta, shown.compact)}`);
  }
  return 0;
}

// --- the older form: --period ----------------------------------------------------------------------

async function periodReport(args: ParsedArgs, io: CliIo): Promise<number> {
  const period = stringOption(args, 'period') as Period;
  if (!PERIODS.includes(period)) throw new UsageError(`--period must be one of ${PERIODS.join(', ')} (got "${period}")`);
  const ledger = ledgerFromArgs(args, io, { readOnly: true });
  const report = await buildReport(ledger, { kind: period, workspace: stringOption(args, 'workspace'), session: stringOption(args, 'session'), topN: 10 });
  if (args.options.has('json')) {
    io.stdout.write(JSON.stringify(periodJson(report)) + '\n');
    return 0;
  }
  io.stdout.write(renderPeriod(report));
  return 0;
}

function periodJson(r: UsageReport): Record<string, unknown> {
  return {
    period: r.period,
    workspace: r.workspace ?? null,
    totals: periodTotalsJson(r.totals),
    days: r.days.map((d) => ({ day: d.day, ...periodTotalsJson(d), byModel: d.byModel })),
    models: r.models.map((m) => ({ model: m.model, provider: m.provider, location: m.location, ...periodTotalsJson(m) })),
    missedSavings: r.missedSavings,
    top: r.top,
    corruptLines: r.corruptLines,
  };
}

/** The totals as the grouped reports print them (reportView.totalsJson), with the token total named `tokens`
 *  and second, as this report has always printed it. */
function periodTotalsJson(t: Totals): Record<string, unknown> {
  const { requests, totalTokens, ...rest } = totalsJson(t);
  return { requests, tokens: totalTokens, ...rest };
}

function row(label: string, t: Totals): string[] {
  return [
    label, String(t.requests), formatTokens(t.tokens.input), formatTokens(t.tokens.output), formatWh(t.wh), formatUsd(t.usd),
    formatGrams(t.gco2e).replace(' CO2e', ''), t.requests ? formatPercent(t.localRequests / t.requests) : '-',
    `${formatWh(t.savedWh)} / ${formatUsd(t.savedUsd)}`,
  ];
}

function renderPeriod(r: UsageReport): string {
  const head = `Rightsize usage — ${r.period.kind} (${r.period.start.slice(0, 10)} to ${r.period.end.slice(0, 10)})${r.workspace ? `, workspace ${r.workspace}` : ', all workspaces'}\n\n`;
  if (r.totals.requests === 0) return `${head}No requests recorded in this period.\n`;
  const header = ['Date', 'Requests', 'Input', 'Output', 'Energy', 'Cost', 'CO2e', 'Local', 'Saved vs reference'];
  const days = renderTable(header, [...r.days.map((d) => row(d.day, d)), row('Total', r.totals)]);
  const models = renderTable(['Model', 'Where', 'Requests', 'Input', 'Output', 'Energy', 'Cost', 'Share', 'Wh/request'],
    [...r.models].sort((a, b) => b.wh - a.wh).map((m) => [
      m.model, m.location, String(m.requests), formatTokens(m.tokens.input), formatTokens(m.tokens.output), formatWh(m.wh), formatUsd(m.usd),
      r.totals.wh > 0 ? formatPercent(m.wh / r.totals.wh) : '-', formatWh(m.requests ? m.wh / m.requests : 0),
    ]), 2);
  const range = `Energy range: ${formatWh(r.totals.whLow)}–${formatWh(r.totals.whHigh)}.`;
  const missed = r.missedSavings.requests ? ` Suggestions not followed would have saved ${formatWh(r.missedSavings.wh)} and ${formatUsd(r.missedSavings.usd)} over ${r.missedSavings.requests} requests.` : '';
  const corrupt = r.corruptLines ? `\n${r.corruptLines} unreadable ledger line(s) were skipped.` : '';
  return `${head}${days}\nBy model:\n${models}\n${range}${missed}${corrupt}\n`;
}
