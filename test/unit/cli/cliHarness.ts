// Runs the CLI in-process with string stdin and captured stdout/stderr.
import { PassThrough, Readable } from 'stream';
import { runCli } from '../../../src/cli/main';

export interface CliResult { code: number; stdout: string; stderr: string }

export async function cli(argv: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => { stdout += String(c); });
  err.on('data', (c) => { stderr += String(c); });
  const code = await runCli(argv, { stdin: Readable.from([stdin]), stdout: out, stderr: err, env });
  return { code, stdout, stderr };
}

export function jsonLines(s: string): unknown[] {
  return s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
