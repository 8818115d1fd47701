// The piece path (pieceTable.ts) must give tiktoken's exact counts: checked against the full tiktoken build
// (its own WASM and glue) on real text, on the captured envelopes and on generated strings built from the
// characters where JavaScript's and Rust's regex semantics or the ASCII scanner could differ.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { get_encoding, Tiktoken } from 'tiktoken';
import { pieceTableStatus, TokenCounter } from '../../../src/core/tokens';
import { pieceRegex, scanAsciiPiece, VocabularySet } from '../../../src/core/tokens/pieceTable';

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
    assert.ok(s.pieceEncodeCalls - before.pieceEncodeCalls < tokens / 4, 'most pieces are single vocabulary entries');
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

  it('VocabularySet finds members in place and only them', () => {
    const v = new VocabularySet();
    for (const w of ['the', ' the', 'The', '東京', '']) v.add(w);
    v.add('the');
    assert.equal(v.size, 5);
    const text = 'xx the The 東京 thee';
    assert.equal(v.hasRange(text, 2, 6), true, "' the'");
    assert.equal(v.hasRange(text, 3, 6), true, "'the'");
    assert.equal(v.hasRange(text, 7, 10), true, "'The'");
    assert.equal(v.hasRange(text, 11, 13), true, "'東京'");
    assert.equal(v.hasRange(text, 14, 18), false, "'thee'");
    assert.equal(v.hasRange(text, 14, 16), false, "'th'");
    assert.equal(v.has(''), true);
    for (let i = 0; i < 5000; i++) v.add(`w${i}`);
    assert.equal(v.has('w4999'), true);
    assert.equal(v.has('w5000'), false);
  });
});
