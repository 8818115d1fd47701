// The usage ledger: append-only JSONL (schema v1), one directory per user, one file per UTC month
// (`usage-YYYY-MM.jsonl`, by the record's `ts`).
//
// Durability and concurrency:
//  - `append` writes a whole record as ONE write(2) of one '\n'-terminated line to a descriptor opened
//    with O_APPEND ('a+'), and returns only when that write returned. Once it has returned the line is
//    in the kernel's page cache, so killing the process (even with SIGKILL) cannot lose it. (Surviving
//    a power cut needs `fsync: true`, which costs a disk flush per append.) The descriptor is kept open
//    between appends (closed after 2 s idle, reopened if the file was removed), which changes none of this.
//  - Several processes (VS Code windows, the CLI) append to the same file: with O_APPEND each write
//    lands at the end of the file as a unit (Linux serialises writes to a regular file under the inode
//    lock), so lines never interleave.
//  - Torn last line (a writer killed inside its write): readers skip it with a warning. It is repaired
//    by TERMINATING it: before each append, and when a Ledger is opened, a file whose last byte is not
//    '\n' (and stays so for a few ms: see lastByteIsNotNewline) gets a '\n' first, so the next record
//    starts on a fresh line. We never truncate: truncating is
//    unsafe with concurrent appenders (it could cut a record another process has just appended), while
//    an extra '\n' is at worst a blank line, which readers ignore. If a torn line and a complete record
//    still end up on one line (a race between the check and another process's death), readers recover
//    the complete record (see lineReader.ts).
//  - A record that can never be written (invalid: a non-finite number, a missing field; or its line longer
//    than MAX_RECORD_BYTES, which readers would skip) is refused with an UnwritableRecordError. Callers that
//    must not lose it set it aside with `quarantine` (quarantine.jsonl in the ledger directory, one line per
//    record with the reason; readers of the ledger never read it) and move on.
import * as fs from 'fs';
import * as path from 'path';
import type { UsageRecord } from '../types';
import { Batch, ReadOptions, ReadStats, addReadStats, emptyReadStats, readBatches, unreadableLines } from './lineReader';
import { LedgerFile, ledgerFileInfo, ledgerFileName } from './paths';
import { MAX_RECORD_BYTES, recordProblem } from './validate';

/** A record the ledger refuses for what it is (not for a failed write): retrying cannot help. */
export class UnwritableRecordError extends TypeError {
  constructor(message: string, readonly reason: string) {
    super(message);
    this.name = 'UnwritableRecordError';
  }
}

/** The file records that can never be written are set aside in, in the ledger directory. */
export const QUARANTINE_FILE = 'quarantine.jsonl';
/** Of a quarantined record, at most this much of its JSON is kept. */
const QUARANTINE_KEEP_BYTES = 256 * 1024;

/** JSON that keeps non-finite numbers visible (`"Infinity"`, `"NaN"`) instead of turning them into null. */
function jsonKeepingOddNumbers(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'bigint' ? `${v}n` : v));
}

/** The line `record` would be stored as, or the reason it can never be written. */
function lineOf(record: UsageRecord, where: string): string {
  const problem = recordProblem(record);
  if (problem) throw new UnwritableRecordError(`${where}: invalid usage record (${problem})${idOf(record)}`, problem);
  const line = serializeRecord(record) + '\n';
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes > MAX_RECORD_BYTES) {
    const reason = `the record is ${bytes} bytes, more than the ${MAX_RECORD_BYTES} a ledger line may hold`;
    throw new UnwritableRecordError(`${where}: usage record too large (${reason})${idOf(record)}`, reason);
  }
  return line;
}

function idOf(record: unknown): string {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? ` [id ${id.slice(0, 80)}]` : '';
}

const TORN_CONFIRM_CHECKS = 5;
/** Largest single write of `appendMany` (whole lines). */
const APPEND_BATCH_BYTES = 1024 * 1024;
const TORN_CONFIRM_WAIT_MS = 4;
/** An append's descriptor is closed after this long without another. */
const HANDLE_IDLE_MS = 2_000;

/** What one append (or one file's share of an appendMany) did to a ledger file, for AppendObserver. */
export interface AppendInfo {
  /** The monthly file's path. */
  file: string;
  ino: number;
  /** The file's size and mtime just before the first write and just after the last. */
  sizeBefore: number;
  mtimeBefore: number;
  sizeAfter: number;
  mtimeAfter: number;
  /** Bytes written (whole lines; a leading '\n' when a torn last line was terminated). */
  bytes: number;
  /** The records written, in order. */
  records: readonly UsageRecord[];
}

