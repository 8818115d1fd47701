// rightsize export --otlp [--since WHEN] [--follow]: the ledger to an OpenTelemetry collector over
// OTLP/HTTP, configured by the standard OTEL_EXPORTER_OTLP_* variables (endpoint, protocol
// http/protobuf or http/json, headers, timeout) and OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME.
// Resumes from the destination's cursor (shared with the VS Code extension when it exports to the
// same place); --since backfills records that were in the ledger before export began.
import { calendarFor } from '../../core/report';
import { destinationKey, otlpConfigFromEnv } from '../../core/export/otlpConfig';
import { BusyError, ExportRun, LedgerExporter } from '../../core/export/ledgerExporter';
import { loadSender } from '../../core/export/loadSender';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { parseDateRange } from '../dateRange';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';

export const EXPORT_OTLP_SPEC: Record<string, OptionSpec> = {
  otlp: { description: 'Send to an OpenTelemetry collector (OTLP/HTTP) instead of printing' },
  since: { value: true, placeholder: 'WHEN', description: 'Also send older records from this day on (2026-11-01, 30d, this-month, all, …); once sent, never again' },
  follow: { description: 'Keep running: send new records as they are appended (every --interval seconds)' },
  interval: { value: true, placeholder: 'S', description: 'With --follow: seconds between checks (default 10)' },
  json: { description: 'Print a JSON summary {exported, batches, caughtUp, error?, destination}' },
  ...LEDGER_OPTION,
  help: { description: 'Show this help' },
};

export const exportOtlpHelp = helpText('rightsize export --otlp [--since WHEN] [--follow]',
  'Sends usage records to an OpenTelemetry collector as GenAI spans and metrics. Configure with\nOTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), OTEL_EXPORTER_OTLP_PROTOCOL\n(http/protobuf or http/json), OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES.', EXPORT_OTLP_SPEC);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function exportOtlpCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, EXPORT_OTLP_SPEC);
  if (args.options.has('help')) { io.stdout.write(exportOtlpHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const errors: string[] = [];
  const config = otlpConfigFromEnv(io.env, errors);
  if (errors.length) throw new UsageError(errors.join('; '));
  const sinceRaw = stringOption(args, 'since');
  const since = sinceRaw === undefined ? undefined : parseDateRange(sinceRaw, undefined, 'all', new Date(), calendarFor('local'), 1).startMs;
  const interval = Number(stringOption(args, 'interval') ?? 10);
  if (!(interval > 0)) throw new UsageError('--interval must be a positive number of seconds');
  const ledger = ledgerFromArgs(args, io);
  const exporter = new LedgerExporter(ledger, destinationKey(config), loadSender(config), { log: (m) => io.stderr.write(`rightsize export: ${m}\n`) });
  let run: ExportRun;
  try {
    run = since === undefined ? await exporter.run() : await exporter.backfill(since);
    for (let backoff = 1; args.options.has('follow'); ) {
      await sleep((run.error ? Math.min(300, interval * backoff) : interval) * 1000);
      backoff = run.error ? backoff * 2 : 1;
      const next = await exporter.run();
      if (next.exported || next.error !== run.error) io.stderr.write(`rightsize export: ${summary(next)}\n`);
      run = next;
    }
  } catch (e) {
    if (e instanceof BusyError) { io.stderr.write(`rightsize export: ${e.message}\n`); return 1; }
    throw e;
  } finally {
    await exporter.close();
  }
  const where = `${config.tracesUrl} (${config.protocol})`;
  if (args.options.has('json')) io.stdout.write(JSON.stringify({ ...run, destination: where }) + '\n');
  else io.stderr.write(`rightsize export: ${summary(run)} to ${where}\n`);
  return run.error ? 1 : 0;
}

function summary(r: ExportRun): string {
  const base = `${r.exported} record(s) sent in ${r.batches} batch(es)`;
  return r.error ? `${base}; stopped: ${r.error} (run again to resume where it stopped)` : base;
}
