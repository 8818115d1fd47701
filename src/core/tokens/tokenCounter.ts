// Token counting with tiktoken's real encoders (o200k_base, cl100k_base), loaded on first use.
//
// Chat framing follows OpenAI's published chat format (openai-cookbook, "How to count tokens with
// tiktoken", for gpt-3.5-turbo-0613 and later models including gpt-4o):
//   - every message is wrapped as <|start|>{role}<|message|>{content}<|end|>: 3 tokens per message
//     plus the role's own tokens plus the content's tokens;
//   - every reply is primed with <|start|>assistant<|message|>: 3 more tokens, once per request.
// Tool definitions use the same cookbook's function-calling constants for gpt-4o-class models: 7 tokens
// per function plus `name:description` (trailing period dropped); if it has properties, 3 tokens, then
// per property 3 tokens plus `key:type:description`, enums −3 + per item 3 + the item; 12 tokens once
// after all functions. The cookbook ignores nested schemas; we add the tokens of the JSON of whatever a
// property carries beyond type/description/enum (items, nested properties, …) so big agent tool
// schemas are not undercounted.
// Tool calls and tool results have no published framing: a tool call counts 3 tokens + its name + its
// JSON input, a tool result 3 tokens + its content (each as a small message). Images: imageTokens.ts.
//
// Agent conversations resend the whole history every turn, so counts are cached per piece of content
// (text part, tool call, tool result, tool definition) keyed by encoding + a 64-bit hash of the
// content: a turn costs one native SHA-1 pass over the history (~1.5 ns per character) plus encoding only
// the new text. The cache is a bounded LRU (countCache.ts).
//
// Long texts are counted in line chunks (content-defined, ~LINE_CHUNK_CHARS each, cut only after a line
// break followed by neither whitespace nor `/`), each chunk cached on its own: an agent's system prompt that
// changes in one place between requests (a date, a new instruction) costs only the changed chunks. The sum
// is exact: in o200k_base's and cl100k_base's pre-tokenizer patterns no piece reaches across such a line
// break (a word's optional prefix excludes \r and \n; a punctuation piece may swallow following line
// breaks and, in o200k_base, slashes, hence no cut before `/`; whitespace pieces end at the line break when
// a non-space follows), and BPE never merges across pieces.
//
// Text the cache has never seen is counted piece by piece once the encoding's piece table is ready
// (pieceTable.ts: the same pre-tokenizer pattern run by V8, single-token pieces looked up in the vocabulary,
// the other pieces merged by tiktoken's byte-pair merge in JavaScript, bpeRanks.ts): exact, and ~10× faster
// than the WASM encoder on agent prompts. `warmUp()` loads the encoder and builds the table in the background; until then,
// and for texts the guard below cuts, counts take the WASM encoder whole.
//
// Guard against tiktoken's quadratic case: BPE cost grows with the square of a regex piece's length,
// so one unbroken run of letters, whitespace or punctuation (100k spaces, a 50k-letter line) takes
// seconds. A text with a piece longer than LONG_RUN_CHARS (the piece path stops there) or counted without the
// piece table has its runs longer than LONG_RUN_CHARS cut into slices of that length and the slices counted
// apart; this can add about one token per cut (≤ 0.4% on such text) and leaves ordinary text exact.
import type { ChatMessage, MessagePart, TokenizerName, ToolDefinition } from '../types';
import { contentKey } from './contentHash';
import type { CountEntry } from './countStore';
import { CountCache } from './countCache';
import { PieceMemo } from './bpeRanks';
import { LiteEncoder, loadEncoder, readEncoderFile } from './encoderLoader';
import { imagePartTokens } from './imageTokens';
import { buildPieceTable, countByPieces, PIECE_TABLE_CHECK_TEXT, PieceTable, PieceTally } from './pieceTable';

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMER_TOKENS = 3;
export const TOOL_FUNC_INIT_TOKENS = 7;
export const TOOL_PROP_INIT_TOKENS = 3;
export const TOOL_PROP_KEY_TOKENS = 3;
export const TOOL_ENUM_INIT_TOKENS = -3;
export const TOOL_ENUM_ITEM_TOKENS = 3;
export const TOOL_FUNC_END_TOKENS = 12;
export const TOOL_CALL_OVERHEAD_TOKENS = 3;
export const TOOL_RESULT_OVERHEAD_TOKENS = 3;

export const DEFAULT_TOKENIZER: TokenizerName = 'o200k_base';

