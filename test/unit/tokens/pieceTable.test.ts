// The piece path (pieceTable.ts) must give tiktoken's exact counts: checked against the full tiktoken build
// (its own WASM and glue) on real text, on the captured envelopes and on generated strings built from the
// characters where JavaScript's and Rust's regex semantics or the ASCII scanner could differ.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { get_encoding, Tiktoken } from 'tiktoken';
import { pieceTableStatus, TokenCounter } from '../../../src/core/tokens';
import { RankTable, utf8Bytes } from '../../../src/core/tokens/bpeRanks';
import { readEncoderFile } from '../../../src/core/tokens/encoderLoader';
import { buildPieceTable, pieceRegex, PieceTable, scanAsciiPiece } from '../../../src/core/tokens/pieceTable';

const repoRoot = path.resolve(__dirname, '../../../..');
const read = (rel: string): string => fs.readFileSync(path.join(repoRoot, rel), 'utf8');

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = ['a', 'Z', 'b', 'Q', 'x', '0', '7', '9', ' ', ' ', '  ', '\t', '\n', '\r\n', '\r', '\v', '\f', "'", "'s", "'T", "'re", "'LL", "'d", "'ve",
  '.', '/', '//', '(', ')', '_', '-', '\x00', '\x1f', 'é', 'É', 'ü', '—', '’', '\u00a0', '\u3000', '\u0085', '\ufeff', '東', '😀', '\ud800',
  '٣', '²', 'ǅ', '\u0301', '\n/', '!/\n', 'HTTP', 'Server', 'camel'];

