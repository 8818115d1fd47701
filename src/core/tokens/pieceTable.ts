// A faster exact path for counting text the cache has never seen: split the text with the encoder's own
// pre-tokenizer pattern in JavaScript (V8 compiles it to native code, and an ASCII scanner does o200k_base's
// pattern faster still), and count each piece as tiktoken would: a piece whose bytes are one vocabulary entry
// is 1 token; any other piece goes through tiktoken's byte-pair merge, done in JavaScript over the same ranks
// (bpeRanks.ts). tiktoken's own encode_ordinary does exactly this, with the same pattern, piece by piece (BPE
// never merges across pieces), so the sum is its count; but its regex engine (fancy-regex compiled to WASM)
// is 3-4× slower than V8's on agent prompts, and each call into the WASM encoder costs ~10 µs of overhead,
// more than merging a short piece in JavaScript.
//
// Pattern translation to JavaScript (Rust `regex`/fancy-regex semantics kept):
//   - `(?i:'s|'t|…)` (inline case-insensitive group, not in Node 20) → each letter as `[sS]`;
//   - `\s` / `\S` → Unicode White_Space (as Rust's `\s`), not JavaScript's `\s`, which adds U+FEFF and
//     lacks U+0085.
// The table checks itself at build time on a sample of mixed text against the WASM encoder and is not used
// when any count differs; a text whose pieces do not tile it (a character no alternative matches) falls
// back to the WASM encoder too.
//
// Building the rank table (~200k tokens, ~10 MB) costs a few hundred ms of CPU: it is done in slices
// that yield to the event loop (`buildPieceTable`), once per process and encoding, in the background after
// the encoder loads (TokenCounter.warmUp). Until it is ready, counts take the WASM path.
import { countPieceMemo, PIECE_MEMO_CHARS, PIECE_MEMO_ENTRIES, PieceMemo, RankTable } from './bpeRanks';

