// Reads a log file from an offset and hands over only the complete lines that contain one of a few
// marker strings (e.g. `"usage"`), without decoding or parsing the rest: most of an assistant's log is
// prompts, tool output and file contents that carry no usage. Chunked (4 MiB), bounded memory (one chunk
// plus one line; a line longer than `maxLineBytes` is skipped and counted). An unterminated last line is
// left for the next read (the writer may be in the middle of it).
import { promises as fsp } from 'fs';
import { chunkState, dropAll, keepFrom, makeRoom, readChunk } from '../fileChunks';

export interface ScanStats {
  bytes: number;
  /** Marked lines handed over. */
  lines: number;
  /** Lines longer than the limit, skipped. */
  overlong: number;
}

export interface ScanOptions {
  from: number;
  /** Stop at this offset (default: the size when opened). */
  to?: number;
  chunkBytes?: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
}

const NL = 10;

/** Line ranges [start, end) in `view` that contain a marker, complete lines only (ending before `limit`). */
function markedLines(view: Buffer, limit: number, markers: readonly Buffer[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const marker of markers) {
    let at = view.indexOf(marker, 0);
    while (at !== -1 && at < limit) {
      const start = view.lastIndexOf(NL, at) + 1;
      const end = view.indexOf(NL, at);
      if (end === -1 || end > limit) break;
      ranges.push([start, end]);
      at = view.indexOf(marker, end + 1); // one hit per line is enough
    }
  }
  if (markers.length > 1) {
    ranges.sort((a, b) => a[0] - b[0]);
    return ranges.filter((r, i) => i === 0 || r[0] !== ranges[i - 1][0]);
  }
  return ranges;
}

/**
 * Calls `onLine(text, offset, next)` for each complete marked line from `opts.from`, in file order
 * (`offset`: where the line starts; `next`: just after its '\n').
 * Returns the offset just after the last complete line (where the next read starts).
 */
export async function scanMarkedLines(
  file: string, markers: readonly string[], opts: ScanOptions, stats: ScanStats,
  onLine: (text: string, offset: number, next: number) => void,
): Promise<number> {
  const marks = markers.map((m) => Buffer.from(m, 'utf8'));
  const maxLine = opts.maxLineBytes ?? 64 * 1024 * 1024;
  const fh = await fsp.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const end = Math.min(opts.to ?? size, size);
    const st = chunkState(opts.from, end, opts.chunkBytes ?? 4 * 1024 * 1024, 64 * 1024);
    while (st.pos < end) {
      if (opts.signal?.aborted) break;
      if (makeRoom(st, maxLine)) stats.overlong++;
      const view = await readChunk(fh, st, end, stats);
      if (!view) break; // the file shrank under us
      const lastNl = view.lastIndexOf(NL);
      if (lastNl === -1) { if (st.skipping) dropAll(st); else st.filled = view.length; continue; }
      let from = 0;
      if (st.skipping) { from = view.indexOf(NL) + 1; st.skipping = false; }
      const region = from > 0 ? view.subarray(from) : view;
      for (const [s, e] of markedLines(region, lastNl - from, marks)) {
        stats.lines++;
        onLine(region.toString('utf8', s, e > s && region[e - 1] === 13 ? e - 1 : e), st.bufStart + from + s, st.bufStart + from + e + 1);
      }
      keepFrom(st, view, lastNl + 1);
    }
    return st.bufStart;
  } finally {
    await fh.close();
  }
}
