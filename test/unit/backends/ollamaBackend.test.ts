// OllamaBackend (the real `ollama` client inside) against the fake Ollama.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { BackendError } from '../../../src/core/types';
import { DEFAULT_OLLAMA_MODELS, FakeOllama, startFakeOllama } from '../../fakes/fakeOllama';
import { closedPort, drain, req, spec } from './helpers';

describe('OllamaBackend', () => {
  let fake: FakeOllama;
  let backend: OllamaBackend;
  const coder = spec('qwen2.5-coder:7b', 'ollama');

  beforeEach(async () => {
    fake = await startFakeOllama();
    backend = new OllamaBackend({ host: fake.url });
  });
  afterEach(async () => { await fake.close(); });

  it('streams text, then one usage part with Ollama\'s reported counts and nanosecond timings', async () => {
    fake.script({ chunks: ['const ', 'x = ', '1;'] });
    const d = await drain(backend.stream(coder, req([
      { role: 'system', content: 'You write TypeScript.' },
      { role: 'user', content: 'declare x' },
    ], { temperature: 0.1, maxOutputTokens: 128 }), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.deepEqual(d.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text), ['const ', 'x = ', '1;']);
    assert.equal(d.usageIndex, d.parts.length - 1, 'usage is the last part');
    assert.equal(d.parts.filter((p) => p.type === 'usage').length, 1);
    const reported = fake.requestsTo('/api/chat')[0].reported as Record<string, number>;
    const u = d.usage!;
    assert.equal(u.source, 'reported');
    assert.deepEqual(u.tokens, { input: reported.prompt_eval_count, cachedInput: 0, output: reported.eval_count, reasoning: 0 });
    assert.deepEqual(u.ollama, {
      promptEvalNs: reported.prompt_eval_duration, evalNs: reported.eval_duration,
      loadNs: reported.load_duration, totalNs: reported.total_duration,
      // The window sent (the smallest step for 16 tokens + 128 of output) and the tokens counted before sending.
      numCtx: 4096, sentTokens: u.ollama!.sentTokens,
    });
    assert.ok(u.ollama!.sentTokens! > 0);
    assert.equal(u.doneReason, 'stop');
    assert.ok(u.durationMs > 0);
    assert.ok(u.ttftMs !== undefined && u.ttftMs > 0 && u.ttftMs <= u.durationMs);
    const body = fake.requestsTo('/api/chat')[0].body;
    assert.equal(body.stream, true);
    assert.deepEqual(body.messages, [{ role: 'system', content: 'You write TypeScript.' }, { role: 'user', content: 'declare x' }]);
    assert.deepEqual(body.options, { temperature: 0.1, num_predict: 128, num_ctx: 4096 });
    assert.equal(body.tools, undefined);
  });

  it('measures ttft and duration against the real pace of the stream', async () => {
    await fake.close();
    fake = await startFakeOllama({ tokensPerSecond: 100, promptTokensPerSecond: 1000 });
    backend = new OllamaBackend({ host: fake.url });
    fake.script({ text: 'one two three four five six seven eight', promptTokens: 100 });
    const d = await drain(backend.stream(coder, req([{ role: 'user', content: 'count' }]), new AbortController().signal));
    const u = d.usage!;
    // 100 prompt tokens at 1000/s = 100 ms before the first token; ~10 output tokens at 100/s = ~100 ms more.
    assert.ok(u.ttftMs! >= 90, `ttft ${u.ttftMs}`);
    assert.ok(u.durationMs >= u.ttftMs! + 60, `duration ${u.durationMs}`);
    assert.equal(u.ollama!.promptEvalNs, 100_000_000);
  });

  it('sends tools, yields tool calls, and sends the tool result back as a `tool` message with tool_name', async () => {
    const tools = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
    fake.script({ text: 'Reading.', toolCalls: [{ name: 'read_file', arguments: { path: 'src/a.ts' } }] });
    const first = await drain(backend.stream(coder, req([{ role: 'user', content: 'what is in a.ts?' }], { tools }), new AbortController().signal));
    assert.equal(first.error, undefined);
    assert.equal(first.text, 'Reading.');
    assert.equal(first.toolCalls.length, 1);
    const call = first.toolCalls[0];
    assert.equal(call.name, 'read_file');
    assert.deepEqual(call.input, { path: 'src/a.ts' });
    assert.ok(call.callId.length > 0);
    assert.deepEqual(fake.requestsTo('/api/chat')[0].body.tools, [{
      type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: tools[0].inputSchema },
    }]);

    fake.script({ text: 'It exports add().' });
    const second = await drain(backend.stream(coder, req([
      { role: 'user', content: 'what is in a.ts?' },
      { role: 'assistant', content: [{ type: 'text', text: 'Reading.' }, { type: 'toolCall', callId: call.callId, name: call.name, input: call.input }] },
      { role: 'user', content: [{ type: 'toolResult', callId: call.callId, content: 'export function add() {}' }, { type: 'text', text: 'Summarise.' }] },
    ], { tools }), new AbortController().signal));
    assert.equal(second.error, undefined);
    assert.equal(second.text, 'It exports add().');
    const sent = fake.requestsTo('/api/chat')[1].body.messages;
    assert.deepEqual(sent, [
      { role: 'user', content: 'what is in a.ts?' },
      { role: 'assistant', content: 'Reading.', tool_calls: [{ function: { name: 'read_file', arguments: { path: 'src/a.ts' } } }] },
      { role: 'tool', content: 'export function add() {}', tool_name: 'read_file' },
      { role: 'user', content: 'Summarise.' },
    ]);
  });

  it('uses the tool call id Ollama sends when it sends one', async () => {
    fake.script({ toolCalls: [{ id: 'call_abc123', name: 'ls', arguments: {} }], chunks: [] });
    const d = await drain(backend.stream(coder, req([{ role: 'user', content: 'ls' }], { tools: [{ name: 'ls', description: 'list' }] }), new AbortController().signal));
    assert.equal(d.toolCalls[0].callId, 'call_abc123');
  });

  it('sends images as base64 in `images`', async () => {
    await drain(backend.stream(coder, req([{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', mimeType: 'image/png', bytes: 4, dataBase64: 'iVBORw==' }] }]), new AbortController().signal));
    assert.deepEqual(fake.requestsTo('/api/chat')[0].body.messages, [{ role: 'user', content: 'what is this?', images: ['iVBORw=='] }]);
  });

  it('uses /api/generate with suffix for fill-in-the-middle', async () => {
    const d = await drain(backend.stream(spec('qwen2.5-coder:1.5b', 'ollama'), req([
      { role: 'system', content: 'Complete code.' },
      { role: 'user', content: 'function add(a, b) {\n  return ' },
    ], { suffix: '\n}\n', surface: 'inline', maxOutputTokens: 32 }), new AbortController().signal));
    assert.equal(d.error, undefined);
    assert.equal(fake.requestsTo('/api/chat').length, 0);
    const body = fake.requestsTo('/api/generate')[0].body;
    assert.equal(body.prompt, 'function add(a, b) {\n  return ');
    assert.equal(body.suffix, '\n}\n');
    assert.equal(body.system, 'Complete code.');
    assert.equal(body.options.num_predict, 32);
    assert.equal(d.text, `/* fill: after "${'function add(a, b) {\n  return '.slice(-20)}" before "\n}\n" */`);
    assert.equal(d.usage!.source, 'reported');
    assert.equal(d.usage!.tokens.input, (fake.requestsTo('/api/generate')[0].reported as any).prompt_eval_count);
  });

  it('on abort mid-stream: stops the server stream, yields an estimated usage part, then throws cancelled', async () => {
    fake.script({ chunks: ['alpha ', 'beta ', 'gamma ', 'delta ', 'never '], stallAfterChunks: 3 });
    const ctrl = new AbortController();
    const d = await drain(backend.stream(coder, req([{ role: 'user', content: 'write a long essay about abort signals' }]), ctrl.signal), (p, i) => {
      if (i === 2) ctrl.abort();
    });
    assert.ok(d.error instanceof BackendError);
    assert.equal((d.error as BackendError).kind, 'cancelled');
    assert.equal(d.text, 'alpha beta gamma ');
    assert.equal(d.usageIndex, d.parts.length - 1);
    const u = d.usage!;
    assert.equal(u.source, 'estimated');
    assert.equal(u.tokens.output, Math.ceil('alpha beta gamma '.length / 4));
    assert.ok(u.tokens.input > 0, 'the prompt was sent, so it counts');
    assert.ok(u.ttftMs !== undefined);
    await fake.waitForAbort(1, 2000);
    assert.equal(fake.requestsTo('/api/chat')[0].aborted, true);
  });

  it('on abort before the response arrives: aborts the pending request at once', async () => {
    fake.script({ delayMs: 5000 });
    const ctrl = new AbortController();
    // Abort once the request is at the server (the backend may ask /api/show first).
    const poll = setInterval(() => { if (fake.requestsTo('/api/chat').length > 0) { clearInterval(poll); setTimeout(() => ctrl.abort(), 20); } }, 5);
    const t0 = Date.now();
    const d = await drain(backend.stream(coder, req([{ role: 'user', content: 'hello' }]), ctrl.signal));
    assert.ok(Date.now() - t0 < 1500, 'did not wait for the server');
    assert.equal((d.error as BackendError).kind, 'cancelled');
    assert.equal(d.parts.length, 1);
    assert.equal(d.usage!.source, 'estimated');
    assert.equal(d.usage!.tokens.output, 0);
    await fake.waitForAbort(1, 2000);
  });

  it('with an already-aborted signal sends nothing and reports zero usage', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const d = await drain(backend.stream(coder, req([{ role: 'user', content: 'hello' }]), ctrl.signal));
    assert.equal((d.error as BackendError).kind, 'cancelled');
    assert.deepEqual(d.usage!.tokens, { input: 0, cachedInput: 0, output: 0, reasoning: 0 });
    assert.equal(fake.requests.length, 0);
  });

  it('aborts the HTTP request when the consumer stops iterating early', async () => {
    fake.script({ chunks: ['a ', 'b ', 'c ', 'd '], stallAfterChunks: 2 });
    for await (const p of backend.stream(coder, req([{ role: 'user', content: 'x' }]), new AbortController().signal)) {
      if (p.type === 'text') break;
    }
    await fake.waitForAbort(1, 2000);
  });

  it('says how to start Ollama when nothing listens at the host', async () => {
    const host = `http://127.0.0.1:${await closedPort()}`;
    const b = new OllamaBackend({ host });
    const d = await drain(b.stream(coder, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.ok(d.error instanceof BackendError);
    assert.equal((d.error as BackendError).kind, 'unreachable');
    assert.equal((d.error as BackendError).message,
      `Ollama is not running at ${host}. Start it with \`ollama serve\` (or open the Ollama app), or set rightsize.ollama.host.`);
    assert.equal(d.parts.length, 0, 'no usage: nothing reached a server');
    await assert.rejects(b.version(), (e: any) => e instanceof BackendError && e.kind === 'unreachable');
    await assert.rejects(b.discoverModels(), (e: any) => e instanceof BackendError && e.kind === 'unreachable');
  });

  it('says how to pull a model Ollama does not have', async () => {
    const d = await drain(backend.stream(spec('ghost:7b', 'ollama'), req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'notFound');
    assert.equal((d.error as BackendError).message, 'Ollama has no model "ghost:7b". Pull it with `ollama pull ghost:7b`.');
    assert.equal(d.parts.length, 0);
  });

  it('maps a refused request (tools on a model without tools) to badRequest with Ollama\'s reason', async () => {
    const d = await drain(backend.stream(spec('mystery-coder:6.7b', 'ollama'), req([{ role: 'user', content: 'x' }], { tools: [{ name: 't', description: 'd' }] }), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'badRequest');
    assert.match((d.error as BackendError).message, /does not support tools/);
  });

  it('maps a server error to kind server, and a mid-stream error to usage then server', async () => {
    fake.script({ status: 500, error: 'llama runner process has terminated: signal: killed' });
    const d1 = await drain(backend.stream(coder, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d1.error as BackendError).kind, 'server');
    assert.match((d1.error as BackendError).message, /llama runner process has terminated/);
    assert.equal(d1.parts.length, 0);

    fake.script({ chunks: ['one ', 'two ', 'three '], errorAfterChunks: 2, error: 'CUDA error: out of memory' });
    const d2 = await drain(backend.stream(coder, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d2.error as BackendError).kind, 'server');
    assert.match((d2.error as BackendError).message, /CUDA error: out of memory/);
    assert.equal(d2.text, 'one two ');
    assert.equal(d2.usage!.source, 'estimated');
    assert.equal(d2.usageIndex, d2.parts.length - 1);
  });

  it('asks to sign in when a cloud model is refused with 401', async () => {
    fake.script({ status: 401, error: 'unauthorized' });
    const d = await drain(backend.stream(spec('gpt-oss:20b-cloud', 'ollama'), req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    assert.equal((d.error as BackendError).kind, 'auth');
    assert.match((d.error as BackendError).message, /ollama signin/);
  });

  it('counts thinking inside eval_count as reasoning', async () => {
    fake.script({ thinking: 'First I consider the question carefully.', text: 'Yes.' });
    const d = await drain(backend.stream(spec('gpt-oss:20b-cloud', 'ollama'), req([{ role: 'user', content: 'q' }]), new AbortController().signal));
    assert.equal(d.text, 'Yes.');
    const reported = fake.requestsTo('/api/chat')[0].reported as any;
    assert.equal(d.usage!.tokens.reasoning, Math.ceil('First I consider the question carefully.'.length / 4));
    assert.equal(d.usage!.tokens.output, reported.eval_count, 'output includes reasoning (TokenCounts convention)');
    assert.ok(d.usage!.tokens.reasoning < d.usage!.tokens.output);
  });

  it('reports its version', async () => {
    assert.equal(await backend.version(), '0.12.6');
  });

  it('discovers every model with its /api/show, flags remote ones, and follows model-list changes', async () => {
    const found = await backend.discoverModels();
    assert.deepEqual(found.map((m) => m.tag), DEFAULT_OLLAMA_MODELS.map((m) => m.name));
    const llama = found.find((m) => m.tag === 'llama3.1:8b')!;
    assert.equal(llama.sizeBytes, 4_920_753_328);
    assert.equal(llama.details.parameter_size, '8.0B');
    assert.equal(llama.show!.model_info!['llama.context_length'], 131_072);
    assert.deepEqual(llama.show!.capabilities, ['completion', 'tools']);
    assert.equal(llama.remote, undefined);
    const cloud = found.find((m) => m.tag === 'gpt-oss:20b-cloud')!;
    assert.deepEqual(cloud.remote, { host: 'https://ollama.com:443', model: 'gpt-oss:20b' });
    assert.equal(cloud.show!.remote_host, 'https://ollama.com:443');

    fake.setModels([DEFAULT_OLLAMA_MODELS[3]]);
    const again = await backend.discoverModels();
    assert.deepEqual(again.map((m) => m.tag), ['mystery-coder:6.7b']);
  });

  it('fetches /api/show with a small concurrency limit, and a failing show gives show undefined', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slowFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (!url.endsWith('/api/show')) return fetch(input, init);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 30));
        if (String(init?.body).includes('llama3.1:8b')) {
          return new Response('{"error":"something broke"}', { status: 500, headers: { 'content-type': 'application/json' } });
        }
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const b = new OllamaBackend({ host: fake.url, fetch: slowFetch, showConcurrency: 2 });
    const found = await b.discoverModels();
    assert.equal(found.length, 5);
    assert.equal(maxInFlight, 2);
    assert.equal(found.find((m) => m.tag === 'llama3.1:8b')!.show, undefined);
    assert.ok(found.filter((m) => m.show !== undefined).length === 4);
  });

  it('lists running models', async () => {
    await drain(backend.stream(coder, req([{ role: 'user', content: 'x' }]), new AbortController().signal));
    const running = await backend.running();
    assert.deepEqual(running.map((r) => r.tag), ['qwen2.5-coder:7b']);
    assert.ok(running[0].sizeVramBytes > 0);
  });
});
