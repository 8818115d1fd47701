// The status line's totals (today's, this week's and this month's usage per workspace) and its small
// cache of them, `<ledger>/rollups/statusline.json`, so that a shell prompt reads one small file and
// stats one or two ledger files instead of decoding this month's rollups every time.
//
// The cache is written by the rollup path (statuslineRollups.ts: the same rollups and sums as every
// report) with, for each ledger file of the period (the UTC months the ISO week and the local month
// touch), the inode, size and mtime it was computed at, the offset it covers (a line boundary) and the
// bytes just before that offset. It is used only when
//  - its format, time zone and period (the starts of today, this week and this month) are today's;
//  - every file of the period is as recorded (same inode, size and mtime; a file that did not exist
//    still does not), or else has only grown: the bytes before the covered offset are unchanged and the
//    cache was verified from the rollups less than REVERIFY_MS ago. The records appended since are then
//    read from the covered offset on (parsed and validated as every reader does) and added; the cache
//    moves on to the new offset. An unterminated last line counts but is not cached.
// Anything else (a file shrunk, replaced or edited in place, a new day, an unreadable cache) sends the
// status line back to the rollups, which verify the covered bytes and rewrite the cache.
import * as fs from 'fs';
import * as path from 'path';
import type { PeriodUsage } from '../core/report/buildReport';
import { Buckets, SUM } from '../core/report/buckets';
import { calendarFor, dayKeyer, dayKeysBetween, periodRange, zoneId } from '../core/report/calendar';
import { scanFile } from '../core/report/fileScan';
import { emptyReadStats, parseLine } from '../core/ledger/lineReader';
import { LedgerFile, ledgerFileInfo, ledgerFileName } from '../core/ledger/paths';

export const STATUSLINE_CACHE_FORMAT = 1;
/** Growth of a ledger file is trusted from the cache for this long after the rollups last verified it. */
export const REVERIFY_MS = 15 * 60_000;
/** Bytes before a covered offset kept to recognise the file it was taken from. */
const MARK_BYTES = 64;
/** Appended bytes read in one synchronous read (the few records since the last prompt); more: streamed. */
const SMALL_TAIL_BYTES = 256 * 1024;

export type PeriodName = 'day' | 'week' | 'month';
export type Periods = Record<PeriodName, PeriodUsage>;
const PERIODS: readonly PeriodName[] = ['day', 'week', 'month'];

const zero = (): PeriodUsage => ({ tokens: 0, wh: 0, usd: 0, gco2e: 0, requests: 0 });
export const zeroPeriods = (): Periods => ({ day: zero(), week: zero(), month: zero() });

/** The local days of today, this ISO week and this month, and where each period starts. */
interface PeriodDays { starts: number[]; days: Record<PeriodName, Set<string>>; lo: number; hi: number }

function periodDaysOf(now: Date): PeriodDays {
  const cal = calendarFor('local');
  const ranges = PERIODS.map((p) => periodRange(p, now));
  const days = {} as Record<PeriodName, Set<string>>;
  PERIODS.forEach((p, i) => { days[p] = new Set(dayKeysBetween(cal, ranges[i].start.getTime(), ranges[i].end.getTime())); });
  return {
    starts: ranges.map((r) => r.start.getTime()),
    days,
    lo: Math.min(...ranges.map((r) => r.start.getTime())),
    hi: Math.max(...ranges.map((r) => r.end.getTime())),
  };
}

/** The ledger files (existing or not) of every UTC month that this week or this month touches. */
export function periodLedgerFiles(ledgerDir: string, now: Date): LedgerFile[] {
  const { lo, hi } = periodDaysOf(now);
  const out: LedgerFile[] = [];
  const d = new Date(lo);
  for (let m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); m < hi; m = Date.UTC(new Date(m).getUTCFullYear(), new Date(m).getUTCMonth() + 1, 1)) {
    out.push(ledgerFileInfo(ledgerDir, ledgerFileName(m))!);
  }
  return out;
}

/** Today's, this week's and this month's usage per workspace, and the workspaces' latest names. */
export class StatuslineTotals {
  readonly byWorkspace = new Map<string, Periods>();
  readonly all = zeroPeriods();
  readonly names = new Map<string, { name: string; ms: number }>();

