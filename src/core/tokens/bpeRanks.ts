// tiktoken's vocabulary as a flat table of byte strings and their ranks, and its byte-pair merge in
// JavaScript: what the piece path (pieceTable.ts) uses to count a piece without calling into WASM.
//
// Layout: every token's bytes in one Uint8Array pool; an open-addressing table of Int32 quadruples
// (hash, pool offset, length, rank), length 0 marking an empty slot. A lookup hashes the characters of
// text[from, to) (each a byte: ASCII text as it stands, other text after `utf8Bytes`) and compares them in
// place with the pool: no substring, one probe line plus the pool bytes. ~200k tokens of o200k_base take
// 8 MB of slots and 1.4 MB of pool (the earlier set of 200k JavaScript strings took about twice that).
//
// The merge (`countMerged`) is tiktoken's `byte_pair_merge` (tiktoken/src/lib.rs): start from single bytes,
// repeatedly merge the adjacent pair whose concatenated bytes have the lowest rank (the leftmost on ties),
// re-rank the two neighbours of the merge, stop when no adjacent pair is a token. The token count is the number of
// parts left. tiktoken calls it only for a piece that is not itself a token; so does `countPieceBytes`.

/** A JavaScript string whose characters are bytes (0-255): ASCII text as it is, other text through `utf8Bytes`. */
export type ByteString = string;

