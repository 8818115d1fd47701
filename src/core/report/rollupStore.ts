// Per-file rollups: the Buckets of one monthly ledger file, for one time zone, covering the file's
// bytes [0, coveredBytes) (always a line boundary). A report loads the rollup, scans only the
// uncovered tail, and (when the tail is big enough, or the rollup was missing) writes the rollup back.
//
// Trust nothing blindly: a rollup is used only if
//  - it parses, its format, zone, file name and topK fit, and its checksum (SHA-1 of its body) holds;
//  - the ledger file is still the same file (inode, where the platform has one), at least
//    `coveredBytes` long, and the bytes just before `coveredBytes` and at its start hash as recorded
//    (the ledger is append-only, so covered bytes never change unless the file was replaced/edited);
// otherwise it is rebuilt from a full scan of the file (with a warning when it existed).
// Writes are atomic (temp file + rename), so concurrent processes see an old or a new rollup, never a
// half-written one; the last writer wins and every version is self-consistent.
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Ledger } from '../ledger/ledger';
import { ReadStats, emptyReadStats, addReadStats } from '../ledger/lineReader';
import type { LedgerFile } from '../ledger/paths';
import { Buckets } from './buckets';
import { ReportTimeZone, calendarFor, dayKeyer, zoneId } from './calendar';

export const ROLLUP_FORMAT = 1;
const FINGERPRINT_BYTES = 256;

export interface RollupOptions {
  /** Where rollups live. Default `<ledger dir>/rollups`. */
  rollupDir?: string;
  /** Requests kept per day × workspace for "top" lists (reports asking for more scan). Default 25. */
  topK?: number;
  /** Rewrite a valid rollup once its uncovered tail reaches this many bytes. Default 64 KiB. */
  minTailBytesToPersist?: number;
  /** Never write rollups (they are still read and verified). */
  readOnly?: boolean;
  onWarning?: (message: string) => void;
}

export interface FileAggregate {
  buckets: Buckets;
  /** Read statistics of the whole file (covered part from the rollup + the scanned tail). */
  stats: ReadStats;
  /** `rollup`: a valid rollup was used; `built`: none existed; `rebuilt`: one existed but was rejected. */
  source: 'rollup' | 'built' | 'rebuilt';
  scannedBytes: number;
  persisted: boolean;
}

interface RollupFile {
  format: number;
  zone: string;
  file: string;
  ino: number;
  coveredBytes: number;
  head: string;
  tail: string;
  stats: ReadStats;
  buckets: ReturnType<Buckets['toJSON']>;
  checksum?: string;
}

const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');

export class RollupStore {
  readonly dir: string;
  readonly topK: number;
  readonly zone: ReportTimeZone;
  private readonly zoneKey: string;
  private readonly minTail: number;
  private readonly readOnly: boolean;
  private readonly warn: (m: string) => void;
  private writeFailed = false;

  constructor(private readonly ledger: Ledger, zone: ReportTimeZone, opts: RollupOptions = {}) {
    this.dir = opts.rollupDir ?? path.join(ledger.dir, 'rollups');
    this.topK = opts.topK ?? 25;
    this.zone = zone;
    this.zoneKey = zoneId(zone);
    this.minTail = opts.minTailBytesToPersist ?? 64 * 1024;
    this.readOnly = opts.readOnly ?? false;
    this.warn = opts.onWarning ?? (() => undefined);
  }

  pathFor(file: LedgerFile): string {
    return path.join(this.dir, `${file.month}.${this.zoneKey.replace(/[^A-Za-z0-9_+-]/g, '_')}.rollup.json`);
  }