  /** Adds the days of `buckets` that fall in this day, week and month (tokens = input + output). */
  add(buckets: Buckets[], now: Date): void {
    const { days } = periodDaysOf(now);
    for (const b of buckets) {
      for (const dw of b.days()) {
        const inDay = days.day.has(dw.day);
        const inWeek = days.week.has(dw.day);
        const inMonth = days.month.has(dw.day);
        if (!inDay && !inWeek && !inMonth) continue;
        let mine = this.byWorkspace.get(dw.ws);
        if (!mine) this.byWorkspace.set(dw.ws, (mine = zeroPeriods()));
        for (const c of dw.models) {
          for (const into of [mine, this.all]) {
            if (inDay) addSums(into.day, c.s);
            if (inWeek) addSums(into.week, c.s);
            if (inMonth) addSums(into.month, c.s);
          }
        }
      }
      for (const [ws, n] of b.names) {
        const cur = this.names.get(ws);
        if (!cur || n.ms >= cur.ms) this.names.set(ws, { name: n.name, ms: n.ms });
      }
    }
  }

  /** The usage of workspace `ws` (all workspaces when undefined). */
  periodsFor(ws: string | undefined): Periods {
    return ws === undefined ? this.all : this.byWorkspace.get(ws) ?? zeroPeriods();
  }

  /** Workspace id → name, as the ledger's records of the period files last named them. */
  known(): Map<string, string> {
    return new Map([...this.names].map(([ws, n]) => [ws, n.name]));
  }
}

function addSums(into: PeriodUsage, s: ArrayLike<number>): void {
  into.tokens += s[SUM.input] + s[SUM.output];
  into.wh += s[SUM.wh];
  into.usd += s[SUM.usd];
  into.gco2e += s[SUM.gco2e];
  into.requests += s[SUM.requests];
}

/** A ledger file as the cache saw it. `size` -1: it did not exist. */
export interface FileStamp { name: string; ino: number; size: number; mtimeMs: number; covered: number; mark: string }

interface CacheFile {
  format: number;
  zone: string;
  starts: number[];
  verifiedMs: number;
  files: FileStamp[];
  names: Array<[string, string, number]>;
  usage: Array<[string, number[]]>;
  all: number[];
}

export const cachePath = (ledgerDir: string): string => path.join(path.resolve(ledgerDir), 'rollups', 'statusline.json');

