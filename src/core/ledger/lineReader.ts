// Streaming reader of one ledger file: chunked reads (1 MiB by default) split on '\n' bytes, so memory
// stays bounded by the chunk size plus one line (lines longer than `maxLineBytes` are skipped as
// corrupt). UTF-8 never uses the byte 0x0A inside a multi-byte character, so splitting on bytes is safe.
//
// Damage it survives:
//  - corrupt lines anywhere: counted and skipped;
//  - a torn line followed by a complete record on the same line (a writer died mid-write and the next
//    writer appended after it): the record is recovered from the last `{"v":` in the line (records are
//    written with `v` first, and `{"v":` cannot occur inside a JSON string, where quotes are escaped);
//  - an unterminated last line: parsed if complete, else skipped; counted as `tornTail` unless the file
//    grew past it meanwhile (the line was being appended: a write that crosses a page can be seen half
//    done, and the next read sees it whole).
// With `hash`, the bytes of every complete line consumed are fed to it in order (rollups use this to
// fingerprint exactly the bytes they cover).
import type { Hash } from 'crypto';
import { promises as fsp } from 'fs';
import { ChunkState, chunkState, dropAll, keepFrom, makeRoom, readChunk } from '../fileChunks';
import type { UsageRecord } from '../types';
import { LayoutSet } from './recordProjection';
import { MAX_RECORD_BYTES, recordProblem } from './validate';

export interface ReadStats {
  files: number;
  bytes: number;
  lines: number;
  records: number;
  blankLines: number;
  /** Lines that are not JSON (including the torn part of a recovered line) or longer than the limit. */
  corruptLines: number;
  /** JSON lines that fail the v1 shape checks. */
  invalidRecords: number;
  /** Lines whose `v` is not 1 (a newer or older writer). */
  unknownVersion: number;
  /** Complete records recovered from the end of a corrupt line. */
  recoveredRecords: number;
  /** Unterminated, unparsable last lines. */
  tornTail: number;
}

export function emptyReadStats(): ReadStats {
  return { files: 0, bytes: 0, lines: 0, records: 0, blankLines: 0, corruptLines: 0, invalidRecords: 0, unknownVersion: 0, recoveredRecords: 0, tornTail: 0 };
}

export function addReadStats(into: ReadStats, from: ReadStats): void {
  for (const k of Object.keys(into) as Array<keyof ReadStats>) into[k] += from[k];
}

/** Lines that could not be used as records (what reports call `corruptLines`), schema-version skips included. */
export function unreadableLines(s: ReadStats): number {
  return s.corruptLines + s.invalidRecords + s.tornTail + s.unknownVersion;
}

export interface Batch {
  records: UsageRecord[];
  /** File offset just after the last complete ('\n'-terminated) line consumed so far. */
  endOffset: number;
  /** True for the batch holding a complete record found on an unterminated last line. */
  tail?: boolean;
}

export interface ReadOptions {
  /** Start offset (must be at a line start). Default 0. */
  from?: number;
  /** Stop offset. Default: the file's size when opened. */
  to?: number;
  chunkBytes?: number;
  maxLineBytes?: number;
  /** Fed with the bytes of each complete line consumed (from `from` on), in order. */
  hash?: Hash;
  /**
   * Records hold only the fields aggregation reads (recordProjection.ts: several times faster than
   * JSON.parse; lines no layout matches are parsed the full way). For scans that aggregate, not for export.
   */
  project?: boolean;
}

const NL = 10;
const V_MARK = '{"v":';

