// Incremental, idempotent import of an assistant's log files into the ledger:
//   list *.jsonl under the roots -> skip files unchanged since the last run (one stat each) -> read each
//   changed file from where the last run stopped (from the start when it shrank or was replaced) ->
//   parse only the lines that can carry usage -> drop calls already imported -> meter -> ledger, in
//   batches, saving the cursors after each batch.
import { promises as fsp } from 'fs';
import * as fs from 'fs';
import * as path from 'path';
import type { Ledger } from '../ledger';
import type { UsageRecord } from '../types';
import { ImportRecordContext, importRecord } from './importRecord';
import { FileCursor, HEAD_BYTES, headHash, ImportState } from './importState';
import { scanMarkedLines, ScanStats } from './lineScan';
import type { ImportedUsage, ImportSource } from './types';

/** How one kind of log is read. `S` is the per-file parser context. */
export interface LogFormat<S> {
  source: ImportSource;
  /** Lines without any of these strings are never parsed. */
  markers: readonly string[];
  /** A fresh context, or the one saved with the file's cursor. */
  newState(saved: unknown): S;
  /** The context to save with the cursor (undefined: nothing worth keeping). */
  saveState?(state: S): unknown;
  /** A call, a reason it is not imported, or undefined (no usage on this line). */
  usageOf(text: string, state: S, fileKey: string, offset: number): ImportedUsage | string | undefined;
}

export interface ImportProgress { files: number; filesDone: number; bytes: number; bytesDone: number; records: number }

export interface ImportOptions {
  /** Folders (searched recursively for *.jsonl) or files. Missing ones are skipped. */
  roots: readonly string[];
  ledger: Ledger;
  /** Where cursors and keys live (`<ledger>/import-state`). */
  stateDir: string;
  ctx: ImportRecordContext;
  /** True for a call Rightsize itself already recorded (skipped). */
  recordedByRightsize?(u: ImportedUsage): boolean;
  signal?: AbortSignal;
  onProgress?(p: ImportProgress): void;
  /** Called with each batch of records written. */
  onRecords?(records: readonly UsageRecord[]): void;
  /** Records per ledger write + cursor save. Default 5000. */
  batchRecords?: number;
}

export interface ImportSummary {
  source: ImportSource;
  /** Log files found / read because they changed. */
  files: number;
  changedFiles: number;
  bytesRead: number;
  /** New records written. */
  records: number;
  /** Calls already imported (this run or before). */
  duplicates: number;
  /** Usage not imported, by reason (e.g. `rightsize`: Rightsize recorded it itself). */
  skipped: Record<string, number>;
  /** Models not in the catalog, with the catalog model that priced them. */
  standIns: Record<string, string>;
  ms: number;
  /** Another import of this source was running: nothing done. */
  busy: boolean;
  cancelled: boolean;
}

/** The state folder of a ledger. */
export function importStateDir(ledgerDir: string): string {
  return path.join(ledgerDir, 'import-state');
}

/** Every *.jsonl file under the roots (a root may be a file), sorted. */
export async function listLogFiles(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: fs.Dirent[];
    try { entries = await fsp.readdir(dir, { withFileTypes: true }); } catch { return; }
    await Promise.all(entries.map(async (e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.jsonl')) out.push(p);
    }));
  };
  for (const root of roots) {
    const st = await fsp.stat(root).catch(() => undefined);
    if (st?.isFile()) out.push(path.resolve(root));
    else if (st?.isDirectory()) await walk(path.resolve(root));
  }
  return [...new Set(out)].sort();
}

async function headOf(file: string, offset: number): Promise<string> {
  return headHash(await firstBytes(file, Math.min(offset, HEAD_BYTES)));
}

function emptySummary(source: ImportSource): ImportSummary {
  return { source, files: 0, changedFiles: 0, bytesRead: 0, records: 0, duplicates: 0, skipped: {}, standIns: {}, ms: 0, busy: false, cancelled: false };
}

/** Imports what is new in the logs under `opts.roots` (see the header). */
export async function importLogs<S>(format: LogFormat<S>, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary = emptySummary(format.source);
  const state = ImportState.load(opts.stateDir, format.source);
  const release = state.lock();
  if (!release) return { ...summary, busy: true };
  try {
    const files = await listLogFiles(opts.roots);
    summary.files = files.length;
    const changed = await changedFiles(files, state);
    for (const gone of Object.keys(state.files).filter((f) => !files.includes(f))) delete state.files[gone];
    summary.changedFiles = changed.length;
    const progress: ImportProgress = { files: changed.length, filesDone: 0, bytes: changed.reduce((n, c) => n + c.stat.size - c.from, 0), bytesDone: 0, records: 0 };
    const writer = new BatchWriter(opts, state, summary, progress);
    for (const c of changed) {
      if (opts.signal?.aborted) { summary.cancelled = true; break; }
      summary.bytesRead += await importFile(format, c, state, writer, opts, progress);
      progress.filesDone++;
      opts.onProgress?.(progress);
    }
    writer.flush();
    state.save();
    summary.ms = performance.now() - started;
    return summary;
  } finally {
    release();
  }
}