/**
 * Told after every append that reached the file (report/rollupWriter.ts keeps the rollups up to date
 * with it). Called synchronously after the write; it must not throw (errors are swallowed) or block.
 */
export interface AppendObserver {
  appended(info: AppendInfo): void;
}

export interface LedgerOptions {
  onWarning?: (message: string) => void;
  /** Told about every append (e.g. a RollupWriter). */
  observer?: AppendObserver;
  /** fsync after every append (survives power loss; slower). Default false. */
  fsync?: boolean;
  /** Terminate torn last lines when the Ledger is constructed. Default true. */
  repairOnOpen?: boolean;
}

export interface RecordQuery {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  /** Workspace id. */
  workspace?: string;
  session?: string;
}

/** The line a record is stored as: `v` first (readers use `{"v":` to recover glued records). */
export function serializeRecord(record: UsageRecord): string {
  const { v, ...rest } = record;
  return JSON.stringify({ v, ...rest });
}

export class Ledger {
  readonly dir: string;
  private readonly onWarning: (message: string) => void;
  private readonly fsync: boolean;
  private dirReady = false;
  private handle: { file: string; fd: number; end?: number } | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  /** Told about every append (set by the constructor's option, or later by whoever keeps rollups). */
  observer: AppendObserver | undefined;

  constructor(dir: string, opts: LedgerOptions = {}) {
    this.dir = path.resolve(dir);
    this.onWarning = opts.onWarning ?? (() => undefined);
    this.fsync = opts.fsync ?? false;
    this.observer = opts.observer;
    if (opts.repairOnOpen ?? true) this.repair();
  }

  /** Appends one record durably (see the header). Throws on an invalid record or a failed write. */
  append(record: UsageRecord): void {
    const line = lineOf(record, 'Ledger.append');
    const file = path.join(this.dir, ledgerFileName(Date.parse(record.ts)));
    this.ensureDir();
    const { h, st } = this.handleFor(file);
    let ok = false;
    try {
      let size = st.size;
      // The file's end is where our last append left it: its last byte is that record's '\n'.
      const torn = size === h.end ? false : lastByteIsNotNewline(h.fd, size);
      if (torn) this.onWarning(`${path.basename(file)}: the last line was unterminated (a writer was interrupted?); it was terminated so this record starts on a fresh line`);
      const buf = Buffer.from(torn ? '\n' + line : line, 'utf8');
      const written = fs.writeSync(h.fd, buf);
      if (written !== buf.length) {
        throw new Error(`Ledger.append: only ${written} of ${buf.length} bytes reached ${file} (disk full?)`);
      }
      if (this.fsync) fs.fsyncSync(h.fd);
      ok = true;
      // Known only when nobody appended between the look and the write.
      size += buf.length;
      try { h.end = fs.fstatSync(h.fd).size === size ? size : undefined; } catch { h.end = undefined; } // the record is written: never fail now
      if (this.observer) this.tell(h.fd, file, st, buf.length, [record]);
    } finally {
      if (!ok) this.closeHandle();
    }
  }

  /** Tells the observer about writes to `fd` (never throws). */
  private tell(fd: number, file: string, before: fs.Stats, bytes: number, records: readonly UsageRecord[]): void {
    try {
      const after = fs.fstatSync(fd);
      this.observer?.appended({ file, ino: after.ino, sizeBefore: before.size, mtimeBefore: before.mtimeMs, sizeAfter: after.size, mtimeAfter: after.mtimeMs, bytes, records });
    } catch {
      // an observer's failure must not fail an append that is already on disk
    }
  }

