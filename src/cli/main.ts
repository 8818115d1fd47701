// The `rightsize` command-line tool: the same core as the extension. Commands load on demand, so a
// status line does not pay for the router, the tokenizer or the exporter.
import { UsageError } from './args';
import { CliIo } from './io';
import { errorText } from '../core/errorText';
import { bundled } from './bundled';

export type { CliIo } from './io';

interface CommandModule { run: (argv: string[], io: CliIo) => Promise<number> }

/**
 * A command's module. In the shipped build each command is its own bundle beside dist/cli.js
 * (`cli-<name>.js`, see esbuild.js), so `rightsize statusline` compiles the status line and what it
 * needs, not the router, the tokenizer or the exporter; from the compiled sources it is a plain import.
 */
type Commands = typeof import('./commands/estimate') & typeof import('./commands/route') & typeof import('./commands/record') & typeof import('./commands/report')
  & typeof import('./commands/statusline') & typeof import('./commands/export') & typeof import('./commands/import') & typeof import('./commands/serve');

const COMMANDS: Record<string, { load: () => Promise<CommandModule>; summary: string }> = {
  estimate: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('estimate') : await import('./commands/estimate'); return { run: m.estimateCommand }; }, summary: 'Wh (low/mid/high), USD and gCO2e of one request' },
  route: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('route') : await import('./commands/route'); return { run: m.routeCommand }; }, summary: 'the smallest capable model for each request (JSON Lines in and out)' },
  record: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('record') : await import('./commands/record'); return { run: m.recordCommand }; }, summary: 'append usage records (JSON on stdin) to the ledger' },
  report: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('report') : await import('./commands/report'); return { run: m.reportCommand }; }, summary: 'usage by day, week, month, session, model or workspace' },
  statusline: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('statusline') : await import('./commands/statusline'); return { run: m.statuslineCommand }; }, summary: 'one line for a shell prompt or Claude Code: today\'s tokens, Wh, $ and budget' },
  export: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('export') : await import('./commands/export'); return { run: m.exportCommand }; }, summary: 'the ledger\'s records as CSV or JSON, or to an OpenTelemetry collector (--otlp)' },
  import: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('import') : await import('./commands/import'); return { run: m.importCommand }; }, summary: 'meter Claude Code\'s, Codex\'s or Copilot Chat\'s own usage logs' },
  serve: { load: async () => { const m = process.env.RIGHTSIZE_BUNDLED ? bundled<Commands>('serve') : await import('./commands/serve'); return { run: m.serveCommand }; }, summary: 'the loopback gateway for Claude Code, Codex, Cline, Continue and Aider (foreground; Ctrl-C stops it)' },
};

/** The command names, for the build (one bundle each). */
export const COMMAND_NAMES = Object.keys(COMMANDS);

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
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`rightsize: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (e) {
    // By name as well: each command is its own bundle, with its own copy of the UsageError class.
    if (e instanceof UsageError || (e instanceof Error && e.name === 'UsageError')) {
      io.stderr.write(`rightsize ${name}: ${e.message}\nRun \`rightsize ${name} --help\` for usage.\n`);
      return 2;
    }
    io.stderr.write(`rightsize ${name}: ${errorText(e)}\n`);
    return 1;
  }
}
