// rightsize export --format csv|json [--since DATE]: the ledger's records, flattened for CSV.
import { UsageRecord } from '../../core/types';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';

const SPEC: Record<string, OptionSpec> = {
  format: { value: true, placeholder: 'F', description: 'csv or json (JSON Lines: one record per line)' },
  since: { value: true, placeholder: 'DATE', description: 'Only records at or after this date (YYYY-MM-DD, local time) or ISO date-time' },
  until: { value: true, placeholder: 'DATE', description: 'Only records before this date or date-time' },
  workspace: { value: true, placeholder: 'ID', description: 'Only this workspace id' },
  ...LEDGER_OPTION,
  json: { description: 'Same as --format json' },
  help: { description: 'Show this help' },
};

export const exportHelp = helpText('rightsize export --format csv|json [--since DATE]', 'Writes the ledger\'s usage records to stdout.\n`rightsize export --otlp --help`: send them to an OpenTelemetry collector instead.', SPEC);

export const CSV_FIELDS: Array<[string, (r: UsageRecord) => unknown]> = [
  ['id', (r) => r.id], ['ts', (r) => r.ts], ['session', (r) => r.session], ['workspace_id', (r) => r.workspace.id], ['workspace_name', (r) => r.workspace.name],
  ['surface', (r) => r.surface], ['task', (r) => r.task], ['model', (r) => r.model.id], ['provider', (r) => r.model.provider], ['location', (r) => r.model.location],
  ['mode', (r) => r.decision.mode], ['suggested', (r) => r.decision.suggested], ['followed', (r) => r.decision.followed],
  ['input_tokens', (r) => r.tokens.input], ['cached_input_tokens', (r) => r.tokens.cachedInput], ['output_tokens', (r) => r.tokens.output],
  ['reasoning_tokens', (r) => r.tokens.reasoning], ['token_source', (r) => r.tokens.source], ['duration_ms', (r) => r.durationMs],
  ['wh', (r) => r.energy.wh], ['wh_low', (r) => r.energy.low], ['wh_high', (r) => r.energy.high], ['energy_method', (r) => r.energy.method],
  ['usd', (r) => r.cost.usd], ['gco2e', (r) => r.carbon.g], ['reference_model', (r) => r.counterfactual?.model ?? ''],
  ['reference_wh', (r) => r.counterfactual?.wh ?? ''], ['reference_usd', (r) => r.counterfactual?.usd ?? ''], ['outcome', (r) => r.outcome],
  ['reason', (r) => r.decision.reason],
];

export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  // Quote when needed; neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function parseDateOption(value: string, name: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be a date like 2026-11-01 (got "${value}")`);
  return d;
}

export async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--otlp')) return (await import('./exportOtlp')).exportOtlpCommand(argv, io);
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(exportHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const format = stringOption(args, 'format') ?? (args.options.has('json') ? 'json' : undefined);
  if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
  const sinceRaw = stringOption(args, 'since');
  const untilRaw = stringOption(args, 'until');
  const since = sinceRaw ? parseDateOption(sinceRaw, 'since') : undefined;
  const until = untilRaw ? parseDateOption(untilRaw, 'until') : undefined;
  const ledger = ledgerFromArgs(args, io);
  if (format === 'csv') io.stdout.write(CSV_FIELDS.map(([h]) => h).join(',') + '\n');
  let n = 0;
  for await (const r of ledger.records({ since, until, workspace: stringOption(args, 'workspace') })) {
    n++;
    if (format === 'json') io.stdout.write(JSON.stringify(r) + '\n');
    else io.stdout.write(CSV_FIELDS.map(([, f]) => csvCell(f(r))).join(',') + '\n');
  }
  io.stderr.write(`rightsize export: ${n} record(s)\n`);
  return 0;
}