  /**
   * The open descriptor (O_APPEND) of `file`: kept between appends (an open and a close per record cost more
   * than the write), closed after HANDLE_IDLE_MS without appends, and opened again when the file was removed
   * or renamed over meanwhile (its inode no longer linked), so no record goes to a file nobody can read.
   * Returns the descriptor's stat.
   */
  private handleFor(file: string): { h: { file: string; fd: number; end?: number }; st: fs.Stats } {
    let h = this.handle;
    if (h && h.file === file) {
      try {
        const st = fs.fstatSync(h.fd);
        if (st.nlink > 0) { this.idle?.refresh(); return { h, st }; }
      } catch { /* closed: open it again */ }
    }
    this.closeHandle();
    h = { file, fd: fs.openSync(file, 'a+', 0o600) };
    this.handle = h;
    this.idle = setTimeout(() => this.closeHandle(), HANDLE_IDLE_MS);
    this.idle.unref?.();
    try {
      return { h, st: fs.fstatSync(h.fd) };
    } catch (e) {
      this.closeHandle();
      throw e;
    }
  }

  private closeHandle(): void {
    const h = this.handle;
    this.handle = undefined;
    if (this.idle) { clearTimeout(this.idle); this.idle = undefined; }
    if (h) { try { fs.closeSync(h.fd); } catch { /* already closed */ } }
  }

