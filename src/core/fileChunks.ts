// Reading a file of lines in chunks with bounded memory: one buffer holds the partial line carried over from
// the last chunk plus the next chunk; it doubles for a long line up to a cap, and a line longer than the cap
// is given up (its bytes dropped until its '\n'). Shared by the ledger reader (ledger/lineReader.ts) and the
// log scanner (import/lineScan.ts), which differ only in what they do with the lines.
import type { promises as fsp } from 'fs';

export interface ChunkState {
  buf: Buffer;
  /** Bytes of a partial line kept at the start of buf. */
  filled: number;
  /** File offset of buf[0]. */
  bufStart: number;
  /** File offset of the next read. */
  pos: number;
  /** Inside an over-long line: drop bytes until its '\n'. */
  skipping: boolean;
}

export function chunkState(from: number, end: number, chunkBytes: number, minBytes: number): ChunkState {
  return { buf: Buffer.allocUnsafe(Math.max(minBytes, Math.min(chunkBytes, end - from))), filled: 0, bufStart: from, pos: from, skipping: false };
}

/** When the buffer is full of one unfinished line: doubles it (up to `maxLineBytes`); at the cap gives the line
 *  up and returns the bytes dropped (a view, valid until the next read), so the caller can count them. */
export function makeRoom(st: ChunkState, maxLineBytes: number): Buffer | undefined {
  if (st.filled < st.buf.length) return undefined;
  if (st.buf.length < maxLineBytes) {
    const bigger = Buffer.allocUnsafe(Math.min(maxLineBytes, st.buf.length * 2));
    st.buf.copy(bigger, 0, 0, st.filled);
    st.buf = bigger;
    return undefined;
  }
  const dropped = st.buf.subarray(0, st.filled);
  st.skipping = true;
  st.filled = 0;
  st.bufStart = st.pos;
  return dropped;
}

/** Reads the next bytes after the kept ones, up to `end`: the bytes held now (kept + read), or undefined when
 *  nothing more could be read (the file shrank under us). */
export async function readChunk(fh: fsp.FileHandle, st: ChunkState, end: number, stats: { bytes: number }): Promise<Buffer | undefined> {
  const { bytesRead } = await fh.read(st.buf, st.filled, Math.min(st.buf.length - st.filled, end - st.pos), st.pos);
  if (bytesRead === 0) return undefined;
  st.pos += bytesRead;
  stats.bytes += bytesRead;
  return st.buf.subarray(0, st.filled + bytesRead);
}

/** Keeps the bytes of `view` from `lineStart` on (a partial line) at the start of the buffer. */
export function keepFrom(st: ChunkState, view: Buffer, lineStart: number): void {
  st.buf.copy(st.buf, 0, lineStart, view.length);
  st.filled = view.length - lineStart;
  st.bufStart += lineStart;
}

/** Drops everything held (inside an over-long line): the next read starts a fresh buffer at `pos`. */
export function dropAll(st: ChunkState): void {
  st.filled = 0;
  st.bufStart = st.pos;
}