/** UTF-8 bytes of `text` as a ByteString (lone surrogates become U+FFFD, as TextEncoder makes them for tiktoken). */
export function utf8Bytes(text: string): ByteString {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const NO_RANK = 0x7fffffff;
const SLICE_TOKENS = 16_384;

/** Base64 alphabet -> 6-bit value (255: not base64). */
const B64 = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

export class RankTable {
  private pool = new Uint8Array(1 << 16);
  private poolLength = 0;
  private slots = new Int32Array(4 << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  /** Ranks of the 2-byte tokens, indexed by (first byte << 8 | second): the merge's first pass without hashing. */
  private readonly pairRanks = new Int32Array(1 << 16).fill(-1);
  /** Scratch arrays of the merge: part starts and the rank of the pair starting at each part. */
  private starts = new Int32Array(1024);
  private ranks = new Int32Array(1024);

  get size(): number { return this.count; }

  /**
   * Builds the table from tiktoken's lite `bpe_ranks` (lines of `<marker> <first rank> <base64 token> …`, ranks
   * counting up from the first), yielding to the event loop between slices when `yieldNow` is given.
   */
  static async fromLiteRanks(bpeRanks: string, yieldNow?: () => Promise<void>): Promise<RankTable> {
    const t = new RankTable();
    let inSlice = 0;
    let lineStart = 0;
    while (lineStart < bpeRanks.length) {
      let lineEnd = bpeRanks.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = bpeRanks.length;
      const markerEnd = bpeRanks.indexOf(' ', lineStart);
      const rankEnd = markerEnd < 0 ? -1 : bpeRanks.indexOf(' ', markerEnd + 1);
      let rank = Number(bpeRanks.slice(markerEnd + 1, rankEnd < 0 || rankEnd > lineEnd ? lineEnd : rankEnd));
      let at = rankEnd < 0 || rankEnd > lineEnd ? lineEnd : rankEnd + 1;
      while (at < lineEnd) {
        let end = bpeRanks.indexOf(' ', at);
        if (end < 0 || end > lineEnd) end = lineEnd;
        t.addBase64(bpeRanks, at, end, rank++);
        at = end + 1;
        if (++inSlice >= SLICE_TOKENS && yieldNow) {
          inSlice = 0;
          await yieldNow();
        }
      }
      lineStart = lineEnd + 1;
    }
    return t;
  }

  /** Adds a token given as bytes (a ByteString). A token already present keeps its first rank. */
  add(bytes: ByteString, rank: number): void {
    this.reserve(bytes.length);
    const off = this.poolLength;
    for (let i = 0; i < bytes.length; i++) this.pool[off + i] = bytes.charCodeAt(i) & 0xff;
    this.commit(off, bytes.length, rank);
  }

  /** The rank of the bytes s[from, to), or -1 when they are not a token. Every character of s must be < 256. */
  rankOf(s: ByteString, from: number, to: number): number {
    return this.rankOfHashed(s, from, to, hashRange(s, from, to));
  }

  /** `rankOf` given `hashRange(s, from, to)`. */
  rankOfHashed(s: ByteString, from: number, to: number, h: number): number {
    const slots = this.slots;
    const pool = this.pool;
    const n = to - from;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const len = slots[4 * i + 2];
      if (len === 0) return -1;
      if (len === n && slots[4 * i] === h) {
        const off = slots[4 * i + 1];
        let k = 0;
        while (k < n && pool[off + k] === s.charCodeAt(from + k)) k++;
        if (k === n) return slots[4 * i + 3];
      }
    }
  }

  /** Tokens tiktoken makes of one pre-tokenizer piece given as bytes: 1 when it is a token, else the merge's count. */
  countPieceBytes(s: ByteString, from: number, to: number): number {
    if (to - from <= 1) return to - from;
    return this.rankOf(s, from, to) >= 0 ? 1 : this.countMerged(s, from, to);
  }

  /** `countPieceBytes` given `hashRange(s, from, to)`. */
  countPieceBytesHashed(s: ByteString, from: number, to: number, h: number): number {
    if (to - from <= 1) return to - from;
    return this.rankOfHashed(s, from, to, h) >= 0 ? 1 : this.countMerged(s, from, to);
  }

  /** Tokens of the piece `text[from, to)` (any characters). */
  countPiece(text: string, from: number, to: number): number {
    for (let i = from; i < to; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        const bytes = utf8Bytes(text.slice(from, to));
        return this.countPieceBytes(bytes, 0, bytes.length);
      }
    }
    return this.countPieceBytes(text, from, to);
  }

  /** tiktoken's byte_pair_merge over s[from, to) (at least 2 bytes): the number of tokens it ends with. */
  countMerged(s: ByteString, from: number, to: number): number {
    const n = to - from;
    if (n + 1 > this.starts.length) {
      this.starts = new Int32Array(2 * (n + 1));
      this.ranks = new Int32Array(2 * (n + 1));
    }
    const starts = this.starts;
    const ranks = this.ranks;
    let minRank = NO_RANK;
    let minAt = -1;
    const pairRanks = this.pairRanks;
    for (let i = 0; i < n - 1; i++) {
      const r = pairRanks[(s.charCodeAt(from + i) << 8) | s.charCodeAt(from + i + 1)];
      const rank = r < 0 ? NO_RANK : r;
      if (rank < minRank) { minRank = rank; minAt = i; }
      starts[i] = from + i;
      ranks[i] = rank;
    }
    starts[n - 1] = to - 1;
    ranks[n - 1] = NO_RANK;
    starts[n] = to;
    ranks[n] = NO_RANK;
    let parts = n + 1;
    while (minRank !== NO_RANK) {
      const i = minAt;
      // re-rank parts i-1 and i as if part i+1 were gone (parts[i+3] is then the end of the new pair)
      if (i > 0) ranks[i - 1] = this.pairRank(s, starts, parts, i - 1);
      ranks[i] = this.pairRank(s, starts, parts, i);
      starts.copyWithin(i + 1, i + 2, parts);
      ranks.copyWithin(i + 1, i + 2, parts);
      parts--;
      minRank = NO_RANK;
      for (let j = 0; j < parts - 1; j++) {
        if (ranks[j] < minRank) { minRank = ranks[j]; minAt = j; }
      }
    }
    return parts - 1;
  }

  private pairRank(s: ByteString, starts: Int32Array, parts: number, i: number): number {
    if (i + 3 >= parts) return NO_RANK;
    const r = this.rankOf(s, starts[i], starts[i + 3]);
    return r < 0 ? NO_RANK : r;
  }

  private addBase64(src: string, from: number, to: number, rank: number): void {
    this.reserve(((to - from) * 3) >> 2);
    const pool = this.pool;
    let out = this.poolLength;
    let acc = 0;
    let bits = 0;
    for (let i = from; i < to; i++) {
      const c = src.charCodeAt(i);
      const v = c < 128 ? B64[c] : 255;
      if (v === 255) break; // '=' padding
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        pool[out++] = (acc >> bits) & 0xff;
      }
    }
    this.commit(this.poolLength, out - this.poolLength, rank);
  }

  private reserve(bytes: number): void {
    if (this.poolLength + bytes <= this.pool.length) return;
    const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolLength + bytes));
    grown.set(this.pool.subarray(0, this.poolLength));
    this.pool = grown;
  }

  /** Enters the token whose bytes were just written at pool[off, off + len) (unless already present). */
  private commit(off: number, len: number, rank: number): void {
    if (len === 0) return;
    if (this.rankOfPool(off, len) >= 0) return;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.poolLength = off + len;
    this.count++;
    if (len === 2) this.pairRanks[(this.pool[off] << 8) | this.pool[off + 1]] = rank;
    this.place(hashPool(this.pool, off, len), off, len, rank);
  }

  private rankOfPool(off: number, len: number): number {
    const h = hashPool(this.pool, off, len);
    const slots = this.slots;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const l = slots[4 * i + 2];
      if (l === 0) return -1;
      if (l === len && slots[4 * i] === h) {
        const o = slots[4 * i + 1];
        let k = 0;
        while (k < len && this.pool[o + k] === this.pool[off + k]) k++;
        if (k === len) return slots[4 * i + 3];
      }
    }
  }

  private place(h: number, off: number, len: number, rank: number): void {
    const slots = this.slots;
    let i = h & this.mask;
    while (slots[4 * i + 2] !== 0) i = (i + 1) & this.mask;
    slots[4 * i] = h;
    slots[4 * i + 1] = off;
    slots[4 * i + 2] = len;
    slots[4 * i + 3] = rank;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array(4 * (this.mask + 1));
    for (let i = 0; i < old.length; i += 4) if (old[i + 2] !== 0) this.place(old[i], old[i + 1], old[i + 2], old[i + 3]);
  }
}

