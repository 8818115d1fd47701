// Per-file rollups: the Buckets of one monthly ledger file, for one time zone, covering the file's
// bytes [0, coveredBytes) (always a line boundary). A report loads the rollup, scans only the
// uncovered tail, and writes the rollup back when it built it or moved it on.
//
// Trust nothing blindly. A rollup is a header line (JSON: format, zone, file, the ledger file's inode,
// size and mtime when the rollup was written, coveredBytes, the SHA-1 of the covered bytes, the CRC-32
// of the body, read statistics) and the body (the Buckets, binary: rollupCodec.ts). It is used only if
//  - it parses, its format, zone, file name and topK fit, and the body's checksum holds;
//  - the ledger file is the same file (inode, where the platform has one) and at least coveredBytes
//    long; and
//  - the file's size and mtime are exactly those recorded (nothing was written since), or else the
//    SHA-1 of [0, coveredBytes) is recomputed and matches: an edit anywhere in the covered bytes, even
//    one that keeps the length, is caught; an append alone is not mistaken for one.
// Otherwise it is rebuilt from a full scan of the file, with a warning naming the reason.
// Writes are atomic (temp file + rename), so concurrent processes see an old or a new rollup, never a
// half-written one; the last writer wins and every version is self-consistent.
import { createHash, Hash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Ledger } from '../ledger/ledger';
import { ReadStats, addReadStats, emptyReadStats } from '../ledger/lineReader';
import type { LedgerFile } from '../ledger/paths';
import { Buckets } from './buckets';
import { decodeBuckets, encodeBuckets } from './rollupCodec';
import { ReportTimeZone, zoneId } from './calendar';
import { scanFile } from './fileScan';
import { HashedScan, scanAll, scanThreads } from './scanPool';

export const ROLLUP_FORMAT = 3;
const HASH_CHUNK = 4 * 1024 * 1024;

export interface RollupOptions {
  /** Where rollups live. Default `<ledger dir>/rollups`. */
  rollupDir?: string;
  /** Requests kept per day × workspace for "top" lists (reports asking for more scan). Default 10. */
  topK?: number;
  /** Rewrite a rollup trusted by its metadata once its uncovered tail reaches this many bytes. Default 0. */
  minTailBytesToPersist?: number;
  /** Never write rollups (they are still read and verified). */
  readOnly?: boolean;
  /** Builds of at least this many bytes in all run on worker threads (when there are cores). Default 8 MiB. */
  minParallelBytes?: number;
  onWarning?: (message: string) => void;
}

export interface FileAggregate {
  buckets: Buckets;
  /** Read statistics of the whole file (covered part from the rollup + the scanned tail). */
  stats: ReadStats;
  /** `rollup`: a valid rollup was used; `built`: none existed; `rebuilt`: one existed but was rejected. */
  source: 'rollup' | 'built' | 'rebuilt';
  /** How the rollup was trusted: its file's size and mtime were unchanged, or the covered bytes were re-hashed. */
  verifiedBy?: 'metadata' | 'checksum';
  scannedBytes: number;
  persisted: boolean;
}

export interface RollupHeader {
  format: number;
  zone: string;
  file: string;
  ino: number;
  /** The ledger file's size and mtime when the rollup was written. */
  size: number;
  mtimeMs: number;
  coveredBytes: number;
  coveredSha1: string;
  /** CRC-32 of the body (zlib.crc32; SHA-1 hex where Node has no zlib.crc32): catches a damaged or cut file. */
  bodyCheck: string;
  topK: number;
  stats: ReadStats;
}

/** What `prepare` found: a trusted base to continue from, or nothing. */
interface Prepared {
  file: LedgerFile;
  st: fs.Stats;
  base?: Buckets;
  covered: number;
  stats: ReadStats;
  /** Only some days were decoded (the rollup covers the whole, unchanged file: nothing is added or written). */
  partial?: boolean;
  /** Running SHA-1 of [0, covered) when the covered bytes were re-read (to continue with the tail). */
  hash?: Hash;
  verifiedBy?: 'metadata' | 'checksum';
  existed: boolean;
}

