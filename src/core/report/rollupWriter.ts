// Rollups kept up to date by the process that writes the ledger, so that the first report after a write
// (a status line after each request, a budget check, `rightsize report`) finds every rollup matching its
// ledger file's size and mtime and reads no ledger bytes at all.
//
// A Ledger tells its observer about every append (ledger.ts AppendObserver). For each monthly file the
// writer holds the state of the rollup it last wrote: the Buckets, the covered byte count, the running
// SHA-1 of the covered bytes, and the file's size, mtime and inode then. An append continues that
// state only when the file was exactly as the state left it just before the write (same inode, size
// and mtime: nothing else wrote, nothing was edited) and grew by exactly the bytes written; the records
// are added (as a scan would read them back: through JSON), the hash is continued with their bytes, and
// the rollup is written shortly after (debounced, atomically, as RollupStore writes it). Anything else
// (another window or the CLI appended, an edit, a torn tail, no state yet) drops the state and resyncs
// in the background through RollupStore, which verifies the rollup against the ledger the usual way
// (re-hashing the covered bytes) and scans only the tail, then reloads the state from what it wrote.
//
// Crash-safe by construction: the ledger is written first and is the truth; a rollup is only ever
// replaced whole (temp + rename) by one that verifies against it, and a report that finds a rollup
// older than its file falls back to verifying and scanning the tail. A writer killed before its
// debounced write leaves an older rollup, which the next report or resync moves on.
import { Hash } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { AppendInfo, AppendObserver, Ledger } from '../ledger/ledger';
import { ReadStats, emptyReadStats } from '../ledger/lineReader';
import { LedgerFile, ledgerFileInfo } from '../ledger/paths';
import { serializeRecord } from '../ledger/ledger';
import type { UsageRecord } from '../types';
import { Buckets } from './buckets';
import { calendarFor, dayKeyer } from './calendar';
import { decodeBuckets } from './rollupCodec';
import { RollupHeader, RollupOptions, RollupStore, hashRange } from './rollupStore';
import { errorText } from '../errorText';

/** Appends of more records than this (imports) are read back by a resync instead of added in the append's call. */
const MAX_RECORDS_ADDED_INLINE = 500;

interface FileState {
  file: LedgerFile;
  buckets: Buckets;
  covered: number;
  hash: Hash;
  ino: number;
  size: number;
  mtimeMs: number;
  stats: ReadStats;
  /** Appends since the rollup was last written. */
  dirty: boolean;
}

export interface RollupWriterOptions extends Pick<RollupOptions, 'rollupDir' | 'topK' | 'onWarning'> {
  /** Write a file's rollup this long after the first unwritten append. Default 50 ms. */
  debounceMs?: number;
}

export class RollupWriter implements AppendObserver {
  private readonly states = new Map<string, FileState>();
  private readonly resyncing = new Map<string, Promise<void>>();
  /** Files appended to (by us) while their resync ran: resync again after. */
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly persisting = new Set<Promise<unknown>>();
  private readonly store: RollupStore;
  private readonly keyOf = dayKeyer(calendarFor('local'));
  private readonly debounceMs: number;
  private readonly warn: (m: string) => void;
  private disposed = false;
  /** Appends continued from a held state, and resyncs run (for tests and benchmarks). */
  readonly counts = { continued: 0, resyncs: 0, writes: 0 };

  /** Keeps the 'local' time-zone rollups of `ledger` (the ones the status line, budgets and default reports read). */
  constructor(private readonly ledger: Ledger, opts: RollupWriterOptions = {}) {
    this.store = new RollupStore(ledger, 'local', { rollupDir: opts.rollupDir, topK: opts.topK, onWarning: opts.onWarning, minTailBytesToPersist: 0 });
    this.debounceMs = opts.debounceMs ?? 50;
    this.warn = opts.onWarning ?? (() => undefined);
  }

  /** Attaches to the ledger (its observer) and returns this. */
  attach(): this {
    this.ledger.observer = this;
    return this;
  }

  appended(info: AppendInfo): void {
    if (this.disposed) return;
    const s = this.states.get(info.file);
    // A big batch (an import) is not added here, synchronously: the resync reads it back in chunks.
    if (s && info.records.length <= MAX_RECORDS_ADDED_INLINE && !this.resyncing.has(info.file) && s.ino === info.ino && s.size === info.sizeBefore && s.mtimeMs === info.mtimeBefore && s.covered === s.size && info.sizeAfter === info.sizeBefore + info.bytes) {
      for (const r of info.records) {
        const rec = JSON.parse(serializeRecord(r)) as UsageRecord; // as a scan reads it back
        const ms = Date.parse(rec.ts);
        s.buckets.add(rec, this.keyOf(ms), ms);
      }
      s.stats.bytes += info.bytes;
      s.stats.lines += info.records.length;
      s.stats.records += info.records.length;
      s.covered = s.size = info.sizeAfter;
      s.mtimeMs = info.mtimeAfter;
      s.dirty = true;
      this.counts.continued++;
      // the hash continues with the bytes just written, read back (they are in the page cache)
      this.schedule(info.file, async () => {
        await this.persist(info.file);
      });
      this.pendingHash.set(info.file, [...(this.pendingHash.get(info.file) ?? []), [info.sizeBefore, info.sizeAfter]]);
      return;
    }
    this.states.delete(info.file);
    this.pendingHash.delete(info.file);
    if (this.resyncing.has(info.file)) { this.again.add(info.file); return; }
    this.schedule(info.file, () => this.resync(info.file));
  }

