import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// The full tiktoken build (its own WASM and glue) is the independent reference for every count.
import { get_encoding, Tiktoken } from 'tiktoken';
import {
  TokenCounter, REPLY_PRIMER_TOKENS, TOKENS_PER_MESSAGE, TOOL_FUNC_INIT_TOKENS, TOOL_PROP_INIT_TOKENS,
  TOOL_PROP_KEY_TOKENS, TOOL_ENUM_INIT_TOKENS, TOOL_ENUM_ITEM_TOKENS, TOOL_FUNC_END_TOKENS, TOOL_CALL_OVERHEAD_TOKENS,
  TOOL_RESULT_OVERHEAD_TOKENS, resolveTokenizerAssets, sharedTokenCounter,
} from '../../../src/core/tokens';
import { longRunCuts } from '../../../src/core/tokens/tokenCounter';
import type { ChatMessage, ToolDefinition } from '../../../src/core/types';

const repoRoot = path.resolve(__dirname, '../../../..');
const realText = (file: string, from: number, len: number): string =>
  fs.readFileSync(path.join(repoRoot, 'node_modules', file), 'utf8').slice(from, from + len);

describe('tokens/TokenCounter', function () {
  this.timeout(60000);
  let o200k: Tiktoken;
  let cl100k: Tiktoken;
  let counter: TokenCounter;
  const ref = (t: string, enc: Tiktoken = o200k): number => enc.encode_ordinary(t).length;

  before(() => {
    o200k = get_encoding('o200k_base');
    cl100k = get_encoding('cl100k_base');
    counter = new TokenCounter();
  });
  after(() => {
    o200k.free();
    cl100k.free();
    counter.dispose();
  });

  it('counts real strings exactly as tiktoken does, for both encodings', () => {
    const samples = [
      'hello world',
      realText('typescript/lib/lib.es5.d.ts', 20000, 6000),
      realText('mocha/lib/runner.js', 0, 5000),
      'Ünïcödé – naïve café 東京都 😀👍🏽 مرحبا',
      '<|endoftext|> special tokens are counted as plain text',
      '    indented\n\n\tcode();\r\n',
    ];
    for (const s of samples) {
      assert.equal(counter.countText(s), ref(s, o200k), `o200k: ${s.slice(0, 30)}`);
      assert.equal(counter.countText(s, 'cl100k_base'), ref(s, cl100k), `cl100k: ${s.slice(0, 30)}`);
    }
    assert.notEqual(ref(samples[1], o200k), ref(samples[1], cl100k), 'the two encodings differ on real code');
    assert.equal(counter.countText(''), 0);
  });

  it('counts messages with the published chat framing, tool calls, tool results and images', () => {
    const png1024 = pngHeader(1024, 1024).toString('base64');
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a careful coding assistant.' },
      { role: 'user', content: [{ type: 'text', text: 'Why does this test fail?' }, { type: 'image', mimeType: 'image/png', bytes: 4000, dataBase64: png1024 }] },
      { role: 'assistant', content: [{ type: 'toolCall', callId: 'c1', name: 'read_file', input: { path: 'src/a.ts', lines: [1, 40] } }] },
      { role: 'user', content: [{ type: 'toolResult', callId: 'c1', content: realText('mocha/lib/runner.js', 5000, 3000) }] },
    ];
    const expected = REPLY_PRIMER_TOKENS
      + TOKENS_PER_MESSAGE + ref('system') + ref('You are a careful coding assistant.')
      + TOKENS_PER_MESSAGE + ref('user') + ref('Why does this test fail?') + 765
      + TOKENS_PER_MESSAGE + ref('assistant') + TOOL_CALL_OVERHEAD_TOKENS + ref('read_file') + ref(JSON.stringify({ path: 'src/a.ts', lines: [1, 40] }))
      + TOKENS_PER_MESSAGE + ref('user') + TOOL_RESULT_OVERHEAD_TOKENS + ref(realText('mocha/lib/runner.js', 5000, 3000));
    assert.equal(counter.countMessages(messages, undefined), expected);
    assert.equal(counter.countMessages(messages, []), expected, 'an empty tool list adds nothing');
  });

  it('counts tool definitions with the cookbook constants, nested schema JSON included', () => {
    const tools: ToolDefinition[] = [
      {
        name: 'get_weather',
        description: 'Get the current weather.',
        inputSchema: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'City and country.' },
            unit: { type: 'string', description: 'Unit', enum: ['celsius', 'fahrenheit'] },
            days: { type: 'array', description: 'Days', items: { type: 'integer' } },
          },
        },
      },
      { name: 'noop', description: 'Does nothing' },
    ];
    const expected = TOOL_FUNC_END_TOKENS
      + TOOL_FUNC_INIT_TOKENS + ref('get_weather:Get the current weather') + TOOL_PROP_INIT_TOKENS
      + TOOL_PROP_KEY_TOKENS + ref('location:string:City and country')
      + TOOL_PROP_KEY_TOKENS + ref('unit:string:Unit') + TOOL_ENUM_INIT_TOKENS + 2 * TOOL_ENUM_ITEM_TOKENS + ref('celsius') + ref('fahrenheit')
      + TOOL_PROP_KEY_TOKENS + ref('days:array:Days') + ref(JSON.stringify({ items: { type: 'integer' } }))
      + TOOL_FUNC_INIT_TOKENS + ref('noop:Does nothing');
    assert.equal(counter.countTools(tools), expected);
    const msgs: ChatMessage[] = [{ role: 'user', content: 'hi there' }];
    assert.equal(counter.countMessages(msgs, tools), counter.countMessages(msgs, undefined) + expected);
  });

  it('re-counts a big conversation after one new message by encoding only the new message', () => {
    const c = new TokenCounter();
    try {
      const source = realText('typescript/lib/lib.dom.d.ts', 0, 300_000);
      const convo: ChatMessage[] = [{ role: 'system', content: 'You are an agent.' }];
      for (let i = 0; i < 60; i++) {
        const chunk = source.slice(i * 5000, (i + 1) * 5000);
        convo.push(i % 2 === 0
          ? { role: 'user', content: [{ type: 'toolResult', callId: `c${i}`, content: chunk }] }
          : { role: 'assistant', content: [{ type: 'text', text: chunk }, { type: 'toolCall', callId: `c${i}`, name: 'read_file', input: { path: `f${i}.ts` } }] });
      }
      const first = c.countMessages(convo, undefined);
      const afterFirst = c.stats();
      assert.ok(afterFirst.encodeCalls >= 60, 'the first count encodes every message');
      const newText = 'Now rename the interface and update every caller accordingly, please.';
      convo.push({ role: 'user', content: newText });
      const second = c.countMessages(convo, undefined);
      const afterSecond = c.stats();
      assert.equal(afterSecond.encodeCalls - afterFirst.encodeCalls, 1, 'only the new message reaches the encoder');
      assert.equal(afterSecond.encodedChars - afterFirst.encodedChars, newText.length);
      assert.equal(second, first + TOKENS_PER_MESSAGE + ref('user') + ref(newText));
      // an edited old message is recounted, and only it
      const edited = convo.map((m) => m);
      edited[5] = { role: 'user', content: [{ type: 'toolResult', callId: 'c4', content: source.slice(20000, 25000) + ' (edited)' }] };
      c.countMessages(edited, undefined);
      assert.equal(c.stats().encodeCalls - afterSecond.encodeCalls, 1);
    } finally {
      c.dispose();
    }
  });

  it('keeps its cache bounded by entries and by characters, evicting the least recently used', () => {
    const c = new TokenCounter({ cacheMaxEntries: 10 });
    try {
      const texts = Array.from({ length: 50 }, (_, i) => `message number ${i}: ${'lorem ipsum '.repeat(3)}`);
      for (const t of texts) c.countText(t);
      let s = c.stats();
      assert.equal(s.cacheEntries, 10);
      assert.equal(s.cacheEvictions, 40);
      const before = s.encodeCalls;
      c.countText(texts[49]);
      assert.equal(c.stats().encodeCalls, before, 'a recent text is a hit');
      c.countText(texts[0]);
      assert.equal(c.stats().encodeCalls, before + 1, 'an evicted text is encoded again');
      s = c.stats();
      assert.equal(s.cacheEntries, 10);
    } finally {
      c.dispose();
    }
    const d = new TokenCounter({ cacheMaxChars: 1000 });
    try {
      for (let i = 0; i < 20; i++) d.countText(`${i} ${'x y '.repeat(75)}`);
      const s = d.stats();
      assert.ok(s.cacheChars <= 1000, `cacheChars ${s.cacheChars}`);
      assert.equal(s.cacheEntries, Math.floor(1000 / `0 ${'x y '.repeat(75)}`.length));
    } finally {
      d.dispose();
    }
  });

  it('loads no WASM and no encoder until the first count (checked in a fresh process)', () => {
    const mod = path.join(repoRoot, 'out', 'src', 'core', 'tokens', 'index.js');
    const script = `
      const t = require(${JSON.stringify(mod)});
      const tk = () => Object.keys(require.cache).filter((k) => k.includes('tiktoken')).length;
      const out = { atImport: t.tokenizerLoadCounts(), tiktokenModulesAtImport: tk() };
      const a = new t.TokenCounter();
      out.afterConstruct = t.tokenizerLoadCounts();
      out.tiktokenModulesAfterConstruct = tk();
      out.count = a.countText('hello world');
      out.afterCount = t.tokenizerLoadCounts();
      a.countText('hello again, world');
      out.afterSecondCount = t.tokenizerLoadCounts();
      const b = new t.TokenCounter();
      b.countText('x'); b.countText('y', 'cl100k_base');
      out.afterOtherCounter = t.tokenizerLoadCounts();
      process.stdout.write(JSON.stringify(out));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    assert.deepEqual(out.atImport, { wasm: 0, encoders: 0 });
    assert.equal(out.tiktokenModulesAtImport, 0);
    assert.deepEqual(out.afterConstruct, { wasm: 0, encoders: 0 });
    assert.equal(out.tiktokenModulesAfterConstruct, 0);
    assert.equal(out.count, ref('hello world'));
    assert.deepEqual(out.afterCount, { wasm: 1, encoders: 1 });
    assert.deepEqual(out.afterSecondCount, { wasm: 1, encoders: 1 });
    assert.deepEqual(out.afterOtherCounter, { wasm: 1, encoders: 3 }, 'one WASM per process, one encoder per counter and tokenizer');
  });

  it('finds its assets in an explicit dir, beside a bundle, or in node_modules, and says where it looked', () => {
    const tk = path.join(repoRoot, 'node_modules', 'tiktoken');
    const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bundle-'));
    try {
      fs.mkdirSync(path.join(bundle, 'encoders'));
      fs.copyFileSync(path.join(tk, 'lite', 'tiktoken_bg.wasm'), path.join(bundle, 'tiktoken_bg.wasm'));
      fs.copyFileSync(path.join(tk, 'encoders', 'cl100k_base.json'), path.join(bundle, 'encoders', 'cl100k_base.json'));
      const besideBundle = resolveTokenizerAssets(undefined, bundle);
      assert.equal(besideBundle.wasmPath, path.join(bundle, 'tiktoken_bg.wasm'));
      assert.equal(besideBundle.encoderPath('cl100k_base'), path.join(bundle, 'encoders', 'cl100k_base.json'));
      assert.throws(() => besideBundle.encoderPath('o200k_base'), /o200k_base\.json not found; looked in/);
      const explicit = resolveTokenizerAssets(bundle, path.join(repoRoot, 'out', 'src', 'core', 'tokens'));
      assert.equal(explicit.encoderPath('cl100k_base'), path.join(bundle, 'encoders', 'cl100k_base.json'));
      assert.equal(explicit.encoderPath('o200k_base'), path.join(tk, 'encoders', 'o200k_base.json'), 'falls back to node_modules');
      const fromOut = resolveTokenizerAssets(undefined, path.join(repoRoot, 'out', 'src', 'core', 'tokens'));
      assert.equal(fromOut.wasmPath, path.join(tk, 'lite', 'tiktoken_bg.wasm'));
      assert.throws(() => resolveTokenizerAssets(undefined, path.join(bundle, 'encoders')).encoderPath('o200k_base'), /looked in/);
      const c = new TokenCounter({ assetDir: bundle });
      try {
        const s = realText('typescript/lib/lib.es5.d.ts', 0, 2000);
        assert.equal(c.countText(s, 'cl100k_base'), ref(s, cl100k));
      } finally {
        c.dispose();
      }
    } finally {
      fs.rmSync(bundle, { recursive: true, force: true });
    }
  });

  it('sizes images by the published high-detail rule, reading PNG, JPEG, GIF and WebP headers', () => {
    const img = (b: Buffer): ChatMessage[] => [{ role: 'user', content: [{ type: 'image', mimeType: 'image/x', bytes: b.length, dataBase64: b.toString('base64') }] }];
    const base = counter.countMessages([{ role: 'user', content: [] }], undefined);
    const cost = (b: Buffer): number => counter.countMessages(img(b), undefined) - base;
    // OpenAI's documented examples: 1024×1024 → 765 tokens, 2048×4096 → 1105 tokens.
    assert.equal(cost(pngHeader(1024, 1024)), 765);
    assert.equal(cost(pngHeader(2048, 4096)), 1105);
    assert.equal(cost(jpegHeader(4096, 2048)), 1105);
    assert.equal(cost(gifHeader(100, 100)), 85 + 170);
    assert.equal(cost(webpVp8xHeader(2048, 4096)), 1105);
    assert.equal(cost(Buffer.from('not an image at all')), 765, 'unknown dimensions assume 1024×1024');
    assert.equal(counter.countMessages([{ role: 'user', content: [{ type: 'image', mimeType: 'image/png', bytes: 10 }] }], undefined) - base, 765);
  });

  it('cuts pathological unbroken runs so they cannot stall, staying close to the exact count', () => {
    assert.equal(longRunCuts(realText('typescript/lib/lib.dom.d.ts', 0, 100_000)), undefined, 'ordinary text is never cut');
    const run = 'a'.repeat(20000);
    const n = counter.countText(run);
    const exact = ref(run);
    assert.ok(Math.abs(n - exact) / exact < 0.01, `${n} vs ${exact}`);
    const t0 = Date.now();
    counter.countText('b'.repeat(300_000));
    assert.ok(Date.now() - t0 < 10_000);
  });

  it('shares one lazily created counter and refuses use after dispose', () => {
    assert.equal(sharedTokenCounter(), sharedTokenCounter());
    const c = new TokenCounter();
    c.countText('a short text to load');
    c.dispose();
    assert.throws(() => c.countText('something longer than sixteen characters'), /after dispose/);
  });
});

function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.alloc(19);
  sof[0] = 0xff; sof[1] = 0xc0; sof.writeUInt16BE(17, 2); sof[4] = 8;
  sof.writeUInt16BE(height, 5); sof.writeUInt16BE(width, 7); sof[9] = 3;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(16)]);
}

function gifHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

function webpVp8xHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBP', 8, 'latin1');
  b.write('VP8X', 12, 'latin1');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}