/** Longest run of one character class encoded in one piece (see the quadratic guard above). */
export const LONG_RUN_CHARS = 512;
const SHORT_CACHE_MAX_ENTRIES = 4096;
const RECENT_TEXTS_MAX_ENTRIES = 8;
const RECENT_TEXTS_MAX_CHARS = 1 << 20;
/** Texts at least this long are counted in line chunks (see above). */
export const LINE_CHUNK_MIN_CHARS = 2048;
/** Typical line chunk (cuts are at least a quarter of this apart). */
export const LINE_CHUNK_CHARS = 1024;
const JIT_WARM_PASSES = 6;
const JIT_WARM_TEXT = Array.from({ length: 8 }, (_, i) => PIECE_TABLE_CHECK_TEXT.replace(/\d/g, String(i))).join('\n');

export interface TokenCounterOptions {
  /** Directory holding `tiktoken_bg.wasm` and `encoders/<name>.json` (see assets.ts for the fallbacks). */
  assetDir?: string;
  /** Bound on cached counts (each entry holds no text: ~150 bytes). Default 50,000. */
  cacheMaxEntries?: number;
  /** Bound on the total length of the texts whose counts are cached. Default 64 Mi characters. */
  cacheMaxChars?: number;
  /** Texts shorter than this skip the LRU (a small map keyed by the text itself holds them). Default 16. */
  minCachedChars?: number;
  /** Texts at least this long are counted in cached line chunks. Default LINE_CHUNK_MIN_CHARS; Infinity: never. */
  lineChunkMinChars?: number;
  /** Count unseen text piece by piece once the piece table is ready (default true; false: WASM encoder only, a baseline). */
  piecePath?: boolean;
}

export interface TokenCounterStats {
  /** Calls into the WASM encoder. */
  encodeCalls: number;
  /** Characters handed to the encoder. */
  encodedChars: number;
  cacheHits: number;
  cacheMisses: number;
  cacheEntries: number;
  cacheChars: number;
  cacheEvictions: number;
  /** Encoders this counter has built (at most one per tokenizer). */
  encodersLoaded: number;
  /** Texts counted piece by piece (the piece table was ready), of `encodeCalls`. */
  pieceCountedTexts: number;
  /** Pieces of those texts. */
  pieces: number;
  /** Pieces that were not one token (counted by the byte-pair merge in JavaScript, or found in the piece memo). */
  mergedPieces: number;
}

/** Per process and encoding: the piece table, once built and checked (null: not usable), or its build. */
const pieceTables = new Map<TokenizerName, PieceTable | null>();
const pieceTableBuilds = new Map<TokenizerName, Promise<PieceTable | null>>();
/** Why a piece table is not in use (tests, diagnostics). */
const pieceTableProblems = new Map<TokenizerName, string>();

/** `ready`: counts of unseen text go piece by piece; `building`; `off` (with the reason); `none`: no warm-up yet. */
export function pieceTableStatus(encoding: TokenizerName = DEFAULT_TOKENIZER): 'ready' | 'building' | 'none' | `off: ${string}` {
  const t = pieceTables.get(encoding);
  if (t) return 'ready';
  if (t === null) return `off: ${pieceTableProblems.get(encoding) ?? 'unknown'}`;
  return pieceTableBuilds.has(encoding) ? 'building' : 'none';
}

export class TokenCounter {
  private readonly encoders = new Map<TokenizerName, LiteEncoder>();
  private readonly cache: CountCache;
  private readonly minCachedChars: number;
  private readonly lineChunkMinChars: number;
  /** Per encoding: counts of short strings (roles, tool names), keyed by the text itself. */
  private readonly shortCounts = new Map<TokenizerName, Map<string, number>>();
  /**
   * Per encoding: the last few texts counted, keyed by the text itself (bounded by RECENT_TEXTS_MAX_ENTRIES and
   * RECENT_TEXTS_MAX_CHARS): Copilot asks for a message's tokens and right after for its text's, the same string
   * twice; the second answer then costs no hashing and no line chunking.
   */
  private readonly recentTexts = new Map<TokenizerName, Map<string, number>>();
  private recentChars = 0;
  private encodeCalls = 0;
  private encodedChars = 0;
  private pieceCountedTexts = 0;
  private readonly tally: PieceTally = { pieces: 0, merged: 0 };
  /** Counts of recently seen pieces (the piece path's memo), per encoding. */
  private readonly pieceMemos = new Map<TokenizerName, PieceMemo>();
  private encodersLoaded = 0;
  private disposed = false;

