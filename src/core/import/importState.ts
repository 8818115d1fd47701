// What an import remembers between runs, beside the ledger it writes (`<ledger>/import-state/`):
//  - `<source>.json`: per log file its size, mtime, inode, the offset read up to, a hash of its first
//    bytes (a file replaced or rotated under the same name starts again) and the parser's context;
//  - `<source>.keys`: one short hash per imported call (append-only), so a call seen again — in another
//    file, after a rotation, in the telemetry file and the receiver — is not recorded twice. Loaded only
//    when some file changed: an unchanged tree is checked with one stat per file;
//  - `<source>.lock`: one import per source at a time (VS Code windows, the CLI); a lock whose process is
//    gone, or older than LOCK_STALE_MS, is taken over.
// The state is replaced atomically (write, rename) after each batch of records reached the ledger.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ImportSource } from './types';

export interface FileCursor {
  size: number;
  mtimeMs: number;
  ino: number;
  offset: number;
  /** sha1 (base64url, 16 chars) of the file's first min(offset, HEAD_BYTES) bytes. */
  head: string;
  /** The parser's context at `offset` (JSON). */
  state?: unknown;
}

interface StateFile { v: 1; files: Record<string, FileCursor> }

export const HEAD_BYTES = 1024;
const LOCK_STALE_MS = 10 * 60_000;

export function keyHash(key: string): string {
  return createHash('sha1').update(key).digest('base64url').slice(0, 16);
}

export function headHash(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64url').slice(0, 16);
}

export class ImportState {
  readonly files: Record<string, FileCursor>;
  private keys: Set<string> | undefined;
  private newKeys: string[] = [];
  private readonly statePath: string;
  private readonly keysPath: string;

  private constructor(readonly dir: string, readonly source: ImportSource, files: Record<string, FileCursor>) {
    this.files = files;
    this.statePath = path.join(dir, `${source}.json`);
    this.keysPath = path.join(dir, `${source}.keys`);
  }

  static load(dir: string, source: ImportSource): ImportState {
    let files: Record<string, FileCursor> = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(path.join(dir, `${source}.json`), 'utf8')) as StateFile;
      if (parsed && parsed.v === 1 && typeof parsed.files === 'object' && parsed.files) files = parsed.files;
    } catch { /* first run, or unreadable: start over (the keys still prevent double counting) */ }
    return new ImportState(dir, source, files);
  }

  /** True when the call was imported before (or earlier in this run); marks it otherwise. */
  seen(key: string): boolean {
    const keys = this.loadKeys();
    const h = keyHash(key);
    if (keys.has(h)) return true;
    keys.add(h);
    this.newKeys.push(h);
    return false;
  }

  private loadKeys(): Set<string> {
    if (!this.keys) {
      this.keys = new Set();
      try {
        for (const line of fs.readFileSync(this.keysPath, 'utf8').split('\n')) if (line) this.keys.add(line);
      } catch { /* none yet */ }
    }
    return this.keys;
  }

  /** Persists the keys seen since the last save (appended). */
  saveKeys(): void {
    if (!this.newKeys.length) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.keysPath, this.newKeys.join('\n') + '\n', { mode: 0o600 });
    this.newKeys = [];
  }

  /** Persists new keys (appended) and the cursors (atomically). Call after the records reached the ledger. */
  save(): void {
    this.saveKeys();
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ v: 1, files: this.files } satisfies StateFile), { mode: 0o600 });
    fs.renameSync(tmp, this.statePath);
  }

  /** Takes the source's lock; returns a release function, or undefined when another import holds it. */
  lock(): (() => void) | undefined {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, `${this.source}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }), { flag: 'wx', mode: 0o600 });
        return () => { try { fs.unlinkSync(file); } catch { /* already gone */ } };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !lockIsStale(file)) return undefined;
        try { fs.unlinkSync(file); } catch { /* someone else took it over */ }
      }
    }
    return undefined;
  }
}

function lockIsStale(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return true;
    const { pid } = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
    if (typeof pid !== 'number' || pid === process.pid) return pid !== process.pid;
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' || (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