const FIELDS = ['tokens', 'wh', 'usd', 'gco2e', 'requests'] as const;
const flat = (p: Periods): number[] => PERIODS.flatMap((k) => FIELDS.map((f) => p[k][f]));
function unflat(a: unknown): Periods {
  if (!Array.isArray(a) || a.length !== PERIODS.length * FIELDS.length || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new Error('bad usage');
  const p = zeroPeriods();
  PERIODS.forEach((k, i) => FIELDS.forEach((f, j) => { p[k][f] = a[i * FIELDS.length + j] as number; }));
  return p;
}

/** The bytes [end - MARK_BYTES, end) of an open file, base64. */
function markOf(fd: number, end: number): string {
  const n = Math.min(MARK_BYTES, end);
  if (n <= 0) return '';
  const buf = Buffer.alloc(n);
  const got = fs.readSync(fd, buf, 0, n, end - n);
  return buf.subarray(0, got).toString('base64');
}

/** Stats `file`, and the mark before `covered` (default: its size). */
export function stampFile(file: LedgerFile, covered?: number): FileStamp & { lastByteIsNewline: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file.path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { name: file.name, ino: 0, size: -1, mtimeMs: 0, covered: 0, mark: '', lastByteIsNewline: true };
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    const end = covered ?? st.size;
    const last = Buffer.alloc(1);
    const lastByteIsNewline = st.size === 0 || (fs.readSync(fd, last, 0, 1, st.size - 1) === 1 && last[0] === 10);
    return { name: file.name, ino: st.ino || 0, size: st.size, mtimeMs: st.mtimeMs, covered: end, mark: markOf(fd, end), lastByteIsNewline };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The records of [from, to) of a ledger file (from at a line start; to - from at most SMALL_TAIL_BYTES,
 * far below a record's largest size, so no line is cut short by the limit), as scanFile gives them: the
 * complete lines into `buckets`, a complete record on an unterminated last line into `transient`, and the
 * offset after the last complete line. One read, no stream. Each line is parsed by the ledger's reader.
 */
function readSmallTail(file: string, from: number, to: number): { buckets: Buckets; transient?: Buckets; endOffset: number } {
  const fd = fs.openSync(file, 'r');
  let view: Buffer;
  try {
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break; // shrank meanwhile: the next run sees it
      got += n;
    }
    view = buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
  const keyOf = dayKeyer(calendarFor('local'));
  const stats = emptyReadStats();
  const buckets = new Buckets(0);
  const add = (into: Buckets, text: string): void => {
    const r = parseLine(text, stats);
    if (r) { const ms = Date.parse(r.ts); into.add(r, keyOf(ms), ms); }
  };
  let lineStart = 0;
  for (let nl = view.indexOf(10); nl !== -1; nl = view.indexOf(10, lineStart)) {
    const e = nl > lineStart && view[nl - 1] === 13 ? nl - 1 : nl; // CRLF written by an editor
    add(buckets, view.toString('utf8', lineStart, e));
    lineStart = nl + 1;
  }
  let transient: Buckets | undefined;
  if (lineStart < view.length) {
    transient = new Buckets(0);
    add(transient, view.toString('utf8', lineStart));
  }
  return { buckets, transient, endOffset: from + lineStart };
}

/** Writes the cache atomically (temp file + rename); a ledger that cannot be written just goes uncached. */
export function writeCache(ledgerDir: string, now: Date, verifiedMs: number, files: FileStamp[], totals: StatuslineTotals): void {
  const c: CacheFile = {
    format: STATUSLINE_CACHE_FORMAT, zone: zoneId('local'), starts: periodDaysOf(now).starts, verifiedMs,
    files: files.map(({ name, ino, size, mtimeMs, covered, mark }) => ({ name, ino, size, mtimeMs, covered, mark })),
    names: [...totals.names].map(([ws, n]) => [ws, n.name, n.ms]),
    usage: [...totals.byWorkspace].map(([ws, p]) => [ws, flat(p)]),
    all: flat(totals.all),
  };
  const file = cachePath(ledgerDir);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
  }
}

function readCache(ledgerDir: string): CacheFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(cachePath(ledgerDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const c = JSON.parse(text) as CacheFile;
    return c && c.format === STATUSLINE_CACHE_FORMAT && Array.isArray(c.files) && Array.isArray(c.names) && Array.isArray(c.usage) && Array.isArray(c.starts) ? c : undefined;
  } catch {
    return undefined;
  }
}

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The totals from the cache, brought up to date with what was appended since (see the header), or
 * undefined when the cache cannot be used and the rollups must be read.
 */
export async function cachedTotals(ledgerDir: string, now: Date): Promise<StatuslineTotals | undefined> {
  const c = readCache(ledgerDir);
  if (!c || c.zone !== zoneId('local') || !sameList(c.starts, periodDaysOf(now).starts)) return undefined;
  const files = periodLedgerFiles(ledgerDir, now);
  if (!sameList(c.files.map((f) => f?.name), files.map((f) => f.name))) return undefined;
  const totals = new StatuslineTotals();
  try {
    for (const [ws, name, ms] of c.names) if (typeof ws === 'string' && typeof name === 'string' && typeof ms === 'number') totals.names.set(ws, { name, ms });
    for (const [ws, a] of c.usage) if (typeof ws === 'string') totals.byWorkspace.set(ws, unflat(a));
    Object.assign(totals.all, unflat(c.all));
  } catch {
    return undefined;
  }
  const fresh = now.getTime() - c.verifiedMs < REVERIFY_MS && c.verifiedMs <= now.getTime();
  const stamps: FileStamp[] = [];
  const uncached: Buckets[] = [];
  let moved = false;
  for (let i = 0; i < files.length; i++) {
    const was = c.files[i];
    if (typeof was.covered !== 'number' || typeof was.size !== 'number') return undefined;
    const st = stampFile(files[i], Math.max(0, was.covered));
    const unchanged = st.size === was.size && st.mtimeMs === was.mtimeMs && st.ino === was.ino;
    if (st.size < 0) {
      if (was.size >= 0) return undefined; // deleted
      stamps.push(was);
      continue;
    }
    if (!unchanged) {
      // only growth, from the covered offset on, of the same file, while the cache is fresh
      const sameFile = was.size < 0 || (st.ino === was.ino && st.size > was.size && st.mark === was.mark);
      if (!fresh || !sameFile) return undefined;
    }
    let covered = Math.max(0, was.covered);
    if (st.size > covered) {
      // appended since (or an unterminated last line, counted each time and never cached)
      const scan = st.size - covered <= SMALL_TAIL_BYTES ? readSmallTail(files[i].path, covered, st.size) : await scanFile(files[i].path, { zone: 'local', topK: 0, from: covered, to: st.size });
      totals.add([scan.buckets], now);
      if (scan.transient) uncached.push(scan.transient);
      covered = scan.endOffset;
    }
    if (unchanged && covered === was.covered) {
      stamps.push(was);
    } else {
      const { lastByteIsNewline: _, ...stamp } = stampFile(files[i], covered);
      stamps.push(stamp);
      moved = true;
    }
  }
  if (moved) writeCache(ledgerDir, now, c.verifiedMs, stamps, totals);
  totals.add(uncached, now);
  return totals;
}