  constructor(private readonly opts: TokenCounterOptions = {}) {
    this.cache = new CountCache({
      maxEntries: opts.cacheMaxEntries ?? 50_000,
      maxChars: opts.cacheMaxChars ?? 64 * 1024 * 1024,
    });
    this.minCachedChars = opts.minCachedChars ?? 16;
    this.lineChunkMinChars = opts.lineChunkMinChars ?? LINE_CHUNK_MIN_CHARS;
  }

  /** Tokens of `text` alone (special-token strings such as `<|endoftext|>` count as ordinary text). */
  countText(text: string, encoding: TokenizerName = DEFAULT_TOKENIZER): number {
    if (text.length === 0) return 0;
    if (text.length < this.minCachedChars) {
      let short = this.shortCounts.get(encoding);
      if (!short) this.shortCounts.set(encoding, (short = new Map()));
      let n = short.get(text);
      if (n === undefined) {
        if (short.size >= SHORT_CACHE_MAX_ENTRIES) short.clear();
        n = this.encode(text, encoding);
        short.set(text, n);
      }
      return n;
    }
    let recent = this.recentTexts.get(encoding);
    if (!recent) this.recentTexts.set(encoding, (recent = new Map()));
    const known = recent.get(text);
    if (known !== undefined) return known;
    const n = this.countLong(text, encoding);
    if (text.length <= RECENT_TEXTS_MAX_CHARS) {
      if (recent.size >= RECENT_TEXTS_MAX_ENTRIES || this.recentChars + text.length > RECENT_TEXTS_MAX_CHARS) {
        for (const m of this.recentTexts.values()) m.clear();
        this.recentChars = 0;
      }
      recent.set(text, n);
      this.recentChars += text.length;
    }
    return n;
  }

  private countLong(text: string, encoding: TokenizerName): number {
    if (text.length >= this.lineChunkMinChars) {
      const cuts = lineChunkCuts(text);
      if (cuts) {
        let n = 0;
        let from = 0;
        for (const cut of cuts) {
          n += this.countCached(text.slice(from, cut), encoding);
          from = cut;
        }
        return n + this.countCached(text.slice(from), encoding);
      }
    }
    return this.countCached(text, encoding);
  }

