// Line-oriented stdin reading for the CLI: JSON Lines in, bounded memory.
import * as readline from 'readline';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Yields each non-blank line with its 1-based line number. */
export async function* inputLines(stdin: NodeJS.ReadableStream): AsyncGenerator<{ line: string; no: number }> {
  const rl = readline.createInterface({ input: stdin, crlfDelay: Infinity });
  let no = 0;
  for await (const line of rl) {
    no++;
    if (line.trim() === '') continue;
    yield { line, no };
  }
}

export function parseJsonLine(line: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (e) {
    return { ok: false, error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
