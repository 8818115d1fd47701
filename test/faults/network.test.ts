// Fault injection against the fakes, on all three backends: redirects (301/302/307/308, same and other
// origin), servers that never answer, that send headers and then nothing, that stream without end, 100 MB
// error bodies, one endless line, poison usage values. Each case prints what it tried and what held.
import * as assert from 'node:assert/strict';
import { AnthropicBackend } from '../../src/core/backends/anthropicBackend';
import type { NetworkLimits } from '../../src/core/backends/guardedFetch';
import { OllamaBackend } from '../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../src/core/backends/openaiBackend';
import { SseParser } from '../../src/core/backends/sse';
import { Backend, BackendError, ModelSpec } from '../../src/core/types';
import { Catcher, FakeFault, FakeServerBase, startCatcher, startFakeAnthropic, startFakeOllama, startFakeOpenAI } from '../fakes';
import { drain, req, spec } from '../unit/backends/helpers';
import { held, say } from './summary';

const MB = 1_000_000;

interface Side {
  name: string;
  fake: FakeServerBase;
  path: string;
  key?: string;
  model: ModelSpec;
  backend(limits?: Partial<NetworkLimits>): Backend;
}

describe('faults: hostile and broken model servers', function () {
  this.timeout(120_000);
  let sides: Side[];
  let other: Catcher;

  before(async () => {
    const [ollama, openai, anthropic] = await Promise.all([startFakeOllama(), startFakeOpenAI(), startFakeAnthropic()]);
    other = await startCatcher();
    sides = [
      { name: 'Ollama', fake: ollama, path: '/api/chat', model: spec('qwen2.5-coder:7b', 'ollama'), backend: (limits) => new OllamaBackend({ host: ollama.url, limits }) },
      { name: 'OpenAI', fake: openai, path: '/v1/chat/completions', key: 'sk-test-openai-0000', model: spec('gpt-4o-mini', 'openai'), backend: (limits) => new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => 'sk-test-openai-0000', limits }) },
      { name: 'Anthropic', fake: anthropic, path: '/v1/messages', key: 'sk-ant-test-0000', model: spec('claude-haiku-4-5', 'anthropic'), backend: (limits) => new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => 'sk-ant-test-0000', limits }) },
    ];
  });
  after(async () => { await Promise.all([...sides.map((s) => s.fake.close()), other.close()]); });
  beforeEach(() => { for (const s of sides) s.fake.reset(); other.caught.length = 0; });

  async function run(side: Side, fault: FakeFault | undefined, limits?: Partial<NetworkLimits>, usage?: Record<string, unknown>) {
    side.fake.script({ ...(fault ? { fault } : {}), ...(usage ? { usage, text: 'It adds the numbers.' } : {}) });
    const t0 = Date.now();
    const d = await drain(side.backend(limits).stream(side.model, req([{ role: 'user', content: 'What does sum() do? secret-prompt-7' }]), new AbortController().signal));
    return { ...d, ms: Date.now() - t0, error: d.error as BackendError | undefined };
  }

  it('redirects: 301/302/307/308 to the same and to another origin are refused; nothing reaches the target', async () => {
    let tried = 0;
    for (const side of sides) {
      for (const status of [301, 302, 307, 308] as const) {
        for (const cross of [true, false]) {
          const location = cross ? `${other.url}${side.path}` : `${side.fake.url}${side.path}?again=1`;
          side.fake.reset();
          const d = await run(side, { kind: 'redirect', status, location });
          tried++;
          assert.equal(d.error?.kind, 'redirect', `${side.name} ${status}: ${String(d.error)}`);
          assert.ok(d.error!.message.includes(cross ? other.url : side.fake.url));
          if (side.key) assert.ok(!d.error!.message.includes(side.key));
          assert.equal(side.fake.requestsTo(side.path).length, 1, `${side.name} ${status}: asked once`);
        }
      }
    }
    assert.equal(other.caught.length, 0, 'the other origin received nothing');
    say(`${tried} redirects tried (3 backends × 4 statuses × same/other origin): all refused, 0 requests reached the other origin, no key in any message`);
    held(`${tried} redirects: 301/302/307/308 × same/other origin × Ollama, OpenAI, Anthropic`, 'all refused (kind redirect, endpoint and target origin named, no key); each endpoint asked once; 0 requests reached the other origin');
  });

  it('a server that never answers: stopped at the response deadline, the connection closed', async () => {
    const ms: number[] = [];
    for (const side of sides) {
      const aborted = side.fake.aborted;
      const d = await run(side, { kind: 'silent' }, { responseTimeoutMs: 1500 });
      assert.equal(d.error?.kind, 'timeout', `${side.name}: ${String(d.error)}`);
      assert.match(d.error!.message, /did not start answering within 1\.5 s .*rightsize\.network\.responseTimeoutSeconds/);
      await side.fake.waitForAbort(aborted + 1, 5000);
      say(`${side.name}: silent server → "${d.error!.message.slice(0, 70)}…" after ${d.ms} ms; the server saw the connection close`);
      ms.push(d.ms);
    }
    held('a server that accepts and never answers (3 backends), response deadline 1.5 s', `timeout after ${ms.join('/')} ms naming rightsize.network.responseTimeoutSeconds; the server saw the connection close`);
  });

  it('a slow but honest server (6 s before it answers) is not cut off by a 10 s response deadline', async () => {
    const results = await Promise.all(sides.map(async (side) => {
      side.fake.script({ delayMs: 6000, text: 'It adds the numbers.' });
      const t0 = Date.now();
      const d = await drain(side.backend({ responseTimeoutMs: 10_000, idleTimeoutMs: 10_000 }).stream(side.model, req([{ role: 'user', content: 'What does sum() do?' }]), new AbortController().signal));
      return { side, d, ms: Date.now() - t0 };
    }));
    for (const { side, d, ms } of results) {
      assert.equal(d.error, undefined, `${side.name}: ${String(d.error)}`);
      assert.equal(d.text, 'It adds the numbers.', side.name);
      assert.ok(ms >= 5900, `${side.name}: ${ms} ms`);
    }
    say(`slow servers answered whole after ${results.map((r) => r.ms).join('/')} ms (Ollama/OpenAI/Anthropic)`);
    held('a slow but honest server: 6 s before its first byte, response deadline 10 s (3 backends at once)', `every answer arrived whole after ${results.map((r) => r.ms).join('/')} ms: deadlines do not cut slow servers short`);
  });

  it('headers, then nothing: stopped at the idle deadline', async () => {
    const ms: number[] = [];
    for (const side of sides) {
      const d = await run(side, { kind: 'headersOnly' }, { idleTimeoutMs: 1500 });
      assert.equal(d.error?.kind, 'timeout', `${side.name}: ${String(d.error)}`);
      assert.match(d.error!.message, /went silent mid-answer.*1\.5 s.*rightsize\.network\.idleTimeoutSeconds/);
      assert.equal(d.usage?.source, 'estimated', 'the stream contract: an estimated usage part before the error');
      say(`${side.name}: headers then silence → timeout after ${d.ms} ms, estimated usage recorded`);
      ms.push(d.ms);
    }
    held('headers, then silence (3 backends), idle deadline 1.5 s', `timeout after ${ms.join('/')} ms naming rightsize.network.idleTimeoutSeconds; an estimated usage part first`);
  });

  it('a stream without end: stopped at the stream deadline, with the text so far and an estimated usage', async () => {
    const ms: number[] = [];
    for (const side of sides) {
      const d = await run(side, { kind: 'endless', intervalMs: 2 }, { totalTimeoutMs: 2500 });
      assert.equal(d.error?.kind, 'timeout', `${side.name}: ${String(d.error)}`);
      assert.match(d.error!.message, /did not finish answering within 2\.5 s.*rightsize\.network\.streamTimeoutMinutes/);
      assert.ok(d.text.length > 0 && d.usage!.tokens.output > 0, 'what arrived is counted');
      say(`${side.name}: endless stream → stopped after ${d.ms} ms with ${d.text.length} chars, ${d.usage!.tokens.output} output tokens estimated`);
      ms.push(d.ms);
    }
    held('an endless stream, a chunk every 2 ms (3 backends), stream deadline 2.5 s', `stopped after ${ms.join('/')} ms naming rightsize.network.streamTimeoutMinutes; the text so far kept, its output tokens estimated`);
  });

  it('a 100 MB error body: at most 64 KiB read, the rest never sent', async () => {
    const sentMb: string[] = [];
    for (const side of sides) {
      const before = process.memoryUsage().rss;
      const d = await run(side, { kind: 'hugeErrorBody', status: 500, bytes: 100 * MB });
      assert.ok(d.error instanceof BackendError, String(d.error));
      assert.ok(d.error.message.length < 600, 'the message is short');
      await new Promise((r) => setTimeout(r, 100));
      const sent = side.fake.requestsTo(side.path)[0].faultBytesSent ?? 0;
      assert.ok(sent < 20 * MB, `${side.name}: the server got to send ${sent} bytes`);
      say(`${side.name}: 100 MB error body → "${d.error.message.slice(0, 60)}…" in ${d.ms} ms; server sent ${(sent / MB).toFixed(1)} MB before the client hung up; RSS +${((process.memoryUsage().rss - before) / MB).toFixed(0)} MB`);
      sentMb.push((sent / MB).toFixed(1));
    }
    held('a 100 MB error body (500) from each of the 3 backends', `a short error message; the servers got to send ${sentMb.join('/')} MB before the client hung up (of 100)`);
  });

  it('one 16 MB line: stopped at the 4 MiB line cap', async () => {
    const sentMb: string[] = [];
    for (const side of sides) {
      const d = await run(side, { kind: 'longLine', bytes: 16 * MB });
      assert.equal(d.error?.kind, 'tooLarge', `${side.name}: ${String(d.error)}`);
      const sent = side.fake.requestsTo(side.path)[0].faultBytesSent ?? 0;
      assert.ok(sent < 12 * MB, `${side.name}: the server got to send ${sent} bytes`);
      say(`${side.name}: 16 MB line → tooLarge in ${d.ms} ms after the server sent ${(sent / MB).toFixed(1)} MB`);
      sentMb.push((sent / MB).toFixed(1));
    }
    held('one 16 MB line in a streamed answer (3 backends)', `stopped as tooLarge at the 4 MiB line cap, after ${sentMb.join('/')} MB had been sent`);
  });

  it('the SSE parser is linear in one long line (2/4/8/16 MB in 64 KiB chunks)', () => {
    const times: number[] = [];
    for (const mb of [2, 4, 8, 16]) {
      const p = new SseParser(32 * MB);
      const chunk = 'a'.repeat(64 * 1024);
      const n = Math.floor((mb * MB) / chunk.length);
      const t0 = performance.now();
      p.push('data: ');
      for (let i = 0; i < n; i++) p.push(chunk);
      const events = p.push('\n\n');
      times.push(performance.now() - t0);
      assert.equal(events.length, 1);
      assert.equal(events[0].data.length, n * chunk.length);
    }
    say(`one long line: 2/4/8/16 MB parsed in ${times.map((t) => t.toFixed(0)).join('/')} ms (the issue measured 260/1500/5700/18000 ms for the hand-written parser: quadratic)`);
    held('one SSE line of 2/4/8/16 MB, in 64 KiB chunks', `parsed in ${times.map((t) => t.toFixed(0)).join('/')} ms: linear (the old parser: 260/1500/5700/18000 ms)`);
    // 8× the input; quadratic would be ~64×. Generous for a loaded machine, still far from quadratic.
    assert.ok(times[3] < Math.max(times[0], 5) * 24, `16 MB took ${times[3].toFixed(0)} ms vs ${times[0].toFixed(0)} ms for 2 MB`);
  });

  it('poison usage values: every backend records an estimate, marked, with a warning', async () => {
    const poisons: Record<string, Array<Record<string, unknown>>> = {
      Ollama: [{ eval_count: 'three' }, { prompt_eval_count: -4900 }, { eval_count: 1e308 }, { eval_count: null }],
      OpenAI: [{ prompt_tokens: 'abc', completion_tokens: 1e308 }, { prompt_tokens: -4900 }, { completion_tokens: 2.5 }, { prompt_tokens: null }],
      Anthropic: [{ input_tokens: 'abc' }, { output_tokens: -5 }, { input_tokens: 1e308 }, { cache_read_input_tokens: 1e12 }],
    };
    for (const side of sides) {
      for (const usage of poisons[side.name]) {
        const d = await run(side, undefined, undefined, usage);
        assert.equal(d.error, undefined, `${side.name} ${JSON.stringify(usage)}: ${String(d.error)}`);
        const u = d.usage!;
        for (const v of Object.values(u.tokens)) assert.ok(Number.isSafeInteger(v) && v >= 0 && v <= 100_000_000, `${side.name}: ${JSON.stringify(u.tokens)}`);
        assert.equal(u.source, 'estimated', `${side.name} ${JSON.stringify(usage)}`);
        assert.ok(u.warnings && u.warnings.length > 0);
      }
      say(`${side.name}: ${poisons[side.name].map((p) => JSON.stringify(p)).join(', ')} → estimated, marked, warned`);
    }
    held('poison usage: "abc", "three", -4900, 2.5, 1e308, 1e12, null (4 per backend, 3 backends)', 'every answer recorded with estimated, in-range integer counts, marked estimated, a warning naming the field');
  });
});