  private countCached(text: string, encoding: TokenizerName): number {
    const key = `${encoding}:${contentKey(text)}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const n = this.encode(text, encoding);
    this.cache.set(key, n, text.length);
    return n;
  }

  /** Input tokens of a chat request: messages with their framing, tool definitions and the reply primer. */
  countMessages(messages: ChatMessage[], tools: ToolDefinition[] | undefined, encoding: TokenizerName = DEFAULT_TOKENIZER): number {
    let total = REPLY_PRIMER_TOKENS;
    for (const m of messages) {
      total += TOKENS_PER_MESSAGE + this.countText(m.role, encoding);
      if (typeof m.content === 'string') total += this.countText(m.content, encoding);
      else for (const part of m.content) total += this.countPart(part, encoding);
    }
    if (tools && tools.length > 0) total += this.countTools(tools, encoding);
    return total;
  }

  /** Tokens the tool definitions add to a request (0 for none). */
  countTools(tools: ToolDefinition[], encoding: TokenizerName = DEFAULT_TOKENIZER): number {
    if (tools.length === 0) return 0;
    let total = TOOL_FUNC_END_TOKENS;
    for (const tool of tools) {
      const key = `${encoding}:tool:${contentKey(JSON.stringify(tool))}`;
      let n = this.cache.get(key);
      if (n === undefined) {
        n = this.countToolUncached(tool, encoding);
        this.cache.set(key, n, tool.name.length + tool.description.length);
      }
      total += n;
    }
    return total;
  }

  stats(): TokenCounterStats {
    return {
      encodeCalls: this.encodeCalls,
      encodedChars: this.encodedChars,
      cacheHits: this.cache.hits,
      cacheMisses: this.cache.misses,
      cacheEntries: this.cache.size,
      cacheChars: this.cache.chars,
      cacheEvictions: this.cache.evictions,
      encodersLoaded: this.encodersLoaded,
      pieceCountedTexts: this.pieceCountedTexts,
      pieces: this.tally.pieces,
      mergedPieces: this.tally.merged,
    };
  }

  /**
   * Loads `encoding`'s encoder now and builds its piece table (once per process) in slices that yield to the
   * event loop: call it when idle (the extension does, a few seconds after activation) so the first prompt's
   * counts find both ready. Resolves when the table is ready or known unusable; never rejects.
   */
  async warmUp(encoding: TokenizerName = DEFAULT_TOKENIZER): Promise<void> {
    try {
      this.encoder(encoding);
      if (pieceTables.has(encoding)) return;
      let build = pieceTableBuilds.get(encoding);
      if (!build) {
        build = this.buildCheckedTable(encoding);
        pieceTableBuilds.set(encoding, build);
      }
      await build;
    } catch (e) {
      if (!pieceTables.has(encoding)) {
        pieceTables.set(encoding, null);
        pieceTableProblems.set(encoding, e instanceof Error ? e.message : String(e));
      }
    }
  }

  private async buildCheckedTable(encoding: TokenizerName): Promise<PieceTable | null> {
    const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await yieldNow();
    const data = readEncoderFile(encoding, this.opts.assetDir);
    await yieldNow();
    const table = await buildPieceTable(data.pat_str, data.bpe_ranks, yieldNow);
    let problem = table ? undefined : 'the pattern has no JavaScript translation';
    if (table && !this.disposed) {
      const enc = this.encoder(encoding);
      for (const sample of [PIECE_TABLE_CHECK_TEXT, ...PIECE_TABLE_CHECK_TEXT.split('\n')]) {
        const byPieces = countByPieces(table, sample);
        const whole = enc.encode_ordinary(sample).length;
        if (byPieces !== whole) {
          problem = `piece count ${byPieces} != ${whole} on ${JSON.stringify(sample.slice(0, 40))}`;
          break;
        }
      }
    }
    if (!problem) {
      // Let the JIT compile the piece path now rather than during Copilot's first prompt (a few ms, here).
      for (let i = 0; i < JIT_WARM_PASSES; i++) countByPieces(table!, JIT_WARM_TEXT, undefined, new PieceMemo());
    }
    pieceTables.set(encoding, problem ? null : table!);
    if (problem) pieceTableProblems.set(encoding, problem);
    pieceTableBuilds.delete(encoding);
    return problem ? null : table!;
  }

  /**
   * The cached counts of texts and tool definitions, least recently used first (keys hold no text: see
   * countStore.ts), to be kept across sessions.
   */
  exportCounts(): CountEntry[] {
    return this.cache.entries();
  }

  /**
   * Adds counts exported by an earlier session (oldest first), as older than everything counted since; an entry
   * already cached keeps its place. Returns how many were added.
   */
  importCounts(entries: CountEntry[]): number {
    const fresh = this.cache.entries();
    let added = 0;
    this.cache.clear();
    const known = new Set(fresh.map((e) => e[0]));
    for (const [key, tokens, chars] of entries) {
      if (known.has(key)) continue;
      this.cache.set(key, tokens, chars);
      added++;
    }
    for (const [key, tokens, chars] of fresh) this.cache.set(key, tokens, chars);
    return added;
  }

  /** Forgets cached counts (the encoders stay loaded). */
  clearCache(): void {
    this.cache.clear();
    this.shortCounts.clear();
    this.recentTexts.clear();
    this.recentChars = 0;
    this.pieceMemos.clear();
  }

  /** Frees the WASM encoders. The counter must not be used afterwards. */
  dispose(): void {
    for (const enc of this.encoders.values()) enc.free();
    this.encoders.clear();
    this.clearCache();
    this.disposed = true;
  }

  private countPart(part: MessagePart, encoding: TokenizerName): number {
    switch (part.type) {
      case 'text':
        return this.countText(part.text, encoding);
      case 'toolCall':
        return TOOL_CALL_OVERHEAD_TOKENS + this.countText(part.name, encoding) + this.countText(JSON.stringify(part.input ?? {}), encoding);
      case 'toolResult':
        return TOOL_RESULT_OVERHEAD_TOKENS + this.countText(part.content, encoding);
      case 'image':
        return imagePartTokens(part);
      default:
        return 0;
    }
  }

  private countToolUncached(tool: ToolDefinition, encoding: TokenizerName): number {
    let n = TOOL_FUNC_INIT_TOKENS + this.encode(`${tool.name}:${stripPeriod(tool.description ?? '')}`, encoding);
    const props = tool.inputSchema?.properties;
    if (props && typeof props === 'object' && !Array.isArray(props)) {
      const entries = Object.entries(props as Record<string, unknown>);
      if (entries.length > 0) n += TOOL_PROP_INIT_TOKENS;
      for (const [key, raw] of entries) {
        const prop = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
        const { type, description, enum: enumValues, ...rest } = prop;
        const typeText = Array.isArray(type) ? type.join('|') : typeof type === 'string' ? type : '';
        const descText = typeof description === 'string' ? stripPeriod(description) : '';
        n += TOOL_PROP_KEY_TOKENS + this.encode(`${key}:${typeText}:${descText}`, encoding);
        if (Array.isArray(enumValues)) {
          n += TOOL_ENUM_INIT_TOKENS;
          for (const item of enumValues) n += TOOL_ENUM_ITEM_TOKENS + this.encode(String(item), encoding);
        }
        if (Object.keys(rest).length > 0) n += this.encode(JSON.stringify(rest), encoding);
      }
    }
    return n;
  }

  private encode(text: string, encoding: TokenizerName): number {
    if (text.length === 0) return 0;
    const enc = this.encoder(encoding);
    this.encodedChars += text.length;
    const table = this.opts.piecePath === false ? undefined : pieceTables.get(encoding);
    if (table) {
      let memo = this.pieceMemos.get(encoding);
      if (!memo) this.pieceMemos.set(encoding, (memo = new PieceMemo()));
      // undefined when a piece is longer than LONG_RUN_CHARS (the guard below decides) or the pieces do not tile
      const n = countByPieces(table, text, this.tally, memo, LONG_RUN_CHARS);
      if (n !== undefined) {
        this.encodeCalls++;
        this.pieceCountedTexts++;
        return n;
      }
    }
    const cuts = text.length > LONG_RUN_CHARS ? longRunCuts(text) : undefined;
    if (!cuts) {
      this.encodeCalls++;
      return enc.encode_ordinary(text).length;
    }
    let n = 0;
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      if (cut > from) {
        this.encodeCalls++;
        n += enc.encode_ordinary(text.slice(from, cut)).length;
      }
      from = cut;
    }
    return n;
  }

  private encoder(name: TokenizerName): LiteEncoder {
    if (this.disposed) throw new Error('TokenCounter used after dispose()');
    let enc = this.encoders.get(name);
    if (!enc) {
      enc = loadEncoder(name, this.opts.assetDir);
      this.encoders.set(name, enc);
      this.encodersLoaded++;
    }
    return enc;
  }
}

const LINE_START = /\n(?=[^\s/])/g;

/**
 * Where to cut a long text into line chunks, or undefined. Cuts come after a line break followed by neither
 * whitespace nor `/`, where a hash of the next line's start picks about one line start in LINE_CUT_ONE_IN, at least
 * LINE_CHUNK_CHARS / 4 apart: the choice depends on the text, not on offsets, so an edit moves the cuts
 * only next to it and the other chunks keep their cached counts.
 */
export function lineChunkCuts(text: string): number[] | undefined {
  let cuts: number[] | undefined;
  let last = 0;
  const minGap = LINE_CHUNK_CHARS / 4;
  LINE_START.lastIndex = minGap;
  for (let m = LINE_START.exec(text); m; m = LINE_START.exec(text)) {
    const cut = m.index + 1;
    if (text.length - cut < minGap) break;
    if (cut - last < minGap || lineHash(text, cut) % LINE_CUT_ONE_IN !== 0) continue;
    (cuts ??= []).push(cut);
    last = cut;
    LINE_START.lastIndex = cut + minGap;
  }
  return cuts;
}

/** About one line start in this many is a cut (lines of ~60 characters: chunks of ~LINE_CHUNK_CHARS). */
const LINE_CUT_ONE_IN = 16;

function lineHash(text: string, at: number): number {
  let h = 0x811c9dc5;
  const end = Math.min(text.length, at + 24);
  for (let i = at; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0);
}

/** 0 whitespace/control, 1 digit, 2 letter or non-ASCII, 3 ASCII punctuation. */
function charClass(c: number): number {
  if (c <= 32) return 0;
  if (c >= 48 && c <= 57) return 1;
  if (c >= 128 || ((c | 32) >= 97 && (c | 32) <= 122)) return 2;
  return 3;
}

/** Cut positions inside runs (of one class other than digits) longer than LONG_RUN_CHARS, or undefined. */
export function longRunCuts(text: string): number[] | undefined {
  let cuts: number[] | undefined;
  let prev = -1;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k = charClass(c);
    if (k !== prev) {
      prev = k;
      run = 1;
    } else if (run >= LONG_RUN_CHARS && k !== 1 && (c & 0xfc00) !== 0xdc00 /* never split a surrogate pair */) {
      (cuts ??= []).push(i);
      run = 1;
    } else {
      run++;
    }
  }
  return cuts;
}

function stripPeriod(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

let shared: TokenCounter | undefined;

/** The process-wide counter (created on first call; its encoders load on its first count). */
export function sharedTokenCounter(): TokenCounter {
  if (!shared) shared = new TokenCounter();
  return shared;
}