  async load(file: LedgerFile): Promise<FileAggregate> {
    let st: fs.Stats;
    try {
      st = await fsp.stat(file.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { buckets: new Buckets(this.topK), stats: emptyReadStats(), source: 'built', scannedBytes: 0, persisted: false };
      throw e;
    }
    const rollupPath = this.pathFor(file);
    let base: Buckets | undefined;
    let covered = 0;
    let stats = emptyReadStats();
    let existed = false;
    let raw: string | undefined;
    try {
      raw = await fsp.readFile(rollupPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`rollup ${path.basename(rollupPath)} unreadable (${(e as Error).message}); rebuilding`);
    }
    if (raw !== undefined) {
      existed = true;
      try {
        const r = await this.verify(raw, file, st);
        base = Buckets.fromJSON(r.buckets);
        covered = r.coveredBytes;
        stats = r.stats;
      } catch (e) {
        this.warn(`rollup ${path.basename(rollupPath)} rejected (${(e as Error).message}); rebuilding it from ${file.name}`);
      }
    }
    const source: FileAggregate['source'] = base ? 'rollup' : existed ? 'rebuilt' : 'built';
    if (!base) base = new Buckets(this.topK);

    // Scan the uncovered tail. Complete lines go into the persisted buckets; a complete record on an
    // unterminated last line is counted in this report only (it is not covered until terminated).
    const keyOf = dayKeyer(calendarFor(this.zone));
    const tailStats = emptyReadStats();
    let transient: Buckets | undefined;
    let transientRecords = 0;
    let end = covered;
    for await (const batch of this.ledger.readFile(file, tailStats, { from: covered, to: st.size })) {
      const target = batch.tail ? (transient ??= new Buckets(this.topK)) : base;
      for (const rec of batch.records) {
        const ms = Date.parse(rec.ts);
        target.add(rec, keyOf(ms), ms);
      }
      if (batch.tail) transientRecords += batch.records.length;
      else end = batch.endOffset;
    }
    const persistStats = { ...stats };
    addReadStats(persistStats, tailStats);
    persistStats.tornTail = 0;
    persistStats.records -= transientRecords;
    persistStats.lines -= transientRecords;
    let persisted = false;
    if (!this.readOnly && end > covered && (source !== 'rollup' || end - covered >= this.minTail)) {
      persisted = await this.write(rollupPath, file, st, end, persistStats, base);
    }
    const allStats = { ...stats };
    addReadStats(allStats, tailStats);
    if (transient) base.merge(transient);
    return { buckets: base, stats: allStats, source, scannedBytes: st.size - covered, persisted };
  }

  private async verify(raw: string, file: LedgerFile, st: fs.Stats): Promise<RollupFile> {
    let r: RollupFile;
    try {
      r = JSON.parse(raw) as RollupFile;
    } catch {
      throw new Error('not JSON');
    }
    if (!r || typeof r !== 'object') throw new Error('not an object');
    const { checksum, ...body } = r;
    if (typeof checksum !== 'string' || sha1(JSON.stringify(body)) !== checksum) throw new Error('checksum mismatch');
    if (r.format !== ROLLUP_FORMAT) throw new Error(`format ${String(r.format)}`);
    if (r.zone !== this.zoneKey) throw new Error(`time zone ${r.zone} is not ${this.zoneKey}`);
    if (r.file !== file.name) throw new Error(`made for ${r.file}`);
    if (!r.buckets || r.buckets.topK < this.topK) throw new Error('keeps too few top requests');
    if (!Number.isInteger(r.coveredBytes) || r.coveredBytes < 0 || r.coveredBytes > st.size) throw new Error('covers more bytes than the file has');
    if (r.ino && st.ino && r.ino !== st.ino) throw new Error('the ledger file was replaced');
    const fp = await fingerprints(file.path, r.coveredBytes);
    if (fp.head !== r.head || fp.tail !== r.tail) throw new Error('the covered bytes changed');
    if (!r.stats || typeof r.stats !== 'object') throw new Error('no read statistics');
    const stats = emptyReadStats();
    for (const k of Object.keys(stats) as Array<keyof ReadStats>) {
      const v = (r.stats as unknown as Record<string, unknown>)[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`bad statistic ${k}`);
      stats[k] = v;
    }
    r.stats = stats;
    return r;
  }

  private async write(rollupPath: string, file: LedgerFile, st: fs.Stats, coveredBytes: number, stats: ReadStats, b: Buckets): Promise<boolean> {
    const fp = await fingerprints(file.path, coveredBytes);
    const body: RollupFile = { format: ROLLUP_FORMAT, zone: this.zoneKey, file: file.name, ino: st.ino || 0, coveredBytes, head: fp.head, tail: fp.tail, stats, buckets: b.toJSON() };
    const text = JSON.stringify({ ...body, checksum: sha1(JSON.stringify(body)) });
    const tmp = `${rollupPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fsp.writeFile(tmp, text, { mode: 0o600 });
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

/** SHA-1 of the first and of the last (up to) 256 bytes of [0, coveredBytes). */
async function fingerprints(file: string, coveredBytes: number): Promise<{ head: string; tail: string }> {
  if (coveredBytes === 0) return { head: sha1(''), tail: sha1('') };
  const fh = await fsp.open(file, 'r');
  try {
    const n = Math.min(FINGERPRINT_BYTES, coveredBytes);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    await fh.read(head, 0, n, 0);
    await fh.read(tail, 0, n, coveredBytes - n);
    if (tail[n - 1] !== 10) return { head: sha1(head), tail: 'not-at-a-line-end' };
    return { head: sha1(head), tail: sha1(tail) };
  } finally {
    await fh.close();
  }
}
