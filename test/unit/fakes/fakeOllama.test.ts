// The fake Ollama, exercised with the real `ollama` npm client.
import * as assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { DEFAULT_OLLAMA_MODELS, FakeOllama, startFakeOllama } from '../../fakes/fakeOllama';
import { approxTokens } from '../../fakes/common';

describe('fake Ollama (with the real ollama client)', () => {
  let fake: FakeOllama;
  let client: Ollama;

  beforeEach(async () => {
    fake = await startFakeOllama();
    client = new Ollama({ host: fake.url });
  });
  afterEach(async () => { await fake.close(); });

  it('listens on 127.0.0.1 with an OS-assigned port', () => {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(fake.url, 'http://127.0.0.1:11434');
  });

  it('answers /api/version and /api/tags like Ollama', async () => {
    assert.match((await client.version()).version, /^0\.12\.\d+$/);
    const { models } = await client.list();
    assert.deepEqual(models.map((m) => m.name), DEFAULT_OLLAMA_MODELS.map((m) => m.name));
    const coder = models.find((m) => m.name === 'qwen2.5-coder:7b')!;
    assert.equal(coder.model, 'qwen2.5-coder:7b');
    assert.equal(coder.details.family, 'qwen2');
    assert.equal(coder.details.parameter_size, '7.6B');
    assert.equal(coder.details.quantization_level, 'Q4_K_M');
    assert.match(coder.digest, /^[0-9a-f]{64}$/);
    assert.ok(coder.size > 4e9);
    const cloud = models.find((m) => m.name === 'gpt-oss:20b-cloud') as unknown as Record<string, unknown>;
    assert.equal(cloud.remote_host, 'https://ollama.com:443');
    assert.equal(cloud.remote_model, 'gpt-oss:20b');
    assert.equal((coder as unknown as Record<string, unknown>).remote_host, undefined);
  });

  it('answers /api/show with model_info, capabilities and remote fields', async () => {
    const show = await client.show({ model: 'llama3.1:8b' }) as unknown as Record<string, any>;
    assert.equal(show.model_info['general.architecture'], 'llama');
    assert.equal(show.model_info['general.parameter_count'], 8_030_261_248);
    assert.equal(show.model_info['llama.context_length'], 131_072);
    assert.deepEqual(show.capabilities, ['completion', 'tools']);
    assert.equal(show.details.family, 'llama');
    assert.equal(show.remote_host, undefined);
    const mystery = await client.show({ model: 'mystery-coder:6.7b' }) as unknown as Record<string, any>;
    assert.deepEqual(mystery.capabilities, ['completion', 'insert']);
    const cloud = await client.show({ model: 'gpt-oss:20b-cloud' }) as unknown as Record<string, any>;
    assert.equal(cloud.remote_host, 'https://ollama.com:443');
    assert.equal(cloud.remote_model, 'gpt-oss:20b');
    await assert.rejects(client.show({ model: 'nope:1b' }), (e: any) => e.status_code === 404 && /model 'nope:1b' not found/.test(e.message));
  });

  it('streams a chat as NDJSON with a final chunk whose durations follow the token rates', async () => {
    await fake.close();
    fake = await startFakeOllama({ tokensPerSecond: 400, promptTokensPerSecond: 4000 });
    client = new Ollama({ host: fake.url });
    const userText = 'Explain what a closure is in JavaScript, briefly.';
    const started = Date.now();
    const it = await client.chat({ model: 'qwen2.5-coder:7b', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: userText }], stream: true });
    let text = '';
    let chunks = 0;
    let final: any;
    for await (const c of it) {
      chunks++;
      text += c.message.content;
      if (c.done) final = c;
    }
    const wallMs = Date.now() - started;
    assert.equal(text, `Echo: ${userText.slice(0, 40)}`);
    assert.ok(chunks >= 4, `expected several chunks, got ${chunks}`);
    assert.equal(final.done_reason, 'stop');
    // Documented counting rule: 4 per message + ceil(chars / 4).
    assert.equal(final.prompt_eval_count, 4 + approxTokens('Be brief.') + 4 + approxTokens(userText));
    assert.equal(final.eval_count, approxTokens(text));
    assert.ok(Math.abs(final.eval_count / (final.eval_duration / 1e9) - 400) < 1, 'eval rate = tokensPerSecond');
    assert.ok(Math.abs(final.prompt_eval_count / (final.prompt_eval_duration / 1e9) - 4000) < 5, 'prompt rate = promptTokensPerSecond');
    assert.ok(final.total_duration >= final.load_duration + final.prompt_eval_duration + final.eval_duration);
    // The stream is really paced: 13 tokens at 400/s take >= ~30 ms.
    assert.ok(wallMs >= (final.eval_count / 400) * 1000 * 0.8, `wall ${wallMs} ms`);
    assert.deepEqual(fake.requestsTo('/api/chat')[0].reported, {
      done_reason: 'stop', total_duration: final.total_duration, load_duration: final.load_duration,
      prompt_eval_count: final.prompt_eval_count, prompt_eval_duration: final.prompt_eval_duration,
      eval_count: final.eval_count, eval_duration: final.eval_duration,
    });
  });

  it('answers stream:false with one JSON object', async () => {
    fake.script({ text: 'Hello there, friend.' });
    const res = await client.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'hi' }], stream: false });
    assert.equal(res.done, true);
    assert.equal(res.message.content, 'Hello there, friend.');
    assert.equal(res.eval_count, approxTokens('Hello there, friend.'));
    assert.ok(res.total_duration > 0);
  });

  it('loads a model on first use (load_duration, /api/ps) and reports a short load after', async () => {
    assert.deepEqual((await client.ps()).models, []);
    const first = await client.chat({ model: 'qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'a' }], stream: false });
    const second = await client.chat({ model: 'qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'b' }], stream: false });
    assert.equal(first.load_duration, 5_000_000);
    assert.ok(second.load_duration < first.load_duration);
    const ps = await client.ps();
    assert.deepEqual(ps.models.map((m) => m.name), ['qwen2.5-coder:1.5b']);
    assert.ok(ps.models[0].size_vram > 0);
  });

  it('honours suffix on /api/generate and rejects it for models without insert', async () => {
    const res = await client.generate({ model: 'qwen2.5-coder:7b', prompt: 'def add(a, b):\n', suffix: '\nprint(add(1, 2))', stream: false });
    assert.match(res.response ?? "", /fill: after ".*def add\(a, b\):\n" before "\nprint\(add\(1, 2\)\)"/);
    const body = fake.requestsTo('/api/generate')[0].body;
    assert.equal(body.suffix, '\nprint(add(1, 2))');
    assert.ok(Array.isArray(res.context) && res.context.length === res.prompt_eval_count + res.eval_count);
    await assert.rejects(
      client.generate({ model: 'llama3.1:8b', prompt: 'x', suffix: 'y', stream: false }),
      (e: any) => e.status_code === 400 && e.message === 'registry.ollama.ai/library/llama3.1:8b does not support insert');
  });

  it('accepts raw, rejects raw with system, and omits context in raw mode', async () => {
    const raw = await client.generate({ model: 'qwen2.5-coder:7b', prompt: '<|fim_prefix|>x', raw: true, stream: false });
    assert.equal(raw.context, undefined);
    await assert.rejects(
      client.generate({ model: 'qwen2.5-coder:7b', prompt: 'x', raw: true, system: 'be nice', stream: false }),
      (e: any) => e.status_code === 400 && /raw mode does not support template, system, or context/.test(e.message));
  });

  it('streams /api/generate chunks with `response`', async () => {
    fake.script({ chunks: ['return ', 'a + b'] });
    const it = await client.generate({ model: 'qwen2.5-coder:1.5b', prompt: 'def add(a, b):', suffix: '\n', stream: true });
    const pieces: string[] = [];
    for await (const c of it) if (!c.done) pieces.push(c.response ?? '');
    assert.deepEqual(pieces, ['return ', 'a + b']);
  });

  it('makes tool calls in Ollama format and accepts tool results as role "tool"', async () => {
    const tools = [{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } }];
    fake.script({ text: '', chunks: [], toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] });
    const it = await client.chat({ model: 'qwen2.5-coder:7b', messages: [{ role: 'user', content: 'open a.ts' }], tools, stream: true });
    const calls: any[] = [];
    for await (const c of it) calls.push(...(c.message.tool_calls ?? []));
    assert.equal(calls.length, 1);
    assert.equal(calls[0].function.name, 'read_file');
    assert.deepEqual(calls[0].function.arguments, { path: 'src/a.ts' }, 'arguments is an object, as Ollama sends it');

    fake.script({ text: 'The file exports add().' });
    const res = await client.chat({
      model: 'qwen2.5-coder:7b', stream: false, tools,
      messages: [
        { role: 'user', content: 'open a.ts' },
        { role: 'assistant', content: '', tool_calls: calls },
        { role: 'tool', content: 'export function add() {}', tool_name: 'read_file' },
      ],
    });
    assert.equal(res.message.content, 'The file exports add().');
    const seen = fake.requestsTo('/api/chat')[1].body.messages;
    assert.deepEqual(seen[2], { role: 'tool', content: 'export function add() {}', tool_name: 'read_file' });
  });

  it('refuses tools for a model without the tools capability', async () => {
    await assert.rejects(
      client.chat({ model: 'mystery-coder:6.7b', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 't' } }], stream: false }),
      (e: any) => e.status_code === 400 && e.message === 'registry.ollama.ai/library/mystery-coder:6.7b does not support tools');
  });

  it('answers unknown models with 404 and Ollama\'s message', async () => {
    await assert.rejects(
      client.chat({ model: 'ghost:7b', messages: [{ role: 'user', content: 'x' }], stream: true }),
      (e: any) => e.status_code === 404 && e.message === 'model "ghost:7b" not found, try pulling it first');
  });

  it('sends scripted HTTP errors and mid-stream error chunks', async () => {
    fake.script({ status: 500, error: 'llama runner process has terminated: exit status 2' });
    await assert.rejects(client.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'x' }], stream: false }),
      (e: any) => e.status_code === 500 && /llama runner process has terminated/.test(e.message));
    fake.script({ text: 'one two three four', errorAfterChunks: 2, error: 'out of memory' });
    const it = await client.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'x' }], stream: true });
    const got: string[] = [];
    await assert.rejects((async () => { for await (const c of it) got.push(c.message.content); })(), /out of memory/);
    assert.deepEqual(got, ['one ', 'two ']);
  });

  it('stops writing and records the abort when the client aborts mid-stream', async () => {
    fake.script({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), tokensPerSecond: 200 });
    const it = await client.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'long' }], stream: true });
    let got = 0;
    await assert.rejects((async () => {
      for await (const _ of it) { got++; if (got === 3) it.abort(); }
    })(), (e: any) => e.name === 'AbortError');
    await fake.waitForAbort(1, 2000);
    const rec = fake.requestsTo('/api/chat')[0];
    assert.equal(rec.aborted, true);
    assert.equal(rec.completed, false);
    assert.equal(rec.reported, undefined, 'no final chunk was produced');
  });

  it('changes /api/tags with setModels', async () => {
    fake.setModels([DEFAULT_OLLAMA_MODELS[0], { ...DEFAULT_OLLAMA_MODELS[1], name: 'deepseek-coder-v2:16b', parameterSize: '15.7B' }]);
    const { models } = await client.list();
    assert.deepEqual(models.map((m) => m.name), ['qwen2.5-coder:1.5b', 'deepseek-coder-v2:16b']);
    await assert.rejects(client.show({ model: 'llama3.1:8b' }), (e: any) => e.status_code === 404);
  });

  it('resolves a name without a tag to :latest', async () => {
    fake.setModels([{ ...DEFAULT_OLLAMA_MODELS[2], name: 'llama3:latest' }]);
    const res = await client.chat({ model: 'llama3', messages: [{ role: 'user', content: 'x' }], stream: false });
    assert.equal(res.model, 'llama3');
    assert.equal(res.done, true);
  });

  it('answers an empty chat with done_reason "load"', async () => {
    const res = await client.chat({ model: 'llama3.1:8b', messages: [], stream: false });
    assert.equal(res.done_reason, 'load');
  });

  it('accepts think and options and records them', async () => {
    fake.script({ thinking: 'Let me think.', text: 'Answer.' });
    const res = await client.chat({ model: 'gpt-oss:20b-cloud', messages: [{ role: 'user', content: 'q' }], think: true, options: { temperature: 0.2, num_predict: 64 }, stream: false });
    assert.equal(res.message.thinking, 'Let me think.');
    assert.equal(res.eval_count, approxTokens('Answer.') + approxTokens('Let me think.'));
    const body = fake.requestsTo('/api/chat')[0].body;
    assert.equal(body.think, true);
    assert.deepEqual(body.options, { temperature: 0.2, num_predict: 64 });
  });
});