/** What of a rollup a caller reads (see loadAll). */
interface Parts { wantDay?: (day: string) => boolean; withSessions: boolean; withFacets: boolean }

/** A rollup of an older format: rebuilt quietly. */
class OutdatedRollup extends Error {}

const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');
const crc32 = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
/** The body's check: a CRC-32 (reading 25 rollups, SHA-1 of their bodies was a fifth of a warm report). */
const bodyCheck = (b: Buffer): string => (crc32 ? `crc32:${crc32(b).toString(16)}` : `sha1:${sha1(b)}`);

export class RollupStore {
  readonly dir: string;
  readonly topK: number;
  readonly zone: ReportTimeZone;
  private readonly zoneKey: string;
  private readonly minTail: number;
  private readonly readOnly: boolean;
  private readonly minParallel: number;
  private readonly warn: (m: string) => void;
  private writeFailed = false;

  constructor(private readonly ledger: Ledger, zone: ReportTimeZone, opts: RollupOptions = {}) {
    this.dir = opts.rollupDir ?? path.join(ledger.dir, 'rollups');
    this.topK = opts.topK ?? 10;
    this.zone = zone;
    this.zoneKey = zoneId(zone);
    this.minTail = opts.minTailBytesToPersist ?? 0;
    this.readOnly = opts.readOnly ?? false;
    this.minParallel = opts.minParallelBytes ?? 8 * 1024 * 1024;
    this.warn = opts.onWarning ?? (() => undefined);
  }

  pathFor(file: LedgerFile): string {
    return path.join(this.dir, `${file.month}.${this.zoneKey.replace(/[^A-Za-z0-9_+-]/g, '_')}.rollup.json`);
  }

  async load(file: LedgerFile): Promise<FileAggregate> {
    return (await this.loadAll([file]))[0];
  }

  /**
   * The aggregates of `files` (in order); rollups missing or rejected are built, in parallel when big.
   * A rollup trusted as it is (nothing appended since) may hold only the days `wantDay` accepts, no
   * sessions unless `withSessions`, no task/surface sums unless `withFacets` (a built or extended one
   * keeps everything): for callers that read only those.
   */
  async loadAll(files: LedgerFile[], wantDay?: (day: string) => boolean, withSessions = true, withFacets = true): Promise<FileAggregate[]> {
    const parts: Parts = { wantDay, withSessions, withFacets };
    const prepared: Array<Prepared | undefined> = await Promise.all(files.map((f) => this.prepare(f, parts)));
    const toBuild = prepared.map((p, i) => (p && !p.base ? i : -1)).filter((i) => i >= 0);
    const jobs = toBuild.map((i) => ({ path: files[i].path, to: prepared[i]!.st.size }));
    const built = await scanAll(jobs, this.zone, this.zoneKey, this.topK, scanThreads(jobs, this.minParallel), this.warn);
    const out: FileAggregate[] = [];
    for (let i = 0; i < files.length; i++) {
      const p = prepared[i];
      if (!p) out.push({ buckets: new Buckets(this.topK), stats: emptyReadStats(), source: 'built', scannedBytes: 0, persisted: false });
      else if (!p.base) out.push(await this.finishBuild(p, built[toBuild.indexOf(i)]));
      else out.push(await this.continueFrom(p));
    }
    return out;
  }

