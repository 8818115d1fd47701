// `rightsize` command-line tool over the same core as the extension.
import { quietOnEpipe } from './cli/io';
import { runCli } from './cli/main';
import { errorText } from './core/errorText';

quietOnEpipe(process.stdout);
quietOnEpipe(process.stderr);

// stdin on first use: creating it costs a status line milliseconds it never needs in a terminal.
runCli(process.argv.slice(2), { get stdin() { return process.stdin; }, stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then((code) => { process.exitCode = code; })
  .catch((e: unknown) => { process.stderr.write(`rightsize: ${errorText(e)}\n`); process.exitCode = 1; });
