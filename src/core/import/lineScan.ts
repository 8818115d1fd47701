// Reads a log file from an offset and hands over only the complete lines that contain one of a few
// marker strings (e.g. `"usage"`), without decoding or parsing the rest: most of an assistant's log is
// prompts, tool output and file contents that carry no usage. Chunked (4 MiB), bounded memory (one chunk
// plus one line; a line longer than `maxLineBytes` is skipped and counted). An unterminated last line is
// left for the next read (the writer may be in the middle of it).
import { promises as fsp } from 'fs';

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
    let buf = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(opts.chunkBytes ?? 4 * 1024 * 1024, end - opts.from)));
    let filled = 0; // bytes of a partial line kept at the start of buf
    let bufStart = opts.from; // file offset of buf[0]
    let pos = opts.from;
    let skipping = false; // inside an over-long line: drop bytes until its '\n'
    while (pos < end) {
      if (opts.signal?.aborted) break;
      if (filled === buf.length) {
        if (buf.length < maxLine) {
          const bigger = Buffer.allocUnsafe(Math.min(maxLine, buf.length * 2));
          buf.copy(bigger, 0, 0, filled);
          buf = bigger;
        } else {
          stats.overlong++;
          skipping = true;
          filled = 0;
          bufStart = pos;
        }
      }
      const { bytesRead } = await fh.read(buf, filled, Math.min(buf.length - filled, end - pos), pos);
      if (bytesRead === 0) break; // the file shrank under us
      pos += bytesRead;
      stats.bytes += bytesRead;
      const avail = filled + bytesRead;
      const view = buf.subarray(0, avail);
      const lastNl = view.lastIndexOf(NL);
      if (lastNl === -1) { filled = skipping ? 0 : avail; if (skipping) bufStart = pos; continue; }
      let from = 0;
      if (skipping) { from = view.indexOf(NL) + 1; skipping = false; }
      const region = from > 0 ? view.subarray(from) : view;
      for (const [s, e] of markedLines(region, lastNl - from, marks)) {
        stats.lines++;
        onLine(region.toString('utf8', s, e > s && region[e - 1] === 13 ? e - 1 : e), bufStart + from + s, bufStart + from + e + 1);
      }
      buf.copy(buf, 0, lastNl + 1, avail);
      filled = avail - lastNl - 1;
      bufStart += lastNl + 1;
    }
    return bufStart;
  } finally {
    await fh.close();
  }
}
