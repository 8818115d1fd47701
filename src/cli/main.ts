// The `rightsize` command-line tool: the same core as the extension.
import { UsageError } from './args';
import { estimateCommand, estimateHelp } from './commands/estimate';
import { exportCommand, exportHelp } from './commands/export';
import { importCommand, importHelp } from './commands/import';
import { recordCommand, recordHelp } from './commands/record';
import { reportCommand, reportHelp } from './commands/report';
import { routeCommand, routeHelp } from './commands/route';
import { CliIo } from './io';

export type { CliIo } from './io';

const COMMANDS: Record<string, { run: (argv: string[], io: CliIo) => Promise<number>; help: string; summary: string }> = {
  estimate: { run: estimateCommand, help: estimateHelp, summary: 'Wh (low/mid/high), USD and gCO2e of one request' },
  route: { run: routeCommand, help: routeHelp, summary: 'the smallest capable model for each request (JSON Lines in and out)' },
  record: { run: recordCommand, help: recordHelp, summary: 'append usage records (JSON on stdin) to the ledger' },
  report: { run: reportCommand, help: reportHelp, summary: 'usage per day and per model for a period' },
  export: { run: exportCommand, help: exportHelp, summary: 'the ledger\'s records as CSV or JSON' },
  import: { run: importCommand, help: importHelp, summary: 'meter Claude Code\'s, Codex\'s or Copilot Chat\'s own usage logs' },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `Usage: rightsize <command> [options]\n\nRoutes requests to the smallest capable model and meters tokens, watt-hours, money and CO2e.\n\nCommands:\n${
    Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`).join('\n')
  }\n\nEvery command takes --help and --json. --ledger DIR (or RIGHTSIZE_LEDGER_DIR) selects the ledger.\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write(`${process.env.RIGHTSIZE_VERSION ?? 'dev'}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`rightsize: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`rightsize ${name}: ${e.message}\nRun \`rightsize ${name} --help\` for usage.\n`);
      return 2;
    }
    io.stderr.write(`rightsize ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
