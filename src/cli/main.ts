// Placeholder dispatcher; the commands land with the core engine issue.
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  io.stdout.write('rightsize: commands: estimate, route, record, report, export\n');
  return argv.length === 0 ? 0 : 2;
}