/** Parses one line's text, updating `stats`; returns the record or undefined. */
export function parseLine(text: string, stats: ReadStats): UsageRecord | undefined {
  stats.lines++;
  if (text.trim().length === 0) {
    stats.blankLines++;
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    stats.corruptLines++;
    for (let i = text.indexOf(V_MARK, 1); i > 0; i = text.indexOf(V_MARK, i + 1)) {
      try {
        const rec = JSON.parse(text.slice(i)) as unknown;
        if (recordProblem(rec) === undefined) {
          stats.recoveredRecords++;
          stats.records++;
          return rec as UsageRecord;
        }
      } catch {
        // not there; try the next mark
      }
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && 'v' in value && (value as { v: unknown }).v !== 1) {
    stats.unknownVersion++;
    return undefined;
  }
  if (recordProblem(value) !== undefined) {
    stats.invalidRecords++;
    return undefined;
  }
  stats.records++;
  return value as UsageRecord;
}

/** The complete lines of `view` parsed (the first one dropped when it ends an over-long line), and where
 *  the unfinished rest starts. */
function parseLines(view: Buffer, st: ChunkState, stats: ReadStats): { records: UsageRecord[]; lineStart: number } {
  const records: UsageRecord[] = [];
  let lineStart = 0;
  for (let nl = view.indexOf(NL, 0); nl !== -1; nl = view.indexOf(NL, lineStart)) {
    if (st.skipping) st.skipping = false;
    else {
      let e = nl;
      if (e > lineStart && view[e - 1] === 13) e--; // CRLF written by an editor
      const rec = parseLine(view.toString('utf8', lineStart, e), stats);
      if (rec) records.push(rec);
    }
    lineStart = nl + 1;
  }
  return { records, lineStart };
}

const HIGH_BYTE = /[\x80-\xff]/;
/** The layouts learnt in this process (shared by every scan: the shapes are the writers', not a file's). */
const SHARED_LAYOUTS = new LayoutSet();

/** parseLines with layouts (recordProjection.ts): the chunk's complete lines decoded once, each matched by a
 *  layout, else parsed the full way (and taught as a layout). */
function projectLines(view: Buffer, st: ChunkState, stats: ReadStats, layouts: LayoutSet): { records: UsageRecord[]; lineStart: number } {
  const records: UsageRecord[] = [];
  const last = view.lastIndexOf(NL);
  if (last < 0) return { records, lineStart: 0 };
  let s = view.toString('latin1', 0, last + 1);
  if (HIGH_BYTE.test(s)) s = view.toString('utf8', 0, last + 1); // '\n' bytes are '\n' characters either way
  let ls = 0;
  for (let nl = s.indexOf('\n'); nl !== -1; ls = nl + 1, nl = s.indexOf('\n', ls)) {
    if (st.skipping) { st.skipping = false; continue; }
    const fast = layouts.match(s, ls);
    if (fast) {
      stats.lines++;
      stats.records++;
      records.push(fast);
      continue;
    }
    const e = nl > ls && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // CRLF written by an editor
    const recovered = stats.recoveredRecords;
    const rec = parseLine(s.slice(ls, e), stats);
    if (rec) {
      records.push(rec);
      if (stats.recoveredRecords === recovered) layouts.learn(rec, s, ls);
    }
  }
  return { records, lineStart: last + 1 };
}

/** Reads `file` from `opts.from` to `opts.to` in batches of parsed records (one batch per chunk). */
export async function* readBatches(file: string, stats: ReadStats, opts: ReadOptions = {}): AsyncGenerator<Batch> {
  const maxLine = opts.maxLineBytes ?? MAX_RECORD_BYTES;
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const end = Math.min(opts.to ?? size, size);
    const from = opts.from ?? 0;
    stats.files++;
    if (from >= end) return;
    const st = chunkState(from, end, opts.chunkBytes ?? 1024 * 1024, 4096);
    const layouts = opts.project ? SHARED_LAYOUTS : undefined;
    layouts?.newScan();
    while (st.pos < end) {
      const dropped = makeRoom(st, maxLine);
      if (dropped) {
        stats.corruptLines++;
        stats.lines++;
        opts.hash?.update(dropped);
      }
      const view = await readChunk(fh, st, end, stats);
      if (!view) break; // the file shrank under us
      const { records, lineStart } = layouts ? projectLines(view, st, stats, layouts) : parseLines(view, st, stats);
      if (lineStart > 0) {
        opts.hash?.update(view.subarray(0, lineStart));
        yield { records, endOffset: st.bufStart + lineStart };
      }
      if (st.skipping) {
        opts.hash?.update(view.subarray(lineStart)); // no '\n' in it: the long line goes on
        dropAll(st);
      } else {
        keepFrom(st, view, lineStart);
      }
    }
    if (st.filled > 0 && !st.skipping) {
      const text = st.buf.toString('utf8', 0, st.filled);
      const probe = { ...emptyReadStats() };
      const rec = parseLine(text, probe);
      if (rec) {
        addReadStats(stats, probe);
        yield { records: [rec], endOffset: st.bufStart, tail: true };
      } else if (text.trim().length > 0 && !(await grewPast(fh, end))) {
        stats.lines++;
        stats.tornTail++;
      }
    }
  } finally {
    await fh.close();
  }
}

/** True when the file is now longer than `end` (at once, or after a moment for a write in progress). */
async function grewPast(fh: fsp.FileHandle, end: number): Promise<boolean> {
  try {
    if ((await fh.stat()).size > end) return true;
    await new Promise((r) => setTimeout(r, 5));
    return (await fh.stat()).size > end;
  } catch {
    return false;
  }
}