describe('tokens/pieceTable: the piece path counts exactly as tiktoken', function () {
  this.timeout(120_000);
  let o200k: Tiktoken;
  let cl100k: Tiktoken;
  let counter: TokenCounter;

  before(async () => {
    o200k = get_encoding('o200k_base');
    cl100k = get_encoding('cl100k_base');
    counter = new TokenCounter({ lineChunkMinChars: Infinity });
    await counter.warmUp('o200k_base');
    await counter.warmUp('cl100k_base');
  });
  after(() => {
    o200k.free();
    cl100k.free();
    counter.dispose();
  });

  it('is ready after warmUp() for both encodings', () => {
    assert.equal(pieceTableStatus('o200k_base'), 'ready');
    assert.equal(pieceTableStatus('cl100k_base'), 'ready');
  });

  it('real code, prose and the captured envelopes: every count equals tiktoken\'s, and goes piece by piece', () => {
    const texts: string[] = [];
    for (const f of ['node_modules/typescript/lib/lib.dom.d.ts', 'node_modules/typescript/lib/lib.es5.d.ts', 'node_modules/mocha/lib/runner.js', 'README.md']) {
      const t = read(f).slice(0, 400_000);
      for (let i = 0; i < t.length; i += 8000) texts.push(t.slice(i, i + 8000));
    }
    const dir = path.join(repoRoot, 'test', 'fixtures', 'envelopes');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) texts.push(fs.readFileSync(path.join(dir, f), 'utf8').slice(0, 60_000));
    texts.push('Ünïcödé – naïve café 東京都 😀👍🏽 مرحبا Привет, мир! ２０２６年 ٣٤٥ x²');
    const before = counter.stats();
    let tokens = 0;
    for (const t of texts) {
      const want = o200k.encode_ordinary(t).length;
      assert.equal(counter.countText(t), want, `o200k: ${JSON.stringify(t.slice(0, 40))}`);
      assert.equal(counter.countText(t, 'cl100k_base'), cl100k.encode_ordinary(t).length, `cl100k: ${JSON.stringify(t.slice(0, 40))}`);
      tokens += want;
    }
    const s = counter.stats();
    assert.ok(tokens > 100_000, `${tokens} tokens checked`);
    assert.equal(s.pieceCountedTexts - before.pieceCountedTexts, 2 * texts.length, 'every text went piece by piece (no long runs here)');
    assert.ok(s.mergedPieces - before.mergedPieces < (s.pieces - before.pieces) / 4, 'most pieces are single vocabulary entries');
    assert.ok(s.mergedPieces - before.mergedPieces > 1000, `${s.mergedPieces - before.mergedPieces} pieces went through the JavaScript merge`);
  });

  it('20,000 generated strings of the characters where the scanner or the regex translation could differ', () => {
    const next = rng(14);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = 1 + Math.floor(next() * 14);
      for (let j = 0; j < n; j++) s += TRICKY[Math.floor(next() * TRICKY.length)];
      counter.clearCache();
      assert.equal(counter.countText(s), o200k.encode_ordinary(s).length, `o200k ${JSON.stringify(s)}`);
      assert.equal(counter.countText(s, 'cl100k_base'), cl100k.encode_ordinary(s).length, `cl100k ${JSON.stringify(s)}`);
    }
  });

  it('translates \\s as Rust does (U+0085 is white space, U+FEFF is not) and scans ASCII pieces as the pattern cuts them', () => {
    const re = pieceRegex(String.raw`\s+|\S+`)!;
    assert.deepEqual('a\u0085b\ufeffc'.match(re), ['a', '\u0085', 'b\ufeffc']);
    const pieces = (t: string): string[] => {
      const out: string[] = [];
      for (let at = 0; at < t.length;) { const end = scanAsciiPiece(t, at); out.push(end < 0 ? '?' : t.slice(at, end)); if (end < 0) break; at = end; }
      return out;
    };
    assert.deepEqual(pieces("HTTPServer don't  (x) 12345\n\n  foo;\n/"), ['HTTPServer', ' don\'t', ' ', ' (', 'x', ')', ' ', '123', '45', '\n\n', ' ', ' foo', ';\n/']);
    assert.deepEqual(pieces('café'), ['?'], 'a non-ASCII letter leaves the piece to the regex');
  });

  it('a piece-path-off counter never uses the table (the benchmark baseline)', () => {
    const off = new TokenCounter({ piecePath: false });
    try {
      const t = read('node_modules/mocha/lib/runner.js').slice(0, 20_000);
      assert.equal(off.countText(t), o200k.encode_ordinary(t).length);
      assert.equal(off.stats().pieceCountedTexts, 0);
    } finally {
      off.dispose();
    }
  });

  it('the JavaScript byte-pair merge gives tiktoken\'s count for every piece of the captured envelopes and real code, both encodings', async () => {
    const dir = path.join(repoRoot, 'test', 'fixtures', 'envelopes');
    const text = fs.readdirSync(dir).filter((x) => x.endsWith('.json')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .concat(read('node_modules/typescript/lib/lib.es5.d.ts'), read('node_modules/mocha/lib/runner.js')).join('\n');
    for (const [name, enc] of [['o200k_base', o200k], ['cl100k_base', cl100k]] as const) {
      const data = readEncoderFile(name);
      const table = (await buildPieceTable(data.pat_str, data.bpe_ranks)) as PieceTable;
      const seen = new Set<string>();
      let merged = 0;
      for (const m of text.matchAll(table.regex)) {
        const piece = m[0];
        if (seen.has(piece)) continue;
        seen.add(piece);
        const want = enc.encode_ordinary(piece).length;
        assert.equal(table.ranks.countPiece(piece, 0, piece.length), want, `${name}: ${JSON.stringify(piece)}`);
        if (want > 1) merged++;
      }
      assert.ok(merged > 1000, `${name}: ${merged} multi-token pieces of ${seen.size} checked`);
    }
  });

  it('RankTable holds each token\'s bytes with its rank, found in place, and merges by lowest rank, leftmost first', async () => {
    const data = readEncoderFile('o200k_base');
    const table = await RankTable.fromLiteRanks(data.bpe_ranks);
    assert.equal(table.size, 199_998);
    const sample = 'The quick brown fox — naïve café 東京 😀 tests(); \n\t';
    for (const id of o200k.encode_ordinary(sample)) {
      const bytes = Buffer.from(o200k.decode_single_token_bytes(id)).toString('latin1');
      assert.equal(table.rankOf(bytes, 0, bytes.length), id, JSON.stringify(bytes));
      assert.equal(table.rankOf(`xx${bytes}yy`, 2, 2 + bytes.length), id, 'in place, inside a longer string');
    }
    assert.equal(table.rankOf(utf8Bytes('東京'), 0, 6) >= 0 || o200k.encode_ordinary('東京').length > 1, true);
    assert.equal(table.rankOf('zzqxjvkw', 0, 8), -1, 'not a token');
    // a toy vocabulary: ties go to the leftmost pair, merges re-rank both neighbours
    const toy = new RankTable();
    ['a', 'b', 'c'].forEach((t, i) => toy.add(t, i));
    toy.add('ab', 3);
    toy.add('bc', 4);
    toy.add('abc', 5);
    toy.add('aa', 6);
    assert.equal(toy.countPieceBytes('abc', 0, 3), 1, "'abc' is a token");
    assert.equal(toy.countMerged('abab', 0, 4), 2, 'ab|ab');
    assert.equal(toy.countMerged('bcab', 0, 4), 2, 'ab (rank 3) first, then bc');
    assert.equal(toy.countMerged('aabc', 0, 4), 2, "ab first, then 'abc'; 'aa' never forms: a|abc");
    assert.equal(toy.countMerged('ccc', 0, 3), 3, 'no pair is a token');
  });
});
