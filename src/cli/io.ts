// Line-oriented stdin reading for the CLI: JSON Lines in, bounded memory; and output that ends quietly
// when its reader goes away (`rightsize export | head`).
import { MAX_RECORD_BYTES } from '../core/ledger/validate';
import { errorText } from '../core/errorText';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /**
   * Writes `text` to standard output at once, without making a stream of it (building process.stdout
   * costs a status line several milliseconds); false when it cannot (no descriptor, a stream already
   * exists, a full non-blocking pipe): then write to `stdout`.
   */
  writeStdoutSync?: (text: string) => boolean;
  /**
   * What arrives on standard input within `ms` (at most `maxBytes`), read from the descriptor without
   * making a stream of it; undefined when stdin is a terminal or nothing that can be read so. Absent: use
   * `stdin`.
   */
  readStdinBriefly?: (ms: number, maxBytes: number) => Promise<string | undefined>;
}

/** Writes `text` to the CLI's standard output: at once when it can (see CliIo.writeStdoutSync). */
export function writeOut(io: CliIo, text: string): void {
  if (!io.writeStdoutSync?.(text)) io.stdout.write(text);
}

/** A line of input, or (`tooLong`) one longer than the cap, skipped unread. */
export type InputLine = { no: number; line: string; tooLong?: undefined } | { no: number; line?: undefined; tooLong: number };

/**
 * Yields each non-blank line with its 1-based line number, split on '\n' as the bytes arrive (a '\r'
 * before it is dropped). A line longer than `maxBytes` (default: the ledger's largest record) is not kept:
 * its bytes are counted and dropped until its end, it is yielded as `tooLong`, and the lines after it are
 * read as usual. Memory stays within one chunk plus `maxBytes`.
 */
export async function* inputLines(stdin: NodeJS.ReadableStream, maxBytes = MAX_RECORD_BYTES): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let no = 0;
  const finish = (): InputLine | undefined => {
    no++;
    if (skipping) { skipping = false; const n = size; parts = []; size = 0; return { no, tooLong: n }; }
    let text = Buffer.concat(parts).toString('utf8');
    parts = [];
    size = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return text.trim() === '' ? undefined : { no, line: text };
  };
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); ; nl = buf.indexOf(10, start)) {
      const end = nl < 0 ? buf.length : nl;
      const piece = end - start;
      if (skipping || size + piece > maxBytes) {
        skipping = true;
        parts = [];
        size += piece;
      } else if (piece > 0) {
        parts.push(buf.subarray(start, end));
        size += piece;
      }
      if (nl < 0) break;
      const l = finish();
      if (l) yield l;
      start = nl + 1;
    }
  }
  if (size > 0 || skipping) {
    const l = finish();
    if (l) yield l;
  }
}

/** What a command says about a line it skipped for its length. */
export function tooLongMessage(bytes: number, maxBytes = MAX_RECORD_BYTES): string {
  return `the line is ${bytes} bytes, longer than the ${maxBytes} a record may take`;
}

/**
 * Once `stream`'s reader has gone (EPIPE: `rightsize export | head`), what is still written is dropped
 * instead of the process dying with a stack trace: the command finishes its work (every record read is
 * still recorded) with its own exit status.
 */
export function quietOnEpipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

export function parseJsonLine(line: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (e) {
    return { ok: false, error: `not valid JSON (${errorText(e)})` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