/**
 * A small per-counter memo of piece counts, in front of the rank table: a prompt's ~10k pieces are ~2k distinct
 * ones, and this answer comes from a few hundred kB that stay in the CPU's cache instead of the table's 8 MB.
 * Direct-mapped by the piece's hash; pieces of up to PIECE_MEMO_CHARS characters, compared in place.
 */
export class PieceMemo {
  /** Per entry: the hash, then (count << 5 | length); length 0: empty. (Read in place by pieceTable's scanner loop.) */
  readonly meta = new Int32Array(2 * PIECE_MEMO_ENTRIES);
  /** Per entry: the piece's characters. */
  readonly chars = new Uint16Array(PIECE_MEMO_ENTRIES * PIECE_MEMO_CHARS);

  /** The remembered count of text[from, to) (hash h), or -1. */
  get(text: string, from: number, to: number, h: number): number {
    const n = to - from;
    if (n > PIECE_MEMO_CHARS) return -1;
    const e = h & (PIECE_MEMO_ENTRIES - 1);
    const meta = this.meta;
    const m = meta[2 * e + 1];
    if ((m & 31) === n && meta[2 * e] === h) {
      const chars = this.chars;
      const base = e * PIECE_MEMO_CHARS;
      let k = 0;
      while (k < n && chars[base + k] === text.charCodeAt(from + k)) k++;
      if (k === n) return m >>> 5;
    }
    return -1;
  }

  set(text: string, from: number, to: number, h: number, count: number): void {
    const n = to - from;
    if (n > PIECE_MEMO_CHARS || n === 0) return;
    const e = h & (PIECE_MEMO_ENTRIES - 1);
    this.meta[2 * e] = h;
    this.meta[2 * e + 1] = (count << 5) | n;
    const base = e * PIECE_MEMO_CHARS;
    for (let k = 0; k < n; k++) this.chars[base + k] = text.charCodeAt(from + k);
  }

  clear(): void {
    this.meta.fill(0);
  }
}

export const PIECE_MEMO_ENTRIES = 4096;
export const PIECE_MEMO_CHARS = 16;

/** Counts the piece text[from, to) with the memo in front of the table (`ascii`: every character < 128). */
export function countPieceMemo(ranks: RankTable, memo: PieceMemo | undefined, text: string, from: number, to: number, ascii: boolean): number {
  if (to - from <= 1 && ascii) return to - from;
  const h = hashRange(text, from, to);
  if (memo) {
    const known = memo.get(text, from, to, h);
    if (known >= 0) return known;
  }
  // an ASCII piece's characters are its bytes: the same hash serves the table
  const n = ascii ? ranks.countPieceBytesHashed(text, from, to, h) : ranks.countPiece(text, from, to);
  memo?.set(text, from, to, h, n);
  return n;
}

export function hashRange(s: string, from: number, to: number): number {
  let h = 0x811c9dc5 ^ (to - from);
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

function hashPool(pool: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5 ^ len;
  for (let i = off; i < off + len; i++) h = Math.imul(h ^ pool[i], 0x01000193);
  return h ^ (h >>> 15);
}