interface ChangedFile { file: string; stat: fs.Stats; from: number; saved?: unknown }

/** The files to read and where to start: one stat each; a head check only for files that grew. */
async function changedFiles(files: readonly string[], state: ImportState): Promise<ChangedFile[]> {
  const out: ChangedFile[] = [];
  await Promise.all(files.map(async (file) => {
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat) return;
    const c = state.files[file];
    if (c && c.size === stat.size && c.mtimeMs === stat.mtimeMs && c.ino === stat.ino) return;
    const resumable = c && c.ino === stat.ino && stat.size >= c.offset && c.offset > 0 && (await headOf(file, c.offset)) === c.head;
    out.push(resumable ? { file, stat, from: c.offset, saved: c.state } : { file, stat, from: 0 });
  }));
  return out.sort((a, b) => a.stat.mtimeMs - b.stat.mtimeMs || a.file.localeCompare(b.file));
}

async function importFile<S>(format: LogFormat<S>, c: ChangedFile, state: ImportState, writer: BatchWriter, opts: ImportOptions, progress: ImportProgress): Promise<number> {
  const parse = format.newState(c.from > 0 ? c.saved : undefined);
  const stats: ScanStats = { bytes: 0, lines: 0, overlong: 0 };
  const first = await firstBytes(c.file, Math.min(c.stat.size, HEAD_BYTES));
  /** The cursor at `offset`; `complete`: the whole file as stat'ed was read (else it is re-checked next run). */
  const cursor = (offset: number, complete: boolean): FileCursor => ({
    size: complete ? c.stat.size : -1, mtimeMs: c.stat.mtimeMs, ino: c.stat.ino, offset,
    head: headHash(first.subarray(0, Math.min(offset, first.length))), state: format.saveState?.(parse),
  });
  const bytesBefore = progress.bytesDone;
  let lastDone = c.from;
  let reported = c.from;
  const end = await scanMarkedLines(c.file, format.markers, { from: c.from, to: c.stat.size, signal: opts.signal }, stats, (text, offset, next) => {
    writer.add(format.usageOf(text, parse, c.file, offset));
    lastDone = next;
    if (writer.full) writer.flush({ file: c.file, cursor: cursor(lastDone, false) });
    if (next - reported > PROGRESS_BYTES) {
      reported = next;
      progress.bytesDone = bytesBefore + next - c.from;
      opts.onProgress?.(progress);
    }
  });
  const aborted = opts.signal?.aborted === true;
  writer.flush({ file: c.file, cursor: cursor(aborted ? lastDone : end, !aborted) });
  progress.bytesDone = bytesBefore + c.stat.size - c.from;
  return stats.bytes;
}

const PROGRESS_BYTES = 32 * 1024 * 1024;

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Collects records; writes them to the ledger and saves the cursors in batches. */
class BatchWriter {
  private records: UsageRecord[] = [];
  private readonly limit: number;

  constructor(private readonly opts: ImportOptions, private readonly state: ImportState, private readonly summary: ImportSummary, private readonly progress: ImportProgress) {
    this.limit = opts.batchRecords ?? 5000;
  }

  get full(): boolean {
    return this.records.length >= this.limit;
  }

  /** Counts a skip reason, or queues the call's record unless it was imported before. */
  add(u: ImportedUsage | string | undefined): void {
    if (u === undefined) return;
    if (typeof u === 'string') {
      this.summary.skipped[u] = (this.summary.skipped[u] ?? 0) + 1;
      return;
    }
    if (this.opts.recordedByRightsize?.(u)) {
      this.summary.skipped.rightsize = (this.summary.skipped.rightsize ?? 0) + 1;
      return;
    }
    if (!u.noDedup && this.state.seen(u.key)) {
      this.summary.duplicates++;
      return;
    }
    const { record, standIn } = importRecord(u, this.opts.ctx);
    if (standIn) this.summary.standIns[u.model] = standIn;
    this.records.push(record);
  }

  /**
   * Writes what is pending to the ledger, then records `at` as its file's cursor; saves the state when
   * records were written (so that a crash later cannot import them again).
   */
  flush(at?: { file: string; cursor: FileCursor }): void {
    const pending = this.records.length;
    let wrote = pending;
    if (pending) {
      // A record the ledger refuses (a poison number in the log) is quarantined, not a reason to stop.
      const { written } = this.opts.ledger.appendMany(this.records, { quarantine: true });
      wrote = written.length;
      this.opts.onRecords?.(written);
      this.summary.records += wrote;
      this.progress.records += wrote;
      this.records = [];
    }
    if (at) this.state.files[at.file] = at.cursor;
    if (pending) this.state.save();
  }
}
