// rightsize report --period session|day|week|month [--workspace ID]: rows per day, totals, per model.
import { formatGrams, formatPercent, formatTokens, formatUsd, formatWh } from '../../core/format';
import { buildReport } from '../../core/report';
import { Totals, UsageReport } from '../../core/types';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { renderTable } from '../table';

const PERIODS = ['session', 'day', 'week', 'month', 'lastWeek', 'last30Days'] as const;
type Period = typeof PERIODS[number];

const SPEC: Record<string, OptionSpec> = {
  period: { value: true, placeholder: 'P', description: `One of ${PERIODS.join(', ')} (default week; session = the latest session)` },
  workspace: { value: true, placeholder: 'ID', description: 'Only this workspace id (default: all workspaces)' },
  session: { value: true, placeholder: 'ID', description: 'With --period session: this session id instead of the latest' },
  ...LEDGER_OPTION,
  json: { description: 'Print JSON: {period, totals:{requests,tokens,wh,usd,gco2e,…}, days, models, top}' },
  help: { description: 'Show this help' },
};

export const reportHelp = helpText('rightsize report --period session|day|week|month [--workspace ID] [--json]',
  'Usage per day (requests, input/output tokens, Wh, USD, gCO2e, local share, saved vs reference), totals, and a\nper-model breakdown.', SPEC);

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(reportHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const period = (stringOption(args, 'period') ?? 'week') as Period;
  if (!PERIODS.includes(period)) throw new UsageError(`--period must be one of ${PERIODS.join(', ')} (got "${period}")`);
  const ledger = ledgerFromArgs(args, io);
  const report = await buildReport(ledger, { kind: period, workspace: stringOption(args, 'workspace'), session: stringOption(args, 'session'), topN: 10 });
  if (args.options.has('json')) {
    io.stdout.write(JSON.stringify(reportJson(report)) + '\n');
    return 0;
  }
  io.stdout.write(renderReport(report));
  return 0;
}

export function reportJson(r: UsageReport): Record<string, unknown> {
  return {
    period: r.period,
    workspace: r.workspace ?? null,
    totals: totalsJson(r.totals),
    days: r.days.map((d) => ({ day: d.day, ...totalsJson(d), byModel: d.byModel })),
    models: r.models.map((m) => ({ model: m.model, provider: m.provider, location: m.location, ...totalsJson(m) })),
    missedSavings: r.missedSavings,
    top: r.top,
    corruptLines: r.corruptLines,
  };
}

function totalsJson(t: Totals): Record<string, unknown> {
  return {
    requests: t.requests,
    tokens: t.tokens.input + t.tokens.output,
    inputTokens: t.tokens.input,
    cachedInputTokens: t.tokens.cachedInput,
    outputTokens: t.tokens.output,
    reasoningTokens: t.tokens.reasoning,
    wh: t.wh, whLow: t.whLow, whHigh: t.whHigh,
    usd: t.usd,
    gco2e: t.gco2e,
    localRequests: t.localRequests,
    localShare: t.requests ? t.localRequests / t.requests : 0,
    savedWh: t.savedWh,
    savedUsd: t.savedUsd,
  };
}

function row(label: string, t: Totals): string[] {
  return [
    label, String(t.requests), formatTokens(t.tokens.input), formatTokens(t.tokens.output), formatWh(t.wh), formatUsd(t.usd),
    formatGrams(t.gco2e).replace(' CO2e', ''), t.requests ? formatPercent(t.localRequests / t.requests) : '-',
    `${formatWh(t.savedWh)} / ${formatUsd(t.savedUsd)}`,
  ];
}

export function renderReport(r: UsageReport): string {
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