  /**
   * Sets aside a record that can never be written (see the header): one line `{"at","reason","record"}` in
   * QUARANTINE_FILE (the record's JSON cut to 256 KiB as `recordText` when longer). Returns the file's path.
   * Throws only when the write itself fails.
   */
  quarantine(record: unknown, reason: string, now: Date = new Date()): string {
    const file = path.join(this.dir, QUARANTINE_FILE);
    let text: string;
    try { text = jsonKeepingOddNumbers(record) ?? 'undefined'; } catch (e) { text = `unserialisable: ${(e as Error).message}`; }
    const entry = Buffer.byteLength(text, 'utf8') <= QUARANTINE_KEEP_BYTES
      ? `{"at":${JSON.stringify(now.toISOString())},"reason":${JSON.stringify(reason)},"record":${text}}`
      : JSON.stringify({ at: now.toISOString(), reason, recordText: Buffer.from(text, 'utf8').subarray(0, QUARANTINE_KEEP_BYTES).toString('utf8') });
    this.ensureDir();
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      fs.writeSync(fd, entry + '\n');
      if (this.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return file;
  }

  private ensureDir(): void {
    if (this.dirReady) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.dirReady = true;
  }

  /** Streams valid records (file by file, in append order), skipping and counting damaged lines. */
  async *records(query: RecordQuery = {}, stats?: ReadStats): AsyncIterable<UsageRecord> {
    const sinceMs = query.since?.getTime() ?? -Infinity;
    const untilMs = query.until?.getTime() ?? Infinity;
    for (const file of this.files()) {
      if (file.endMs <= sinceMs || file.startMs >= untilMs) continue;
      for await (const batch of this.readFile(file, stats)) {
        for (const r of batch.records) {
          if (query.workspace !== undefined && r.workspace.id !== query.workspace) continue;
          if (query.session !== undefined && r.session !== query.session) continue;
          if (sinceMs > -Infinity || untilMs < Infinity) {
            const ms = Date.parse(r.ts);
            if (ms < sinceMs || ms >= untilMs) continue;
          }
          yield r;
        }
      }
    }
  }

  /** The monthly files present, oldest first. */
  files(): LedgerFile[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.map((n) => ledgerFileInfo(this.dir, n)).filter((f): f is LedgerFile => f !== undefined).sort((a, b) => a.startMs - b.startMs);
  }

  /** Low level: batches of one file's records (used by the report rollups). Warns about damage. */
  async *readFile(file: LedgerFile, stats?: ReadStats, opts?: ReadOptions): AsyncGenerator<Batch> {
    const local = emptyReadStats();
    try {
      yield* readBatches(file.path, local, opts);
    } finally {
      if (stats) addReadStats(stats, local);
      this.warnAbout(file.name, local);
    }
  }

  /** Terminates torn last lines; returns the names of the files it touched. */
  repair(): string[] {
    const touched: string[] = [];
    for (const file of this.files()) {
      try {
        const fd = fs.openSync(file.path, 'a+');
        try {
          if (lastByteIsNotNewline(fd)) {
            fs.writeSync(fd, '\n');
            touched.push(file.name);
          }
        } finally {
          fs.closeSync(fd);
        }
      } catch (e) {
        this.onWarning(`${file.name}: could not check the last line (${(e as Error).message})`);
      }
    }
    if (touched.length > 0) this.onWarning(`Repaired a torn last line in ${touched.join(', ')} (the line was terminated; no complete record was touched)`);
    return touched;
  }

  /**
   * Appends many records (imports): each is checked as `append` checks it, then each month's lines go in
   * writes of at most APPEND_BATCH_BYTES, each a whole number of lines (same O_APPEND rule as `append`).
   * Throws before writing anything when a record is invalid, unless `quarantine` is set: then such records
   * are set aside in the quarantine file with their reason and the rest are written (imports: one bad
   * line of another tool's log must not stop the import forever). Returns the records written.
   */
  appendMany(records: readonly UsageRecord[], opts: { quarantine?: boolean } = {}): { written: UsageRecord[]; quarantined: number } {
    const byFile = new Map<string, string[]>();
    const byRecords = new Map<string, UsageRecord[]>();
    const written: UsageRecord[] = [];
    let quarantined = 0;
    for (const record of records) {
      let line: string;
      try {
        line = lineOf(record, 'Ledger.appendMany');
      } catch (e) {
        if (!opts.quarantine || !(e instanceof UnwritableRecordError)) throw e;
        this.quarantine(record, e.reason);
        quarantined++;
        continue;
      }
      written.push(record);
      const file = path.join(this.dir, ledgerFileName(Date.parse(record.ts)));
      let lines = byFile.get(file);
      if (!lines) { byFile.set(file, (lines = [])); byRecords.set(file, []); }
      lines.push(line);
      byRecords.get(file)!.push(record);
    }
    if (byFile.size > 0) this.ensureDir();
    for (const [file, lines] of byFile) {
      const fd = fs.openSync(file, 'a+', 0o600);
      try {
        const before = this.observer ? fs.fstatSync(fd) : undefined;
        let bytes = 0;
        let text = lastByteIsNotNewline(fd) ? '\n' : '';
        for (let i = 0; i <= lines.length; i++) {
          if (i === lines.length || (text.length > 0 && text.length + lines[i].length > APPEND_BATCH_BYTES)) {
            const buf = Buffer.from(text, 'utf8');
            if (buf.length > 0 && fs.writeSync(fd, buf) !== buf.length) throw new Error(`Ledger.appendMany: a write to ${file} was cut short (disk full?)`);
            bytes += buf.length;
            text = '';
          }
          if (i < lines.length) text += lines[i];
        }
        if (this.fsync) fs.fsyncSync(fd);
        if (before) this.tell(fd, file, before, bytes, byRecords.get(file)!);
      } finally {
        fs.closeSync(fd);
      }
    }
    return { written, quarantined };
  }

  /** Warns about the damage a read of file `name` found (also used for reads done elsewhere, e.g. report workers). */
  warnAbout(name: string, s: ReadStats): void {
    const parts: string[] = [];
    if (s.corruptLines) parts.push(`${s.corruptLines} corrupt line(s) skipped`);
    if (s.recoveredRecords) parts.push(`${s.recoveredRecords} record(s) recovered from damaged lines`);
    if (s.invalidRecords) parts.push(`${s.invalidRecords} invalid record(s) skipped`);
    if (s.unknownVersion) parts.push(`${s.unknownVersion} record(s) of an unknown schema version skipped`);
    if (s.tornTail) parts.push('a torn last line skipped (it is terminated on the next append)');
    if (parts.length > 0 && unreadableLines(s) + s.unknownVersion + s.recoveredRecords > 0) this.onWarning(`${name}: ${parts.join('; ')}`);
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * True when the file's last line is torn. Another process's write can be seen half-copied by a
 * reader (writes to a regular file are atomic against each other, not against reads), so an
 * unterminated end is confirmed only if the file stays unchanged for a few milliseconds; a write in
 * flight finishes within microseconds. (If a writer is descheduled longer, the only cost is one blank
 * line, which readers ignore.) The wait happens only when the anomaly is seen.
 */
function lastByteIsNotNewline(fd: number, knownSize?: number): boolean {
  const one = Buffer.alloc(1);
  let size = knownSize ?? fs.fstatSync(fd).size;
  for (let attempt = 0; ; attempt++) {
    if (size === 0) return false;
    fs.readSync(fd, one, 0, 1, size - 1);
    if (one[0] === 10) return false;
    if (attempt >= TORN_CONFIRM_CHECKS) return true;
    Atomics.wait(sleepCell, 0, 0, TORN_CONFIRM_WAIT_MS);
    const now = fs.fstatSync(fd).size;
    if (now === size && attempt > 0) return true;
    size = now;
  }
}