/** Rust `\s` (Unicode White_Space), as the inside of a character class. */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** The tiktoken pattern as a JavaScript RegExp (flags `gu`), or undefined when it cannot be translated. */
export function pieceRegex(patStr: string): RegExp | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < patStr.length; i++) {
    const c = patStr[i];
    if (c === '\\') {
      const next = patStr[i + 1];
      if (next === 's') out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (next === 'S') {
        if (inClass) return undefined; // [\S…] does not occur in tiktoken's patterns
        out += `[^${WHITE_SPACE}]`;
      } else out += c + (next ?? '');
      i++;
      continue;
    }
    if (!inClass && patStr.startsWith('(?i:', i)) {
      const end = patStr.indexOf(')', i);
      const body = patStr.slice(i + 4, end);
      if (end < 0 || !/^[A-Za-z'|]*$/.test(body)) return undefined;
      out += `(?:${body.replace(/[A-Za-z]/g, (l) => `[${l.toLowerCase()}${l.toUpperCase()}]`)})`;
      i = end;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  try {
    return new RegExp(out, 'gu');
  } catch {
    return undefined;
  }
}

export interface PieceTable {
  readonly regex: RegExp;
  /** The same pattern, sticky: one piece at a given position (the ASCII scanner's fallback). */
  readonly sticky: RegExp;
  /** Whether `scanAsciiPiece` implements this pattern (o200k_base's). */
  readonly asciiScanner: boolean;
  /** The vocabulary as byte strings with their ranks: whole-piece lookups and the byte-pair merge (bpeRanks.ts). */
  readonly ranks: RankTable;
}

/** Counts of one text's pieces, by kind (diagnostics and tests). */
export interface PieceTally { pieces: number; merged: number }

/**
 * Tokens of `text` from its pieces, or undefined when the pieces do not tile the text or one is longer than
 * `maxPieceChars` (the caller then encodes it otherwise). `memo` remembers piece counts across calls. `tally`, when given, gains the number of pieces and of pieces that took the byte-pair merge.
 */
export function countByPieces(table: PieceTable, text: string, tally?: PieceTally, memo = new PieceMemo(), maxPieceChars = Infinity): number | undefined {
  if (table.asciiScanner) return countByScanning(table, text, tally, memo, maxPieceChars);
  const re = table.regex;
  const ranks = table.ranks;
  re.lastIndex = 0;
  let n = 0;
  let at = 0;
  let merged = 0;
  let pieces = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== at || m[0].length > maxPieceChars) return undefined;
    const end = at + m[0].length;
    const k = countPieceMemo(ranks, memo, text, at, end, isAscii(text, at, end));
    if (k > 1) merged++;
    n += k;
    pieces++;
    at = end;
  }
  if (tally) { tally.pieces += pieces; tally.merged += merged; }
  return at === text.length ? n : undefined;
}

function isAscii(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

function countByScanning(table: PieceTable, text: string, tally: PieceTally | undefined, memo: PieceMemo, maxPieceChars: number): number | undefined {
  const { ranks, sticky } = table;
  const { meta, chars } = memo;
  const len = text.length;
  let n = 0;
  let at = 0;
  let merged = 0;
  let pieces = 0;
  while (at < len) {
    let end = scanAsciiPiece(text, at);
    if (end < 0) {
      sticky.lastIndex = at;
      const m = sticky.exec(text);
      if (!m) return undefined;
      end = at + m[0].length;
      if (end - at > maxPieceChars) return undefined;
      const k = countPieceMemo(ranks, memo, text, at, end, isAscii(text, at, end));
      if (k > 1) merged++;
      n += k;
    } else if (end - at > maxPieceChars) {
      return undefined;
    } else if (end - at === 1) {
      n++; // one ASCII character: every byte is a token
    } else {
      // The scanner's pieces are ASCII: their characters are their bytes. This is countPieceMemo written out,
      // the hot loop of a cold count (~15% faster than the call on agent prompts).
      const k = end - at;
      let h = 0x811c9dc5 ^ k;
      for (let i = at; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      h ^= h >>> 15;
      let c = -1;
      if (k <= PIECE_MEMO_CHARS) {
        const e = h & (PIECE_MEMO_ENTRIES - 1);
        const m = meta[2 * e + 1];
        if ((m & 31) === k && meta[2 * e] === h) {
          const base = e * PIECE_MEMO_CHARS;
          let j = 0;
          while (j < k && chars[base + j] === text.charCodeAt(at + j)) j++;
          if (j === k) c = m >>> 5;
        }
        if (c < 0) {
          c = ranks.countPieceBytesHashed(text, at, end, h);
          meta[2 * e] = h;
          meta[2 * e + 1] = (c << 5) | k;
          const base = e * PIECE_MEMO_CHARS;
          for (let j = 0; j < k; j++) chars[base + j] = text.charCodeAt(at + j);
        }
      } else {
        c = ranks.countPieceBytesHashed(text, at, end, h);
      }
      if (c > 1) merged++;
      n += c;
    }
    pieces++;
    at = end;
  }
  if (tally) { tally.pieces += pieces; tally.merged += merged; }
  return n;
}

// ASCII classes: 0 other (punctuation, controls), 1 whitespace (Rust \s), 2 upper, 3 lower, 4 digit, 5 \r or \n,
// 6 non-ASCII (the scanner gives up: the sticky regex decides).
const OTHER = 0, SPACE = 1, UPPER = 2, LOWER = 3, DIGIT = 4, NEWLINE = 5, NON_ASCII = 6;
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = c === 10 || c === 13 ? NEWLINE
    : c === 9 || c === 11 || c === 12 || c === 32 ? SPACE
      : c >= 65 && c <= 90 ? UPPER : c >= 97 && c <= 122 ? LOWER : c >= 48 && c <= 57 ? DIGIT : OTHER;
}
const cls = (text: string, i: number): number => {
  if (i >= text.length) return -1;
  const c = text.charCodeAt(i);
  return c < 128 ? ASCII_CLASS[c] : NON_ASCII;
};

/** After a run of letters at `i` (upper* lower+ | upper+ lower*), the end of o200k's optional contraction. */
function contractionEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 39 /* ' */) return i;
  const a = text.charCodeAt(i + 1) | 32;
  if (a === 115 || a === 116 || a === 109 || a === 100) return i + 2; // s t m d
  const b = text.charCodeAt(i + 2) | 32;
  if ((a === 114 && b === 101) || (a === 118 && b === 101) || (a === 108 && b === 108)) return i + 3; // re ve ll
  return i;
}

/** End of the letter piece starting at `i` (a letter), or -1 when a non-ASCII character could change it. */
function lettersEnd(text: string, i: number): number {
  const len = text.length;
  let j = i;
  let c = 0;
  while (j < len && (c = text.charCodeAt(j)) >= 65 && c <= 90) j++; // upper*
  while (j < len && (c = text.charCodeAt(j)) >= 97 && c <= 122) j++; // lower*
  if (j < len && c >= 0x80) return -1; // c is text[j] here
  return contractionEnd(text, j);
}

