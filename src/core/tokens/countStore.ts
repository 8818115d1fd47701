// Token counts kept across sessions: a file in the extension's globalStorage (this machine only) holding the
// count cache's most recently used entries. Copilot Chat's system prompt and its 39 tool schemas come back
// in every new session almost unchanged, so a new window's first prompt finds most of its pieces counted.
//
// The file holds no text: each entry is the cache key (encoding, the text's length and SHA-1, see
// contentHash.ts; a tool definition's key is the SHA-1 of its JSON), the token count and the text's length.
// It is versioned by COUNT_RULES_VERSION: bump it whenever what a key's count means changes (the framing
// constants, how tool definitions are counted, the line chunking), and old files are ignored.
// Writes are atomic (temporary file + rename); when two windows save, the last one wins (it is a cache).
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

export const COUNT_STORE_FILE_NAME = 'token-counts.json';
export const COUNT_RULES_VERSION = 'rightsize-token-counts-1';
/** Entries kept in the file (~60 bytes each on disk). */
export const COUNT_STORE_MAX_ENTRIES = 20_000;

/** A cached count: key, tokens, characters of the text it stands for. */
export type CountEntry = [key: string, tokens: number, chars: number];

interface CountStoreFile { rules: string; entries: CountEntry[] }

/** The entries of `file`, oldest first; [] when there is none, it is unreadable or it was written under other rules. */
export function readCountStore(file: string, onWarning: (message: string) => void = () => undefined): CountEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onWarning(`could not read ${file}: ${(e as Error).message}`);
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    onWarning(`${file} is not valid JSON; ignored (it is rewritten on the next save)`);
    return [];
  }
  const f = data as Partial<CountStoreFile> | null;
  if (!f || f.rules !== COUNT_RULES_VERSION || !Array.isArray(f.entries)) return [];
  const out: CountEntry[] = [];
  for (const e of f.entries.slice(-COUNT_STORE_MAX_ENTRIES)) {
    if (Array.isArray(e) && e.length === 3 && typeof e[0] === 'string' && e[0].length <= 200
      && Number.isInteger(e[1]) && e[1] >= 0 && Number.isInteger(e[2]) && e[2] >= 0) out.push([e[0], e[1], e[2]]);
  }
  return out;
}

/** Writes `entries` (oldest first; the newest COUNT_STORE_MAX_ENTRIES are kept) to `file`, atomically. */
export function writeCountStore(file: string, entries: CountEntry[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const body: CountStoreFile = { rules: COUNT_RULES_VERSION, entries: entries.slice(-COUNT_STORE_MAX_ENTRIES) };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The part of TokenCounter the persistence uses. */
export interface CountSource {
  exportCounts(): CountEntry[];
  importCounts(entries: CountEntry[]): number;
  stats(): { cacheMisses: number };
}

/** Keeps one counter's cache in one file: `load()` once (after the tokenizer's warm-up), `save()` now and then and at exit. */
export class CountPersistence {
  private savedAtMisses = -1;

  constructor(private readonly counter: CountSource, readonly file: string, private readonly onWarning: (message: string) => void = () => undefined) {}

  /** Adds the file's counts to the counter; returns how many. */
  load(): number {
    const added = this.counter.importCounts(readCountStore(this.file, this.onWarning));
    this.savedAtMisses = this.counter.stats().cacheMisses;
    return added;
  }

  /** Writes the counter's cache when it learned something since the last load or save; returns whether it wrote. */
  save(): boolean {
    const misses = this.counter.stats().cacheMisses;
    if (misses === this.savedAtMisses) return false;
    try {
      writeCountStore(this.file, this.counter.exportCounts());
      this.savedAtMisses = misses;
      return true;
    } catch (e) {
      this.onWarning(`could not write ${this.file}: ${(e as Error).message}`);
      return false;
    }
  }
}