  /** Byte ranges appended but not yet fed to the state's hash (fed before each write, in order). */
  private readonly pendingHash = new Map<string, Array<[number, number]>>();

  private schedule(file: string, run: () => Promise<void>): void {
    if (this.timers.has(file)) return;
    const t = setTimeout(() => {
      this.timers.delete(file);
      const p = run().catch((e) => this.warn(`rollup upkeep of ${path.basename(file)} failed (${errorText(e)}); reports will verify and scan it`));
      this.persisting.add(p);
      void p.finally(() => this.persisting.delete(p));
    }, this.debounceMs);
    t.unref?.();
    this.timers.set(file, t);
  }

  /** Writes the held state of `file` when it has unwritten appends. */
  private async persist(file: string): Promise<void> {
    const s = this.states.get(file);
    if (!s || !s.dirty) {
      if (!s && !this.resyncing.has(file)) await this.resync(file);
      return;
    }
    await this.feedHash(file, s);
    if (this.states.get(file) !== s) return;
    s.dirty = false;
    const ok = await this.store.write(s.file, { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }, s.covered, s.hash.copy().digest('hex'), { ...s.stats }, s.buckets);
    if (ok) this.counts.writes++;
  }

  private async feedHash(file: string, s: FileState): Promise<void> {
    const ranges = this.pendingHash.get(file) ?? [];
    this.pendingHash.delete(file);
    if (ranges.length === 0) return;
    const fh = await fsp.open(file, 'r');
    try {
      for (const [from, to] of ranges) {
        const buf = Buffer.allocUnsafe(to - from);
        const { bytesRead } = await fh.read(buf, 0, buf.length, from);
        if (bytesRead !== buf.length) throw new Error('the ledger file shrank');
        s.hash.update(buf);
      }
    } catch (e) {
      this.states.delete(file);
      throw e;
    } finally {
      await fh.close();
    }
  }

  /** Verifies (or builds) the rollup of `file` through RollupStore, then holds its state. */
  private resync(file: string): Promise<void> {
    const running = this.resyncing.get(file);
    if (running) return running;
    const p = (async () => {
      this.counts.resyncs++;
      const info = ledgerFileInfo(path.dirname(file), path.basename(file));
      if (!info) return;
      await this.store.loadAll([info]);
      const state = await this.readState(info);
      if (state) this.states.set(file, state);
    })().finally(() => {
      this.resyncing.delete(file);
      if (this.again.delete(file) && !this.disposed) this.schedule(file, () => this.resync(file));
    });
    this.resyncing.set(file, p);
    return p;
  }

  /** The state of the rollup just written for `file`, when it covers the whole file as it is now. */
  private async readState(file: LedgerFile): Promise<FileState | undefined> {
    let raw: Buffer;
    try {
      raw = await fsp.readFile(this.store.pathFor(file));
    } catch {
      return undefined; // not writable here: reports will scan
    }
    const nl = raw.indexOf(10);
    if (nl < 0) return undefined;
    const h = JSON.parse(raw.toString('utf8', 0, nl)) as RollupHeader;
    const st = await fsp.stat(file.path);
    if (h.coveredBytes !== h.size || h.size !== st.size || h.mtimeMs !== st.mtimeMs || (h.ino && st.ino && h.ino !== st.ino)) return undefined;
    const hash = await hashRange(file.path, h.coveredBytes);
    if (hash.copy().digest('hex') !== h.coveredSha1) return undefined;
    const stats = emptyReadStats();
    for (const k of Object.keys(stats) as Array<keyof ReadStats>) stats[k] = Number(h.stats?.[k]) || 0;
    return { file, buckets: decodeBuckets(raw.subarray(nl + 1)), covered: h.coveredBytes, hash, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, stats, dirty: false };
  }

  /** Runs every pending rollup write and resync now, and waits for them (before a process exits). */
  async flush(): Promise<void> {
    for (const [file, t] of [...this.timers]) {
      clearTimeout(t);
      this.timers.delete(file);
      const p = (this.states.has(file) ? this.persist(file) : this.resync(file)).catch((e) => this.warn(`rollup upkeep of ${path.basename(file)} failed (${errorText(e)})`));
      this.persisting.add(p);
      void p.finally(() => this.persisting.delete(p));
    }
    while (this.persisting.size > 0 || this.resyncing.size > 0) await Promise.all([...this.persisting, ...this.resyncing.values()]);
  }

  async dispose(): Promise<void> {
    await this.flush();
    this.disposed = true;
    if (this.ledger.observer === this) this.ledger.observer = undefined;
  }
}