  /** Stats the file and reads and verifies its rollup; undefined when the ledger file is gone. */
  private async prepare(file: LedgerFile, parts: Parts): Promise<Prepared | undefined> {
    let st: fs.Stats;
    try {
      st = await fsp.stat(file.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const rollupPath = this.pathFor(file);
    let raw: Buffer | undefined;
    try {
      raw = await fsp.readFile(rollupPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`rollup ${path.basename(rollupPath)} unreadable (${(e as Error).message}); rebuilding`);
    }
    if (raw === undefined) return { file, st, covered: 0, stats: emptyReadStats(), existed: false };
    try {
      return { file, st, existed: true, ...(await this.verify(raw, file, st, parts)) };
    } catch (e) {
      if (e instanceof OutdatedRollup) return { file, st, covered: 0, stats: emptyReadStats(), existed: false }; // written by an older version
      this.warn(`rollup ${path.basename(rollupPath)} rejected (${(e as Error).message}); rebuilding it from ${file.name}`);
      return { file, st, covered: 0, stats: emptyReadStats(), existed: true };
    }
  }

  private async verify(raw: Buffer, file: LedgerFile, st: fs.Stats, parts: Parts): Promise<Pick<Prepared, 'base' | 'covered' | 'stats' | 'hash' | 'verifiedBy' | 'partial'>> {
    const nl = raw.indexOf(10);
    let h: RollupHeader;
    try {
      h = JSON.parse(raw.toString('utf8', 0, nl < 0 ? raw.length : nl)) as RollupHeader;
    } catch {
      throw new Error('not JSON');
    }
    if (!h || typeof h !== 'object') throw new Error('not a rollup');
    if (typeof h.format === 'number' && h.format < ROLLUP_FORMAT) throw new OutdatedRollup();
    if (h.format !== ROLLUP_FORMAT) throw new Error(`format ${String(h.format)}`);
    if (nl < 0) throw new Error('no body');
    const body = raw.subarray(nl + 1);
    if (typeof h.bodyCheck !== 'string' || bodyCheck(body) !== h.bodyCheck) throw new Error('checksum mismatch');
    if (h.zone !== this.zoneKey) throw new Error(`time zone ${h.zone} is not ${this.zoneKey}`);
    if (h.file !== file.name) throw new Error(`made for ${h.file}`);
    if (!Number.isInteger(h.topK) || h.topK < this.topK) throw new Error('keeps too few top requests');
    if (!Number.isInteger(h.coveredBytes) || h.coveredBytes < 0 || h.coveredBytes > st.size) throw new Error('covers more bytes than the file has');
    if (h.ino && st.ino && h.ino !== st.ino) throw new Error('the ledger file was replaced');
    const stats = checkedStats(h.stats);
    // Only some parts when the file is as the rollup saw it (nothing to add, nothing to write back).
    const some = parts.wantDay !== undefined || !parts.withSessions || !parts.withFacets;
    const partial = some && st.size === h.size && st.mtimeMs === h.mtimeMs && h.coveredBytes === st.size;
    let base: Buckets;
    try {
      base = partial ? decodeBuckets(body, parts.wantDay, parts.withSessions, parts.withFacets) : decodeBuckets(body);
    } catch (e) {
      throw new Error(`bad body (${(e as Error).message})`);
    }
    if (st.size === h.size && st.mtimeMs === h.mtimeMs) return { base, covered: h.coveredBytes, stats, verifiedBy: 'metadata', ...(partial ? { partial } : {}) };
    const hash = await hashRange(file.path, h.coveredBytes);
    if (hash.copy().digest('hex') !== h.coveredSha1) throw new Error(`${file.name} changed inside the ${h.coveredBytes} bytes it covers (edited?)`);
    return { base, covered: h.coveredBytes, stats, hash, verifiedBy: 'checksum' };
  }

  /** Scans the tail after a trusted rollup; persists when the covered bytes were re-hashed (or the tail is big). */
  private async continueFrom(p: Prepared): Promise<FileAggregate> {
    const base = p.base!;
    if (p.partial) {
      // covered to the end and unchanged: nothing to scan (the scan would only count the file), nothing to write
      return { buckets: base, stats: { ...p.stats, files: p.stats.files + 1 }, source: 'rollup', verifiedBy: p.verifiedBy, scannedBytes: 0, persisted: false };
    }
    const scan = await scanFile(p.file.path, { zone: this.zone, topK: this.topK, from: p.covered, to: p.st.size, hash: p.hash, into: base });
    this.ledger.warnAbout(p.file.name, scan.stats);
    const persistStats = coveredStats(p.stats, scan.stats, scan.transientRecords);
    let persisted = false;
    const grown = scan.endOffset - p.covered;
    if (!this.readOnly && (p.verifiedBy === 'checksum' || (grown > 0 && grown >= this.minTail))) {
      const hash = p.hash ?? (await hashRange(p.file.path, p.covered));
      if (!p.hash) await continueHash(hash, p.file.path, p.covered, scan.endOffset);
      persisted = await this.write(p.file, p.st, scan.endOffset, hash.digest('hex'), persistStats, base);
    }
    const all = { ...p.stats };
    addReadStats(all, scan.stats);
    if (scan.transient) base.merge(scan.transient);
    return { buckets: base, stats: all, source: 'rollup', verifiedBy: p.verifiedBy, scannedBytes: p.st.size - p.covered, persisted };
  }

  private async finishBuild(p: Prepared, scan: HashedScan): Promise<FileAggregate> {
    this.ledger.warnAbout(p.file.name, scan.stats);
    const persisted = this.readOnly ? false : await this.write(p.file, p.st, scan.endOffset, scan.sha1, coveredStats(emptyReadStats(), scan.stats, scan.transientRecords), scan.buckets);
    if (scan.transient) scan.buckets.merge(scan.transient);
    return { buckets: scan.buckets, stats: scan.stats, source: p.existed ? 'rebuilt' : 'built', scannedBytes: p.st.size, persisted };
  }

  /** Writes the rollup of `file` (atomically): `b` covers [0, coveredBytes), whose SHA-1 is `coveredSha1`; `st` is the ledger file's stat it was made from. False when the write failed (warned once). */
  async write(file: LedgerFile, st: Pick<fs.Stats, 'ino' | 'size' | 'mtimeMs'>, coveredBytes: number, coveredSha1: string, stats: ReadStats, b: Buckets): Promise<boolean> {
    const body = encodeBuckets(b);
    const header: RollupHeader = {
      format: ROLLUP_FORMAT, zone: this.zoneKey, file: file.name, ino: st.ino || 0, size: st.size, mtimeMs: st.mtimeMs,
      coveredBytes, coveredSha1, bodyCheck: bodyCheck(body), topK: this.topK, stats,
    };
    const rollupPath = this.pathFor(file);
    const tmp = `${rollupPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]), { mode: 0o600 });
      await fsp.rename(tmp, rollupPath);
      return true;
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      if (!this.writeFailed) this.warn(`could not write rollups in ${this.dir} (${(e as Error).message}); reports will scan`);
      this.writeFailed = true;
      return false;
    }
  }
}

/** The statistics a rollup keeps: covered lines only (no torn tail, no unterminated record). */
function coveredStats(before: ReadStats, tail: ReadStats, transientRecords: number): ReadStats {
  const s = { ...before };
  addReadStats(s, tail);
  s.tornTail = 0;
  s.records -= transientRecords;
  s.lines -= transientRecords;
  return s;
}

function checkedStats(x: unknown): ReadStats {
  if (!x || typeof x !== 'object') throw new Error('no read statistics');
  const stats = emptyReadStats();
  for (const k of Object.keys(stats) as Array<keyof ReadStats>) {
    const v = (x as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`bad statistic ${k}`);
    stats[k] = v;
  }
  return stats;
}

/** SHA-1 state after the bytes [0, end) of `file`. */
export async function hashRange(file: string, end: number): Promise<Hash> {
  const hash = createHash('sha1');
  await continueHash(hash, file, 0, end);
  return hash;
}

export async function continueHash(hash: Hash, file: string, from: number, to: number): Promise<void> {
  if (to <= from) return;
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(HASH_CHUNK, to - from));
    for (let pos = from; pos < to;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) throw new Error('the ledger file shrank while it was read');
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
