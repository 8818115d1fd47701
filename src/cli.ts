// `rightsize` command-line tool over the same core as the extension.
import * as fs from 'fs';
import { quietOnEpipe } from './cli/io';
import { runCli } from './cli/main';
import { errorText } from './core/errorText';

// The standard streams on first use: building them costs a status line milliseconds it does not need
// (it reads no stdin in a terminal and writes its one line straight to the descriptor).
let stdout: NodeJS.WriteStream | undefined;
let stderr: NodeJS.WriteStream | undefined;
const out = (): NodeJS.WriteStream => { if (!stdout) quietOnEpipe((stdout = process.stdout)); return stdout; };
const err = (): NodeJS.WriteStream => { if (!stderr) quietOnEpipe((stderr = process.stderr)); return stderr; };

/** One synchronous write(2) loop to fd 1, before any stdout stream exists. EPIPE: the reader left (done). */
function writeStdoutSync(text: string): boolean {
  if (stdout) return false;
  const buf = Buffer.from(text, 'utf8');
  let at = 0;
  try {
    while (at < buf.length) at += fs.writeSync(1, buf, at, buf.length - at);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return true;
    if (at > 0) { out().write(buf.subarray(at)); return true; } // the rest through the stream (EAGAIN on a full pipe)
    return false;
  }
}

/** fd 0 read with fs.read (no stream: building process.stdin for a pipe or socket loads node:net) when it is
 *  a pipe, a socket or a file; what came within `ms`. A read still waiting then keeps the process until
 *  stdin closes, as a stream's would. */
function readStdinBriefly(ms: number, maxBytes: number): Promise<string | undefined> {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(0);
  } catch {
    return Promise.resolve(undefined);
  }
  if (!(st.isFIFO() || st.isSocket() || st.isFile())) return Promise.resolve(undefined); // a terminal, /dev/null
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => { if (!done) { done = true; clearTimeout(timer); resolve(Buffer.concat(chunks).toString('utf8')); } };
    const timer = setTimeout(finish, ms);
    const buf = Buffer.allocUnsafe(64 * 1024);
    const next = (): void => fs.read(0, buf, 0, buf.length, null, (e, n) => {
      if (done) return;
      if (e) { if (e.code === 'EAGAIN') setTimeout(next, 5); else finish(); return; }
      if (n === 0) { finish(); return; }
      chunks.push(Buffer.from(buf.subarray(0, n)));
      size += n;
      if (size > maxBytes) finish(); else next();
    });
    next();
  });
}

runCli(process.argv.slice(2), { get stdin() { return process.stdin; }, get stdout() { return out(); }, get stderr() { return err(); }, env: process.env, writeStdoutSync, readStdinBriefly })
  .then((code) => { process.exitCode = code; })
  .catch((e: unknown) => { err().write(`rightsize: ${errorText(e)}\n`); process.exitCode = 1; });
