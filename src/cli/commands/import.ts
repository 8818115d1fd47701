// rightsize import claude|codex|copilot-otel [PATH...]: meters another assistant's own logs into the ledger.
import { IMPORT_SOURCES, runImport, SOURCE_ALIASES } from '../../core/import';
import { describeImport } from '../../core/import/describe';
import { helpText, OptionSpec, parseArgs, UsageError } from '../args';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { estimateSettingsFromArgs, SETTINGS_OPTIONS } from '../settingsOptions';

const SPEC: Record<string, OptionSpec> = {
  ...LEDGER_OPTION,
  ...SETTINGS_OPTIONS,
  json: { description: 'Print the summary as JSON' },
  help: { description: 'Show this help' },
};

export const importHelp = helpText('rightsize import claude|codex|copilot-otel [PATH...] [--ledger DIR] [--json]',
  'Meters the usage another assistant logged into the ledger (surface "import"), with Rightsize\'s energy, money\n' +
  'and carbon. Incremental and idempotent: only what is new since the last import is read, and a call is never\n' +
  'recorded twice. PATH: log folders or files (defaults: Claude Code $CLAUDE_CONFIG_DIR or ~/.config/claude and\n' +
  '~/.claude; Codex $CODEX_HOME/sessions or ~/.codex/sessions; Copilot Chat the file of\n' +
  'github.copilot.chat.otel.outfile, or $COPILOT_OTEL_FILE_EXPORTER_PATH).', SPEC);

export async function importCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(importHelp); return 0; }
  const [name, ...roots] = args.positionals;
  if (!name) throw new UsageError('which assistant? claude, codex or copilot-otel');
  const source = SOURCE_ALIASES[name];
  if (!source) throw new UsageError(`unknown source "${name}" (known: ${IMPORT_SOURCES.join(', ')})`);
  const summary = await runImport({ source, roots, ledger: ledgerFromArgs(args, io), settings: estimateSettingsFromArgs(args), env: io.env });
  if (source === 'copilot-otel' && summary.roots.length === 0) {
    throw new UsageError('give the file Copilot Chat writes its telemetry to (the setting github.copilot.chat.otel.outfile)');
  }
  if (args.options.has('json')) io.stdout.write(JSON.stringify(summary) + '\n');
  else io.stdout.write(describeImport(summary) + '\n');
  return summary.busy ? 1 : 0;
}