/**
 * End of the o200k_base piece that starts at `at`, for pieces decided by ASCII characters alone; -1 when a
 * non-ASCII character takes part (then the sticky regex finds the piece). The pattern's alternatives, in order:
 * `[^\r\n\p{L}\p{N}]?` + letters (upper* lower+ | upper+ lower*) + contraction?; `\p{N}{1,3}`;
 * ` ?[^\s\p{L}\p{N}]+[\r\n/]*`; `\s*[\r\n]+`; `\s+(?!\S)`; `\s+`.
 */
export function scanAsciiPiece(text: string, at: number): number {
  const k = cls(text, at);
  const next = cls(text, at + 1);
  switch (k) {
    case UPPER:
    case LOWER:
      return lettersEnd(text, at);
    case DIGIT: {
      let j = at + 1;
      while (j < at + 3 && cls(text, j) === DIGIT) j++;
      return j < at + 3 && cls(text, j) === NON_ASCII ? -1 : j;
    }
    case OTHER:
    case SPACE: {
      if (next === NON_ASCII) return -1;
      if (next === UPPER || next === LOWER) return lettersEnd(text, at + 1); // a one-character prefix
      if (k === OTHER || (text.charCodeAt(at) === 32 && next === OTHER)) {
        if (k === SPACE) at++; // ` ?` then punctuation
        let j = at;
        let c = cls(text, j);
        while (c === OTHER) c = cls(text, ++j);
        if (c === NON_ASCII) return -1;
        for (let ch = text.charCodeAt(j); ch === 10 || ch === 13 || ch === 47; ch = text.charCodeAt(++j)) { /* [\r\n/]* */ }
        return j;
      }
      return whitespaceEnd(text, at);
    }
    case NEWLINE:
      return whitespaceEnd(text, at);
    default:
      return -1;
  }
}

function whitespaceEnd(text: string, at: number): number {
  let j = at;
  let lastNewline = -1;
  for (let c = cls(text, j); c === SPACE || c === NEWLINE; c = cls(text, ++j)) if (c === NEWLINE) lastNewline = j;
  if (j < text.length && cls(text, j) === NON_ASCII) return -1; // may be more whitespace (U+00A0, U+3000, …)
  if (lastNewline >= 0) return lastNewline + 1; // \s*[\r\n]+
  if (j === text.length || j - at === 1) return j; // \s+(?!\S) at the end; \s+
  return j - 1; // \s+(?!\S): the last one goes with what follows
}

/** o200k_base's pat_str, which `scanAsciiPiece` implements for ASCII text. */
export const O200K_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * Builds the table from an encoder file's `pat_str` and `bpe_ranks` (lines of `<marker> <first rank> <base64
 * token> …`), yielding to the event loop between slices when `yieldNow` is given.
 */
export async function buildPieceTable(patStr: string, bpeRanks: string, yieldNow?: () => Promise<void>): Promise<PieceTable | undefined> {
  const regex = pieceRegex(patStr);
  if (!regex) return undefined;
  const sticky = new RegExp(regex.source, 'uy');
  const ranks = await RankTable.fromLiteRanks(bpeRanks, yieldNow);
  return { regex, sticky, ranks, asciiScanner: patStr === O200K_PATTERN };
}

/** Mixed text the table is checked on before use: prose, code, numbers, whitespace runs, contractions, scripts. */
export const PIECE_TABLE_CHECK_TEXT = [
  "You're a coding agent. It's 2026-12-03T15:20:00Z; don't stop until the tests pass (they'll run).",
  'function countTokens(text: string): number {\n\treturn text.length > 0 ? encode(text).length : 0;\n}\r\n',
  '    indented   spaces\u00a0nbsp\u3000ideographic\u0085nel\ufeffbom  \n\n\n  trailing   ',
  'CamelCaseWords HTTPServer XMLHttpRequest iOS ÉLAN Ünïcödé naïve café 東京都 😀👍🏽 مرحبا Привет мир',
  '1234567 3.14159 0x1F ../src/core/*.ts //comment /* block */ <|endoftext|> {"a":[1,2,{"b":null}]}',
  "I'M SURE WE'LL SEE THEY'RE HERE'S 'quoted' \"double\" `back`",
].join('\n');
